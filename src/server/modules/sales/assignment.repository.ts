import { type RawBuilder, sql } from 'kysely';
import type { AssignmentObjectType } from '../../../shared/contracts/assignment.js';
import type { DbOrTx } from '../../platform/db/database.js';

/** SQL of assignment rules, their history and the lead response watch. */

export type RuleRow = Record<string, any>;
const tableOf = (t: AssignmentObjectType) => (t === 'lead' ? 'leads' : 'deals');

export function listRules(db: DbOrTx, workspaceId: string, objectType?: AssignmentObjectType, opts: { activeOnly?: boolean } = {}) {
  let q = db.selectFrom('assignment_rules').selectAll().where('workspace_id', '=', workspaceId);
  if (objectType) q = q.where('object_type', '=', objectType);
  if (opts.activeOnly) q = q.where('active', '=', true);
  return q.orderBy('object_type').orderBy('position').orderBy('id').execute() as Promise<RuleRow[]>;
}

export function findRule(db: DbOrTx, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('assignment_rules').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst() as Promise<RuleRow | undefined>;
}

export async function nextPosition(db: DbOrTx, workspaceId: string, objectType: AssignmentObjectType) {
  const r = await db
    .selectFrom('assignment_rules')
    .select(sql<number>`coalesce(max(position) + 1, 0)::int`.as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('object_type', '=', objectType)
    .executeTakeFirstOrThrow();
  return r.n;
}

export function insertRule(db: DbOrTx, row: Record<string, unknown>) {
  return db.insertInto('assignment_rules').values(row).returningAll().executeTakeFirstOrThrow() as Promise<RuleRow>;
}

export function updateRule(db: DbOrTx, workspaceId: string, id: string, set: Record<string, unknown>, opts: { bump?: boolean } = {}) {
  return db
    .updateTable('assignment_rules')
    .set({ ...set, ...(opts.bump === false ? {} : { version: sql`version + 1`, updated_at: new Date() }) })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow() as Promise<RuleRow>;
}

export function deleteRule(db: DbOrTx, workspaceId: string, id: string) {
  return db.deleteFrom('assignment_rules').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Locks and returns every rule of the object type, in id order: whoever locks them this way cannot deadlock. */
export function lockRules(db: DbOrTx, workspaceId: string, objectType: AssignmentObjectType) {
  return db
    .selectFrom('assignment_rules')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('object_type', '=', objectType)
    .orderBy('id')
    .forUpdate()
    .execute() as Promise<RuleRow[]>;
}

/** Does the record satisfy the compiled condition? Evaluated in SQL by the shared filter compiler. */
export async function recordMatches(
  db: DbOrTx,
  objectType: AssignmentObjectType,
  workspaceId: string,
  id: string,
  cond: RawBuilder<boolean>,
) {
  const r = await db
    .selectFrom(`${tableOf(objectType)} as r`)
    .select('r.id')
    .where('r.workspace_id', '=', workspaceId)
    .where('r.id', '=', id)
    .where(cond)
    .executeTakeFirst();
  return !!r;
}

/** Open leads (new / working / qualified) + open deals owned by each user. */
export async function openLoads(db: DbOrTx, workspaceId: string, userIds: string[]): Promise<Map<string, number>> {
  const load = new Map<string, number>();
  if (!userIds.length) return load;
  const { rows } = await sql<{ owner_id: string; n: number }>`
    SELECT owner_id, count(*)::int AS n FROM (
      SELECT owner_id FROM leads WHERE workspace_id = ${workspaceId} AND owner_id = ANY(${userIds}::uuid[])
        AND deleted_at IS NULL AND status IN ('new', 'working', 'qualified')
      UNION ALL
      SELECT owner_id FROM deals WHERE workspace_id = ${workspaceId} AND owner_id = ANY(${userIds}::uuid[])
        AND deleted_at IS NULL AND status = 'open'
    ) o GROUP BY owner_id`.execute(db);
  for (const r of rows) load.set(r.owner_id, r.n);
  return load;
}

export async function recordPrefecture(db: DbOrTx, objectType: AssignmentObjectType, workspaceId: string, id: string) {
  const q =
    objectType === 'lead'
      ? sql<{ p: string | null }>`SELECT prefecture AS p FROM leads WHERE workspace_id = ${workspaceId} AND id = ${id}`
      : sql<{ p: string | null }>`SELECT c.prefecture AS p FROM deals d JOIN companies c ON c.workspace_id = d.workspace_id
          AND c.id = d.company_id WHERE d.workspace_id = ${workspaceId} AND d.id = ${id}`;
  return (await q.execute(db)).rows[0]?.p ?? null;
}

/** Sets the owner (and the rule's team when the record has none) without a version bump: part of the create. */
export function setOwner(
  db: DbOrTx,
  objectType: AssignmentObjectType,
  workspaceId: string,
  id: string,
  ownerId: string,
  teamId: string | null,
) {
  return db
    .updateTable(tableOf(objectType))
    .set({ owner_id: ownerId, ...(teamId ? { team_id: sql`coalesce(team_id, ${teamId}::uuid)` } : {}) })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow() as Promise<Record<string, any>>;
}

export function insertAssignment(db: DbOrTx, row: Record<string, unknown>) {
  return db.insertInto('record_assignments').values(row).returningAll().executeTakeFirstOrThrow() as Promise<Record<string, any>>;
}

export function listAssignments(db: DbOrTx, workspaceId: string, entityType: AssignmentObjectType, entityId: string) {
  return db
    .selectFrom('record_assignments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .orderBy('created_at')
    .orderBy('id')
    .execute() as Promise<Record<string, any>[]>;
}

// Settings (one row per workspace; defaults when absent)

export function findSettings(db: DbOrTx, workspaceId: string) {
  return db.selectFrom('assignment_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst() as Promise<
    Record<string, any> | undefined
  >;
}

export function upsertSettings(db: DbOrTx, workspaceId: string, set: Record<string, unknown>) {
  return db
    .insertInto('assignment_settings')
    .values({ workspace_id: workspaceId, ...set })
    .onConflict((oc) =>
      oc.column('workspace_id').doUpdateSet({ ...set, version: sql`assignment_settings.version + 1`, updated_at: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow() as Promise<Record<string, any>>;
}

// Response watch (escalation of unanswered leads)

export function insertWatch(db: DbOrTx, row: { workspace_id: string; lead_id: string; rule_id: string; assigned_at: Date }) {
  return db
    .insertInto('lead_response_watch')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'lead_id']).doNothing())
    .execute();
}

export function lockOpenWatch(db: DbOrTx, workspaceId: string, leadId: string) {
  return db
    .selectFrom('lead_response_watch')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('lead_id', '=', leadId)
    .where('contacted_at', 'is', null)
    .where('escalated_at', 'is', null)
    .forUpdate()
    .executeTakeFirst() as Promise<Record<string, any> | undefined>;
}

export function closeWatch(db: DbOrTx, workspaceId: string, leadIds: string[], set: { contacted_at?: Date; escalated_at?: Date }) {
  if (!leadIds.length) return Promise.resolve([]);
  return db
    .updateTable('lead_response_watch')
    .set(set)
    .where('workspace_id', '=', workspaceId)
    .where('lead_id', 'in', leadIds)
    .where('contacted_at', 'is', null)
    .where('escalated_at', 'is', null)
    .execute();
}

/** Waiting leads whose window (the workspace's current setting) has passed, across workspaces. */
export async function dueWatches(db: DbOrTx, now: Date, limit: number) {
  const { rows } = await sql<{ workspace_id: string; lead_id: string }>`
    SELECT w.workspace_id, w.lead_id FROM lead_response_watch w
      JOIN assignment_settings s ON s.workspace_id = w.workspace_id AND s.escalation_enabled
     WHERE w.contacted_at IS NULL AND w.escalated_at IS NULL
       AND w.assigned_at + make_interval(mins => s.escalation_minutes) <= ${now}
     ORDER BY w.assigned_at LIMIT ${limit}`.execute(db);
  return rows;
}
