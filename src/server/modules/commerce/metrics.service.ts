import { type RawBuilder, sql } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import type { FieldCatalog, FieldSpec } from '../../platform/filter/compile.js';
import { AppError } from '../../platform/http/errors.js';
import { describeRecords, getCompany, getPerson } from '../customers/index.js';
import { lookupProducts } from '../sales/index.js';
import type { CommerceDb } from './commerce.db.js';
import { presentMetrics } from './commerce.presenter.js';
import * as repo from './metrics.repository.js';

type Kind = repo.CustomerKind;

/** The customer must be visible to the actor (same rule as opening the record), else 404. */
async function checkVisible(db: CommerceDb, actor: Actor, kind: Kind, id: string) {
  if (kind === 'person') await getPerson({ db, actor, personId: id });
  else await getCompany({ db, actor, companyId: id });
}

export async function getCustomerMetrics(options: { db: CommerceDb; actor: Actor; kind: Kind; id: string }) {
  await checkVisible(options.db, options.actor, options.kind, options.id);
  return presentMetrics(await repo.readMetrics(options.db, options.actor.workspaceId, options.kind, options.id));
}

/**
 * Metrics of many customers for list columns: only records the actor may see (others are left out, as are ids of
 * another workspace); a customer without orders gets zero figures. Keyed by id.
 */
export async function getMetricsOf(options: { db: CommerceDb; actor: Actor; kind: Kind; ids: string[] }) {
  const { db, actor, kind } = options;
  const visible = await describeRecords(
    db,
    actor,
    options.ids.map((entityId) => ({ entityType: kind, entityId })),
  );
  const ids = [...visible.values()].map((r) => r.entityId);
  const rows = await repo.readMetricsOf(db, actor.workspaceId, kind, ids);
  const byId = new Map(rows.map((r) => [String(kind === 'person' ? r.person_id : r.company_id), r]));
  const now = new Date();
  return { data: Object.fromEntries(ids.map((id) => [id, presentMetrics(byId.get(id), now)])) };
}

/**
 * Ranked pairs as suggestions: products still on sale, best score first, then by name (the product lookup's order,
 * kept by the stable sort), at most `limit`.
 */
async function suggest(db: CommerceDb, workspaceId: string, pairs: repo.PairScore[], limit: number) {
  const score = new Map(pairs.map((p) => [p.product_id, Number(p.score)]));
  const products = await lookupProducts(db, workspaceId, { ids: [...score.keys()] });
  return {
    data: products
      .filter((p) => p.active)
      .map((p) => ({
        productId: p.id,
        sku: p.sku,
        name: p.name,
        unitPrice: p.unitPrice,
        currency: p.currency,
        score: score.get(p.id) ?? 0,
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, limit),
  };
}

export async function getCrossSell(options: { db: CommerceDb; actor: Actor; kind: Kind; id: string; limit: number }) {
  const { db, actor } = options;
  await checkVisible(db, actor, options.kind, options.id);
  return suggest(db, actor.workspaceId, await repo.crossSell(db, actor.workspaceId, options.kind, options.id), options.limit);
}

export async function getAlsoBought(options: { db: CommerceDb; actor: Actor; productId: string; limit: number }) {
  const { db, actor } = options;
  const [product] = await lookupProducts(db, actor.workspaceId, { ids: [options.productId] }, { trashed: true });
  if (!product) throw new AppError('not_found');
  return suggest(db, actor.workspaceId, await repo.alsoBought(db, actor.workspaceId, options.productId), options.limit);
}

/** Purchase metrics as filter/sort fields of the people and companies lists (joined by workspace and id). */
export function metricFields(kind: Kind): FieldCatalog {
  const table = sql.raw(kind === 'person' ? 'person_metrics' : 'company_metrics');
  const key = sql.raw(kind === 'person' ? 'person_id' : 'company_id');
  const m =
    (expr: string, fallback?: string) =>
    (a: string): RawBuilder<unknown> => {
      const sub = sql`(SELECT ${sql.raw(expr)} FROM ${table} m WHERE m.workspace_id = ${sql.ref(`${a}.workspace_id`)} AND m.${key} = ${sql.ref(`${a}.id`)})`;
      return fallback ? sql`coalesce(${sub}, ${sql.raw(fallback)})` : sub;
    };
  const f = (type: FieldSpec['type'], expr: string, fallback?: string): FieldSpec => ({
    type,
    expr: m(expr, fallback),
    sortable: true,
    notNull: fallback !== undefined,
  });
  return {
    purchaseCount: f('number', 'm.purchase_count', '0'),
    purchaseTotal: f('money', 'm.purchase_total', '0'),
    averageOrderValue: f('money', 'CASE WHEN m.purchase_count > 0 THEN round(m.purchase_total::numeric / m.purchase_count) END'),
    purchaseQuantity: f('number', 'm.purchase_quantity', '0'),
    firstPurchaseAt: f('datetime', 'm.first_purchase_at'),
    lastPurchaseAt: f('datetime', 'm.last_purchase_at'),
    daysSinceLastPurchase: f('number', 'floor(extract(epoch FROM now() - m.last_purchase_at) / 86400)'),
    repeatCustomer: f('boolean', 'm.purchase_count >= 2', 'false'),
    ltv: f('money', 'm.realised_value', '0'),
  };
}
