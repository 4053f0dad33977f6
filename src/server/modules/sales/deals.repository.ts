import { type SelectQueryBuilder, sql } from 'kysely';
import type { Filter, Sort } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { compileFilter, compileSort, decodeCursor, encodeCursor } from '../../platform/filter/compile.js';
import { AppError } from '../../platform/http/errors.js';
import { whereVisible } from '../../platform/policy.js';
import { dealCatalog } from './sales.catalogs.js';

/**
 * Deals with their stage (name, probability) and the display names of the linked person and company.
 * The joins to people/companies only read names for display; customers owns and writes those tables.
 */
function dealsWithNames(db: DbOrTx, workspaceId: string) {
  return db
    .selectFrom('deals as d')
    .innerJoin('pipeline_stages as s', (j) => j.onRef('s.workspace_id', '=', 'd.workspace_id').onRef('s.id', '=', 'd.stage_id'))
    .leftJoin('people as p', (j) => j.onRef('p.workspace_id', '=', 'd.workspace_id').onRef('p.id', '=', 'd.person_id'))
    .leftJoin('companies as c', (j) => j.onRef('c.workspace_id', '=', 'd.workspace_id').onRef('c.id', '=', 'd.company_id'))
    .selectAll('d')
    .select([
      's.name as stage_name',
      's.probability',
      's.kind as stage_kind',
      'p.family_name as person_family_name',
      'p.given_name as person_given_name',
      'c.name as company_name',
      sql<boolean>`EXISTS (SELECT 1 FROM deal_line_items li WHERE li.workspace_id = d.workspace_id AND li.deal_id = d.id)`.as(
        'has_line_items',
      ),
    ])
    .where('d.workspace_id', '=', workspaceId);
}

export function findDealRow(db: DbOrTx, workspaceId: string, id: string, opts: { includeDeleted?: boolean } = {}) {
  let q = dealsWithNames(db, workspaceId).where('d.id', '=', id);
  if (!opts.includeDeleted) q = q.where('d.deleted_at', 'is', null);
  return q.executeTakeFirst() as Promise<Record<string, any> | undefined>;
}

export function dealRowsByIds(db: DbOrTx, workspaceId: string, ids: string[]) {
  if (!ids.length) return Promise.resolve([] as Record<string, any>[]);
  return dealsWithNames(db, workspaceId).where('d.id', 'in', ids).execute() as Promise<Record<string, any>[]>;
}

/** Locks the deal row for the rest of the transaction (concurrent moves of one deal run one after the other). */
export async function lockDeal(db: DbOrTx, workspaceId: string, id: string) {
  return db
    .selectFrom('deals')
    .select(['id', 'version'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function insertDeal(db: DbOrTx, row: Record<string, unknown>) {
  return db.insertInto('deals').values(row).execute();
}

export function updateDeal(db: DbOrTx, workspaceId: string, id: string, set: Record<string, unknown>) {
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
export async function applyTotals(db: DbOrTx, workspaceId: string, deltas: TotalsDelta[]) {
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
    await sql`INSERT INTO deal_stage_totals (workspace_id, pipeline_id, stage_id, currency, deal_count, amount)
      VALUES (${workspaceId}, ${d.pipelineId}, ${d.stageId}, ${d.currency}, ${d.count}, ${d.amount})
      ON CONFLICT (workspace_id, pipeline_id, stage_id, currency) DO UPDATE
      SET deal_count = deal_stage_totals.deal_count + EXCLUDED.deal_count, amount = deal_stage_totals.amount + EXCLUDED.amount`.execute(db);
  }
}

// ---------- line items ----------

export function lineItemRows(db: DbOrTx, workspaceId: string, dealId: string) {
  return db
    .selectFrom('deal_line_items as li')
    .leftJoin('products as pr', (j) => j.onRef('pr.workspace_id', '=', 'li.workspace_id').onRef('pr.id', '=', 'li.product_id'))
    .selectAll('li')
    .select('pr.sku')
    .where('li.workspace_id', '=', workspaceId)
    .where('li.deal_id', '=', dealId)
    .orderBy('li.position')
    .execute() as Promise<Record<string, any>[]>;
}

export async function replaceLineItems(db: DbOrTx, workspaceId: string, dealId: string, rows: Record<string, unknown>[]) {
  await db.deleteFrom('deal_line_items').where('workspace_id', '=', workspaceId).where('deal_id', '=', dealId).execute();
  if (rows.length) await db.insertInto('deal_line_items').values(rows).execute();
}

// ---------- stage history ----------

export async function enterStage(
  db: DbOrTx,
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

export function stageHistoryRows(db: DbOrTx, workspaceId: string, dealId: string) {
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

function scoped<O>(qb: SelectQueryBuilder<any, any, O>, actor: Actor, scope: DealScope): SelectQueryBuilder<any, any, O> {
  let q = qb.where('d.deleted_at', scope.trash ? 'is not' : 'is', null).where(compileFilter(scope.filter, dealCatalog, 'd'));
  if (scope.ownerId) q = q.where('d.owner_id', '=', scope.ownerId);
  if (scope.teamId) q = q.where('d.team_id', '=', scope.teamId);
  if (scope.closeMonth) {
    const start = `${scope.closeMonth}-01`;
    q = q.where(sql<boolean>`d.expected_close_date >= ${start}::date AND d.expected_close_date < (${start}::date + interval '1 month')`);
  }
  return whereVisible(q, actor, 'd');
}

export function isUnscoped(actor: Actor, scope: DealScope) {
  return actor.visibility === 'all' && !scope.filter && !scope.ownerId && !scope.teamId && !scope.closeMonth && !scope.trash;
}

const BOARD_CURSOR = (r: { stage_entered_at: Date | string; id: string }) =>
  encodeCursor([new Date(r.stage_entered_at).toISOString(), r.id]);

/** The first `limit` deals of every stage of a pipeline in one statement (one index range per stage). */
export async function boardFirstPages(db: DbOrTx, actor: Actor, pipelineId: string, scope: DealScope, limit: number) {
  const rows = (await db
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
    .execute()) as { stage_id: string; id: string; stage_entered_at: Date }[];
  return pageByStage(db, actor.workspaceId, rows, limit);
}

async function pageByStage(
  db: DbOrTx,
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
  const byId = new Map(full.map((r) => [r.id as string, r]));
  return new Map(
    [...byStage].map(([stageId, e]) => [
      stageId,
      { rows: e.ids.map((id) => byId.get(id)).filter(Boolean) as Record<string, any>[], nextCursor: e.nextCursor },
    ]),
  );
}

/** Next page of one stage, after the cursor of the previous page. */
export async function stagePage(
  db: DbOrTx,
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
  const rows = (await q
    .orderBy('d.stage_entered_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(limit + 1)
    .execute()) as { id: string; stage_entered_at: Date }[];
  const pages = await pageByStage(
    db,
    actor.workspaceId,
    rows.map((r) => ({ ...r, stage_id: stageId })),
    limit,
  );
  return pages.get(stageId) ?? { rows: [], nextCursor: null };
}

/** Per-stage count and amount: the maintained totals when unfiltered, else one grouped index-only scan. */
export async function stageTotals(db: DbOrTx, actor: Actor, pipelineId: string, scope: DealScope) {
  if (isUnscoped(actor, scope)) {
    const rows = await db
      .selectFrom('deal_stage_totals')
      .select(['stage_id', 'currency', 'deal_count as count', 'amount'])
      .where('workspace_id', '=', actor.workspaceId)
      .where('pipeline_id', '=', pipelineId)
      .where('deal_count', '>', 0)
      .execute();
    return rows.map((r) => ({
      stageId: r.stage_id as string,
      currency: String(r.currency),
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
  return rows.map((r: any) => ({
    stageId: r.stage_id as string,
    currency: String(r.currency),
    count: Number(r.count),
    amount: Number(r.amount),
  }));
}

/** The table view: any sort of the catalog, keyset pages. */
export async function listDealRows(
  db: DbOrTx,
  actor: Actor,
  scope: DealScope & { pipelineId?: string; sort: Sort; cursor?: string; limit: number },
) {
  const sort = compileSort(scope.sort.length ? scope.sort : [{ field: 'updatedAt', dir: 'desc' }], dealCatalog, 'd');
  let q = scoped(dealsWithNames(db, actor.workspaceId), actor, scope).select(sort.keys.map((k, i) => k.as(`_k${i}`)));
  if (scope.pipelineId) q = q.where('d.pipeline_id', '=', scope.pipelineId);
  if (scope.cursor) q = q.where(sort.after(decodeCursor(scope.cursor)));
  const rows = (await q
    .orderBy(sort.orderBy)
    .limit(scope.limit + 1)
    .execute()) as Record<string, any>[];
  const page = rows.slice(0, scope.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > scope.limit && last ? encodeCursor(sort.keys.map((_, i) => last[`_k${i}`])) : null;
  return { rows: page, nextCursor };
}
