import { sql } from 'kysely';
import type { ForecastInputRow } from '../../../shared/forecast-math.js';
import type { Actor } from '../../platform/actor.js';
import { workspaceSettings } from '../accounts/index.js';
import type { SalesDb } from './sales.db.js';
import { whereSalesVisible, whereTargetVisible } from './sales.policy.js';

export type GroupBy = 'owner' | 'team' | 'none';

/** The workspace's time zone (accounts' settings port): closed deals fall in the month of their close time there. */
export async function workspaceTimeZone(db: SalesDb, workspaceId: string): Promise<string> {
  return (await workspaceSettings(db, workspaceId)).timeZone;
}

// ---------- settings ----------

export function settingsRow(db: SalesDb, workspaceId: string) {
  return db
    .selectFrom('sales_settings')
    .select(['fiscal_start_month', 'close_reason_required', 'version'])
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
}

/** Creates the row at version 1 when missing, then locks it for the caller's transaction. */
export async function lockSettings(db: SalesDb, workspaceId: string) {
  await db
    .insertInto('sales_settings')
    .values({ workspace_id: workspaceId })
    .onConflict((oc) => oc.column('workspace_id').doNothing())
    .execute();
  return db
    .selectFrom('sales_settings')
    .select(['fiscal_start_month', 'close_reason_required', 'version'])
    .where('workspace_id', '=', workspaceId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export function updateSettings(
  db: SalesDb,
  workspaceId: string,
  set: { fiscal_start_month?: number; close_reason_required?: boolean },
  userId: string | null,
) {
  return db
    .updateTable('sales_settings')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date(), updated_by: userId })
    .where('workspace_id', '=', workspaceId)
    .execute();
}

// ---------- forecast ----------

/**
 * One statement: open deals by expected close month, forecast category and currency, plus won and lost deals
 * by close month (workspace time zone), grouped by owner, team or nothing. Each half is an index range over
 * deals_forecast_open / deals_forecast_closed; the caller's visibility applies to both.
 */
export async function forecastRows(
  db: SalesDb,
  actor: Actor,
  options: { start: string; end: string; timeZone: string; groupBy: GroupBy; pipelineId?: string },
): Promise<ForecastInputRow[]> {
  const { start, end, timeZone, groupBy, pipelineId } = options;
  const group =
    groupBy === 'owner' ? sql<string | null>`d.owner_id` : groupBy === 'team' ? sql<string | null>`d.team_id` : sql<null>`NULL::uuid`;
  const openMonth = sql<string>`to_char(d.expected_close_date, 'YYYY-MM')`;
  let open = db
    .selectFrom('deals as d')
    .innerJoin('pipeline_stages as s', (j) => j.onRef('s.workspace_id', '=', 'd.workspace_id').onRef('s.id', '=', 'd.stage_id'))
    .select([
      sql<ForecastInputRow['part']>`'open'`.as('part'),
      openMonth.as('month'),
      group.as('group_id'),
      'd.currency',
      sql<ForecastInputRow['category']>`d.forecast_category`.as('category'),
      sql<string>`count(*)`.as('n'),
      sql<string>`sum(d.amount)`.as('amount'),
      sql<string>`sum(d.amount::numeric * s.probability)`.as('weighted'),
      sql<string>`0::bigint`.as('cycle'),
    ])
    .where('d.workspace_id', '=', actor.workspaceId)
    .where('d.deleted_at', 'is', null)
    .where('d.status', '=', 'open')
    .where('d.expected_close_date', '>=', sql<string>`${start}::date`)
    .where('d.expected_close_date', '<', sql<string>`${end}::date`);
  const closedMonth = sql<string>`to_char(d.closed_at AT TIME ZONE ${timeZone}, 'YYYY-MM')`;
  let closed = db
    .selectFrom('deals as d')
    .select([
      sql<ForecastInputRow['part']>`d.status`.as('part'),
      closedMonth.as('month'),
      group.as('group_id'),
      'd.currency',
      sql<ForecastInputRow['category']>`NULL::text`.as('category'),
      sql<string>`count(*)`.as('n'),
      sql<string>`sum(d.amount)`.as('amount'),
      sql<string>`0::numeric`.as('weighted'),
      sql<string>`sum(greatest(0, extract(epoch FROM d.closed_at - d.created_at)))::bigint`.as('cycle'),
    ])
    .where('d.workspace_id', '=', actor.workspaceId)
    .where('d.deleted_at', 'is', null)
    .where('d.status', '<>', 'open')
    .where('d.closed_at', '>=', sql<Date>`(${start}::timestamp AT TIME ZONE ${timeZone})`)
    .where('d.closed_at', '<', sql<Date>`(${end}::timestamp AT TIME ZONE ${timeZone})`);
  if (pipelineId) {
    open = open.where('d.pipeline_id', '=', pipelineId);
    closed = closed.where('d.pipeline_id', '=', pipelineId);
  }
  // by output position: the time zone is a parameter, and PostgreSQL matches GROUP BY expressions parameter by parameter
  open = whereSalesVisible(open, actor, 'd').groupBy(sql`2, 3, 4, 5`);
  closed = whereSalesVisible(closed, actor, 'd').groupBy(sql`1, 2, 3, 4`);
  const rows = await open.unionAll(closed).execute();
  return rows.map((r) => ({
    part: r.part,
    month: r.month,
    groupId: r.group_id ?? null,
    currency: String(r.currency).trim(),
    category: r.category ?? null,
    count: String(r.n),
    amount: String(r.amount ?? '0'),
    // numeric arrives as a string; the products of integers are whole numbers
    weightedNumerator: String(r.weighted ?? '0').split('.')[0] as string,
    cycleSeconds: String(r.cycle ?? '0'),
  }));
}

// ---------- targets ----------

export interface TargetRow {
  id: string;
  month: string;
  owner_id: string | null;
  team_id: string | null;
  currency: string;
  amount: string;
  version: number;
  updated_at: Date;
}

/** Targets of the range (months start..end) the actor may read (sales.policy.ts), in a stable order. */
export function targetRows(
  db: SalesDb,
  actor: Actor,
  options: { start: string; end: string; scope?: 'owner' | 'team' | 'workspace' },
): Promise<TargetRow[]> {
  const workspaceId = actor.workspaceId;
  let q = db
    .selectFrom('sales_targets')
    .select([
      'id',
      sql<string>`to_char(month, 'YYYY-MM')`.as('month'),
      'owner_id',
      'team_id',
      'currency',
      'amount',
      'version',
      'updated_at',
    ])
    .where('workspace_id', '=', workspaceId)
    .where('month', '>=', sql<string>`${options.start}::date`)
    .where('month', '<', sql<string>`${options.end}::date`);
  q = whereTargetVisible(q, actor, 'sales_targets');
  if (options.scope === 'owner') q = q.where('owner_id', 'is not', null);
  if (options.scope === 'team') q = q.where('team_id', 'is not', null);
  if (options.scope === 'workspace') q = q.where('owner_id', 'is', null).where('team_id', 'is', null);
  return q.orderBy('month').orderBy('owner_id').orderBy('team_id').orderBy('currency').execute();
}

const NONE = '00000000-0000-0000-0000-000000000000';

/** Sets one target (insert or update of the (month, subject, currency) key); returns the row. */
export async function upsertTarget(
  db: SalesDb,
  row: {
    workspace_id: string;
    id: string;
    month: string;
    owner_id: string | null;
    team_id: string | null;
    currency: string;
    amount: number;
  },
  userId: string | null,
) {
  const { rows } = await sql<TargetRow>`
    INSERT INTO sales_targets (workspace_id, id, month, owner_id, team_id, currency, amount, created_by, updated_by)
    VALUES (${row.workspace_id}, ${row.id}, ${`${row.month}-01`}::date, ${row.owner_id}, ${row.team_id}, ${row.currency},
            ${row.amount}, ${userId}, ${userId})
    ON CONFLICT (workspace_id, month, coalesce(owner_id, ${NONE}::uuid), coalesce(team_id, ${NONE}::uuid), currency)
    DO UPDATE SET amount = EXCLUDED.amount, version = sales_targets.version + 1, updated_at = now(), updated_by = EXCLUDED.updated_by
    RETURNING id, to_char(month, 'YYYY-MM') AS month, owner_id, team_id, currency, amount, version, updated_at`.execute(db);
  return rows[0] as TargetRow;
}

/** Removes the target of a (month, subject, currency) key; returns the removed row's id, if any. */
export async function deleteTargetByKey(
  db: SalesDb,
  workspaceId: string,
  key: { month: string; owner_id: string | null; team_id: string | null; currency: string },
) {
  const { rows } = await sql<{ id: string }>`
    DELETE FROM sales_targets WHERE workspace_id = ${workspaceId} AND month = ${`${key.month}-01`}::date
      AND coalesce(owner_id, ${NONE}::uuid) = coalesce(${key.owner_id}::uuid, ${NONE}::uuid)
      AND coalesce(team_id, ${NONE}::uuid) = coalesce(${key.team_id}::uuid, ${NONE}::uuid)
      AND currency = ${key.currency}
    RETURNING id`.execute(db);
  return rows[0]?.id ?? null;
}

export async function deleteTargetById(db: SalesDb, workspaceId: string, id: string) {
  const res = await db.deleteFrom('sales_targets').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
