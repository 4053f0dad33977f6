import { type Insertable, type Selectable, type SelectQueryBuilder, sql, type Updateable } from 'kysely';
import type { ForecastCategory, StageKind } from '../../../shared/contracts/sales.js';
import type { Filter, Sort } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import type { DealLineItems, Deals } from '../../platform/db/schema.js';
import { compileFilter, compileSort, decodeCursor, encodeCursor } from '../../platform/filter/compile.js';
import { AppError } from '../../platform/http/errors.js';
import { dealCatalog } from './sales.catalogs.js';
import type { SalesDb } from './sales.db.js';
import { whereSalesVisible } from './sales.policy.js';

/** A deal row with its status and forecast category narrowed to the contract's values (the table's CHECKs). */
export type DealRecord = Omit<Selectable<Deals>, 'status' | 'forecast_category'> & DealNarrowed;
type DealNarrowed = { status: StageKind; forecast_category: ForecastCategory };
/** A deal with its stage (name, probability, kind) and whether it has line items: what a deal page shows. */
export type DealRow = DealRecord & {
  stage_name: string;
  probability: number;
  stage_kind: StageKind;
  has_line_items: boolean;
  /** the pipeline's rotting threshold (null: never marked) */
  rotting_days: number | null;
};
type LineNarrowed = { discount_type: 'amount' | 'percent' | null };
/** A line item with its product's SKU; the discount type narrowed to the table's CHECK. */
export type LineItemRow = Omit<Selectable<DealLineItems>, 'discount_type'> & LineNarrowed & { sku: string | null };

/** Deals with their stage. The linked person's and company's names come from customers after the query (deals.customers.ts). */
function dealsWithStage(db: SalesDb, workspaceId: string) {
  return (
    db
      .selectFrom('deals as d')
      .innerJoin('pipeline_stages as s', (j) => j.onRef('s.workspace_id', '=', 'd.workspace_id').onRef('s.id', '=', 'd.stage_id'))
      // the pipeline's rotting threshold: one primary-key probe per page of deals (few pipelines, cached pages)
      .innerJoin('pipelines as p', (j) => j.onRef('p.workspace_id', '=', 'd.workspace_id').onRef('p.id', '=', 'd.pipeline_id'))
      .selectAll('d')
      .select([
        'p.rotting_days',
        's.name as stage_name',
        's.probability',
        's.kind as stage_kind',
        sql<boolean>`EXISTS (SELECT 1 FROM deal_line_items li WHERE li.workspace_id = d.workspace_id AND li.deal_id = d.id)`.as(
          'has_line_items',
        ),
      ])
      .$narrowType<DealNarrowed & { stage_kind: StageKind }>()
      .where('d.workspace_id', '=', workspaceId)
  );
}

export function findDealRow(
  db: SalesDb,
  workspaceId: string,
  id: string,
  opts: { includeDeleted?: boolean } = {},
): Promise<DealRow | undefined> {
  let q = dealsWithStage(db, workspaceId).where('d.id', '=', id);
  if (!opts.includeDeleted) q = q.where('d.deleted_at', 'is', null);
  return q.executeTakeFirst();
}

export async function dealRowsByIds(db: SalesDb, workspaceId: string, ids: string[]): Promise<DealRow[]> {
  if (!ids.length) return [];
  return dealsWithStage(db, workspaceId).where('d.id', 'in', ids).execute();
}

/** Locks the deal row for the rest of the transaction (concurrent moves of one deal run one after the other). */
export async function lockDeal(db: SalesDb, workspaceId: string, id: string) {
  return db
    .selectFrom('deals')
    .select(['id', 'version'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function insertDeal(db: SalesDb, row: Insertable<Deals>) {
  return db.insertInto('deals').values(row).execute();
}

export function updateDeal(db: SalesDb, workspaceId: string, id: string, set: Updateable<Deals>) {
  return db
    .updateTable('deals')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export interface TotalsDelta {
  pipelineId: string;
  stageId: string;
  currency: string;
  count: number;
  amount: number;
}

/**
 * Adjusts the maintained per-stage totals in the caller's transaction. Rows are touched in key order so
 * two transactions moving deals between the same stages in opposite directions cannot deadlock.
 */
export async function applyTotals(db: SalesDb, workspaceId: string, deltas: TotalsDelta[]) {
  const merged = new Map<string, TotalsDelta>();
  for (const d of deltas) {
    const key = `${d.pipelineId}|${d.stageId}|${d.currency}`;
    const m = merged.get(key);
    if (m) {
      m.count += d.count;
      m.amount += d.amount;
    } else merged.set(key, { ...d });
  }
  for (const key of [...merged.keys()].sort()) {
    const d = merged.get(key) as TotalsDelta;
    if (d.count === 0 && d.amount === 0) continue;
    await db
      .insertInto('deal_stage_totals')
      .values({
        workspace_id: workspaceId,
        pipeline_id: d.pipelineId,
        stage_id: d.stageId,
        currency: d.currency,
        deal_count: d.count,
        amount: d.amount,
      })
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'pipeline_id', 'stage_id', 'currency']).doUpdateSet((eb) => ({
          deal_count: eb('deal_stage_totals.deal_count', '+', eb.ref('excluded.deal_count')),
          amount: eb('deal_stage_totals.amount', '+', eb.ref('excluded.amount')),
        })),
      )
      .execute();
  }
}

// ---------- line items ----------

export function lineItemRows(db: SalesDb, workspaceId: string, dealId: string): Promise<LineItemRow[]> {
  return db
    .selectFrom('deal_line_items as li')
    .leftJoin('products as pr', (j) => j.onRef('pr.workspace_id', '=', 'li.workspace_id').onRef('pr.id', '=', 'li.product_id'))
    .selectAll('li')
    .select('pr.sku')
    .$narrowType<LineNarrowed>()
    .where('li.workspace_id', '=', workspaceId)
    .where('li.deal_id', '=', dealId)
    .orderBy('li.position')
    .execute();
}

export async function replaceLineItems(db: SalesDb, workspaceId: string, dealId: string, rows: Insertable<DealLineItems>[]) {
  await db.deleteFrom('deal_line_items').where('workspace_id', '=', workspaceId).where('deal_id', '=', dealId).execute();
  if (rows.length) await db.insertInto('deal_line_items').values(rows).execute();
}

// ---------- stage history ----------

export async function enterStage(
  db: SalesDb,
  row: {
    workspace_id: string;
    id: string;
    deal_id: string;
    pipeline_id: string;
    stage_id: string;
    entered_at: Date;
    entered_by: string | null;
  },
) {
  await db
    .updateTable('deal_stage_history')
    .set({ left_at: row.entered_at })
    .where('workspace_id', '=', row.workspace_id)
    .where('deal_id', '=', row.deal_id)
    .where('left_at', 'is', null)
    .execute();
  await db.insertInto('deal_stage_history').values(row).execute();
}

export function stageHistoryRows(db: SalesDb, workspaceId: string, dealId: string) {
  return db
    .selectFrom('deal_stage_history as h')
    .innerJoin('pipeline_stages as s', (j) => j.onRef('s.workspace_id', '=', 'h.workspace_id').onRef('s.id', '=', 'h.stage_id'))
    .select(['h.id', 'h.stage_id', 's.name as stage_name', 'h.entered_at', 'h.left_at'])
    .select(sql<number>`extract(epoch FROM coalesce(h.left_at, now()) - h.entered_at)::float8`.as('duration_seconds'))
    .where('h.workspace_id', '=', workspaceId)
    .where('h.deal_id', '=', dealId)
    .orderBy('h.entered_at')
    .orderBy('h.id')
    .execute();
}

// ---------- lists and the board ----------

export interface DealScope {
  filter?: Filter;
  ownerId?: string;
  teamId?: string;
  /** YYYY-MM: expected close date in that month */
  closeMonth?: string;
  trash?: boolean;
}

/** The scope's conditions over deals aliased `d` (also inside the board's lateral join, hence the untyped refs). */
function scoped<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  actor: Actor,
  scope: DealScope,
): SelectQueryBuilder<DB, TB, O> {
  let q = qb
    .where(scope.trash ? sql<boolean>`d.deleted_at IS NOT NULL` : sql<boolean>`d.deleted_at IS NULL`)
    .where(compileFilter(scope.filter, dealCatalog, 'd'));
  if (scope.ownerId) q = q.where(sql<boolean>`d.owner_id = ${scope.ownerId}`);
  if (scope.teamId) q = q.where(sql<boolean>`d.team_id = ${scope.teamId}`);
  if (scope.closeMonth) {
    const start = `${scope.closeMonth}-01`;
    q = q.where(sql<boolean>`d.expected_close_date >= ${start}::date AND d.expected_close_date < (${start}::date + interval '1 month')`);
  }
  return whereSalesVisible(q, actor, 'd');
}

export function isUnscoped(actor: Actor, scope: DealScope) {
  return actor.visibility === 'all' && !scope.filter && !scope.ownerId && !scope.teamId && !scope.closeMonth && !scope.trash;
}

const BOARD_CURSOR = (r: { stage_entered_at: Date | string; id: string }) =>
  encodeCursor([new Date(r.stage_entered_at).toISOString(), r.id]);

/** The first `limit` deals of every stage of a pipeline in one statement (one index range per stage). */
export async function boardFirstPages(db: SalesDb, actor: Actor, pipelineId: string, scope: DealScope, limit: number) {
  const rows = await db
    .selectFrom('pipeline_stages as s')
    .innerJoinLateral(
      (eb) =>
        scoped(
          eb
            .selectFrom('deals as d')
            .select(['d.id', 'd.stage_entered_at'])
            .where('d.workspace_id', '=', actor.workspaceId)
            .where('d.pipeline_id', '=', pipelineId)
            .whereRef('d.stage_id', '=', 's.id'),
          actor,
          scope,
        )
          .orderBy('d.stage_entered_at', 'desc')
          .orderBy('d.id', 'desc')
          .limit(limit + 1)
          .as('x'),
      (join) => join.onTrue(),
    )
    .select(['s.id as stage_id', 'x.id', 'x.stage_entered_at'])
    .where('s.workspace_id', '=', actor.workspaceId)
    .where('s.pipeline_id', '=', pipelineId)
    .where('s.deleted_at', 'is', null)
    .execute();
  return pageByStage(db, actor.workspaceId, rows, limit);
}

async function pageByStage(
  db: SalesDb,
  workspaceId: string,
  rows: { stage_id: string; id: string; stage_entered_at: Date }[],
  limit: number,
) {
  const byStage = new Map<string, { ids: string[]; nextCursor: string | null }>();
  for (const r of rows) {
    const entry = byStage.get(r.stage_id) ?? { ids: [], nextCursor: null };
    if (entry.ids.length < limit) entry.ids.push(r.id);
    else if (!entry.nextCursor) {
      const lastId = entry.ids.at(-1) as string;
      const last = rows.find((x) => x.id === lastId) as { stage_entered_at: Date; id: string };
      entry.nextCursor = BOARD_CURSOR(last);
    }
    byStage.set(r.stage_id, entry);
  }
  const full = await dealRowsByIds(
    db,
    workspaceId,
    rows.map((r) => r.id),
  );
  const byId = new Map(full.map((r) => [r.id, r]));
  const found = (ids: string[]) => ids.flatMap((id) => byId.get(id) ?? []);
  return new Map([...byStage].map(([stageId, e]) => [stageId, { rows: found(e.ids), nextCursor: e.nextCursor }]));
}

/** Next page of one stage, after the cursor of the previous page. */
export async function stagePage(
  db: SalesDb,
  actor: Actor,
  pipelineId: string,
  stageId: string,
  scope: DealScope,
  limit: number,
  cursor?: string,
) {
  let q = scoped(
    db
      .selectFrom('deals as d')
      .select(['d.id', 'd.stage_entered_at'])
      .where('d.workspace_id', '=', actor.workspaceId)
      .where('d.pipeline_id', '=', pipelineId)
      .where('d.stage_id', '=', stageId),
    actor,
    scope,
  );
  if (cursor) {
    const c = decodeCursor(cursor);
    if (
      c.length !== 2 ||
      typeof c[0] !== 'string' ||
      typeof c[1] !== 'string' ||
      Number.isNaN(Date.parse(c[0])) ||
      !/^[0-9a-f-]{36}$/i.test(c[1])
    ) {
      throw new AppError('validation_failed', { issues: [{ path: 'cursor', code: 'invalid' }] });
    }
    q = q.where(sql<boolean>`(d.stage_entered_at, d.id) < (${c[0]}::timestamptz, ${c[1]}::uuid)`);
  }
  const rows = await q
    .orderBy('d.stage_entered_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(limit + 1)
    .execute();
  const pages = await pageByStage(
    db,
    actor.workspaceId,
    rows.map((r) => ({ ...r, stage_id: stageId })),
    limit,
  );
  return pages.get(stageId) ?? { rows: [], nextCursor: null };
}

/** Per-stage count and amount: the maintained totals when unfiltered, else one grouped index-only scan. */
export async function stageTotals(db: SalesDb, actor: Actor, pipelineId: string, scope: DealScope) {
  if (isUnscoped(actor, scope)) {
    const rows = await db
      .selectFrom('deal_stage_totals')
      .select(['stage_id', 'currency', 'deal_count as count', 'amount'])
      .where('workspace_id', '=', actor.workspaceId)
      .where('pipeline_id', '=', pipelineId)
      .where(sql<boolean>`deal_count > 0`)
      .execute();
    return rows.map((r) => ({
      stageId: r.stage_id,
      currency: r.currency,
      count: Number(r.count),
      amount: Number(r.amount),
    }));
  }
  const rows = await scoped(
    db
      .selectFrom('deals as d')
      .select(['d.stage_id', 'd.currency', sql<string>`count(*)`.as('count'), sql<string>`coalesce(sum(d.amount), 0)`.as('amount')])
      .where('d.workspace_id', '=', actor.workspaceId)
      .where('d.pipeline_id', '=', pipelineId),
    actor,
    scope,
  )
    .groupBy(['d.stage_id', 'd.currency'])
    .execute();
  return rows.map((r) => ({
    stageId: r.stage_id,
    currency: r.currency,
    count: Number(r.count),
    amount: Number(r.amount),
  }));
}

/** The table view: any sort of the catalog, keyset pages. */
export async function listDealRows(
  db: SalesDb,
  actor: Actor,
  scope: DealScope & { pipelineId?: string; sort: Sort; cursor?: string; limit: number },
) {
  const sort = compileSort(scope.sort.length ? scope.sort : [{ field: 'updatedAt', dir: 'desc' }], dealCatalog, 'd');
  let q = scoped(dealsWithStage(db, actor.workspaceId), actor, scope).select(sort.keys.map((k, i) => k.as(`_k${i}`)));
  if (scope.pipelineId) q = q.where('d.pipeline_id', '=', scope.pipelineId);
  if (scope.cursor) q = q.where(sort.after(decodeCursor(scope.cursor)));
  const rows = await q
    .orderBy(sort.orderBy)
    .limit(scope.limit + 1)
    .execute();
  const page: DealRow[] = rows.slice(0, scope.limit);
  const last: Record<string, unknown> | undefined = rows.slice(0, scope.limit).at(-1);
  const nextCursor = rows.length > scope.limit && last ? encodeCursor(sort.keys.map((_, i) => last[`_k${i}`])) : null;
  return { rows: page, nextCursor };
}
