import { type RawBuilder, sql } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import type { Db } from '../../platform/db/database.js';
import type { FieldCatalog, FieldSpec } from '../../platform/filter/compile.js';
import { AppError } from '../../platform/http/errors.js';
import { describeRecords, getCompany, getPerson } from '../customers/index.js';
import { presentMetrics } from './commerce.presenter.js';
import * as repo from './metrics.repository.js';

type Kind = repo.CustomerKind;

/** The customer must be visible to the actor (same rule as opening the record), else 404. */
async function checkVisible(db: Db, actor: Actor, kind: Kind, id: string) {
  if (kind === 'person') await getPerson({ db, actor, personId: id });
  else await getCompany({ db, actor, companyId: id });
}

export async function getCustomerMetrics(options: { db: Db; actor: Actor; kind: Kind; id: string }) {
  await checkVisible(options.db, options.actor, options.kind, options.id);
  return presentMetrics(await repo.readMetrics(options.db, options.actor.workspaceId, options.kind, options.id));
}

/**
 * Metrics of many customers for list columns: only records the actor may see (others are left out, as are ids of
 * another workspace); a customer without orders gets zero figures. Keyed by id.
 */
export async function getMetricsOf(options: { db: Db; actor: Actor; kind: Kind; ids: string[] }) {
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

const presentSuggestion = (r: Record<string, any>) => ({
  productId: r.id as string,
  sku: r.sku as string,
  name: r.name as string,
  unitPrice: Number(r.unit_price),
  currency: String(r.currency).trim(),
  score: Number(r.score),
});

export async function getCrossSell(options: { db: Db; actor: Actor; kind: Kind; id: string; limit: number }) {
  await checkVisible(options.db, options.actor, options.kind, options.id);
  const rows = await repo.crossSell(options.db, options.actor.workspaceId, options.kind, options.id, options.limit);
  return { data: rows.map(presentSuggestion) };
}

export async function getAlsoBought(options: { db: Db; actor: Actor; productId: string; limit: number }) {
  const exists = await options.db
    .selectFrom('products')
    .select('id')
    .where('workspace_id', '=', options.actor.workspaceId)
    .where('id', '=', options.productId)
    .executeTakeFirst();
  if (!exists) throw new AppError('not_found');
  return { data: (await repo.alsoBought(options.db, options.actor.workspaceId, options.productId, options.limit)).map(presentSuggestion) };
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
