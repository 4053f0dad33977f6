import { type Insertable, type RawBuilder, type Selectable, sql, type Updateable } from 'kysely';
import type { AssignmentMethod, AssignmentObjectType, AssignmentRule } from '../../../shared/contracts/assignment.js';
import type { AssignmentRules, AssignmentSettings, RecordAssignments } from '../../platform/db/schema.js';
import { companyAttribute } from '../customers/index.js';
import type { DealRecord } from './deals.repository.js';
import type { LeadRow } from './leads.repository.js';
import type { SalesDb } from './sales.db.js';

/** SQL of assignment rules, their history and the lead response watch. */

type RuleNarrowed = {
  object_type: AssignmentObjectType;
  method: AssignmentMethod;
  territories: AssignmentRule['territories'];
  escalation_target: AssignmentRule['escalationTarget'];
};
/** A rule row with its enums and territories narrowed to the contract (the table's CHECKs; territories are written from it). */
export type RuleRow = Omit<Selectable<AssignmentRules>, keyof RuleNarrowed> & RuleNarrowed;
export type AssignmentRow = Omit<Selectable<RecordAssignments>, 'method' | 'reason'> & {
  method: AssignmentMethod;
  reason: 'rule' | 'escalation';
};
export type SettingsRow = Selectable<AssignmentSettings>;
/** The record a rule assigned: a lead, or a deal (without its stage). */
export type AssignedRow = LeadRow | DealRecord;
export const isLeadRow = (row: AssignedRow): row is LeadRow => 'family_name' in row;

export function listRules(db: SalesDb, workspaceId: string, objectType?: AssignmentObjectType, opts: { activeOnly?: boolean } = {}) {
  let q = db.selectFrom('assignment_rules').selectAll().where('workspace_id', '=', workspaceId);
  if (objectType) q = q.where('object_type', '=', objectType);
  if (opts.activeOnly) q = q.where('active', '=', true);
  return q.orderBy('object_type').orderBy('position').orderBy('id').$narrowType<RuleNarrowed>().execute();
}

export function findRule(db: SalesDb, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('assignment_rules').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.$narrowType<RuleNarrowed>().executeTakeFirst();
}

export async function nextPosition(db: SalesDb, workspaceId: string, objectType: AssignmentObjectType) {
  const r = await db
    .selectFrom('assignment_rules')
    .select(sql<number>`coalesce(max(position) + 1, 0)::int`.as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('object_type', '=', objectType)
    .executeTakeFirstOrThrow();
  return r.n;
}

export function insertRule(db: SalesDb, row: Insertable<AssignmentRules>): Promise<RuleRow> {
  return db.insertInto('assignment_rules').values(row).returningAll().$narrowType<RuleNarrowed>().executeTakeFirstOrThrow();
}

export function updateRule(
  db: SalesDb,
  workspaceId: string,
  id: string,
  set: Updateable<AssignmentRules>,
  opts: { bump?: boolean } = {},
): Promise<RuleRow> {
  return db
    .updateTable('assignment_rules')
    .set({ ...set, ...(opts.bump === false ? {} : { version: sql`version + 1`, updated_at: new Date() }) })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .$narrowType<RuleNarrowed>()
    .executeTakeFirstOrThrow();
}

export function deleteRule(db: SalesDb, workspaceId: string, id: string) {
  return db.deleteFrom('assignment_rules').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Locks and returns every rule of the object type, in id order: whoever locks them this way cannot deadlock. */
export function lockRules(db: SalesDb, workspaceId: string, objectType: AssignmentObjectType) {
  return db
    .selectFrom('assignment_rules')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('object_type', '=', objectType)
    .orderBy('id')
    .forUpdate()
    .$narrowType<RuleNarrowed>()
    .execute();
}

/** Does the record satisfy the compiled condition? Evaluated in SQL by the shared filter compiler. */
export async function recordMatches(
  db: SalesDb,
  objectType: AssignmentObjectType,
  workspaceId: string,
  id: string,
  cond: RawBuilder<boolean>,
) {
  const r =
    objectType === 'lead'
      ? await db
          .selectFrom('leads as r')
          .select('r.id')
          .where('r.workspace_id', '=', workspaceId)
          .where('r.id', '=', id)
          .where(cond)
          .executeTakeFirst()
      : await db
          .selectFrom('deals as r')
          .select('r.id')
          .where('r.workspace_id', '=', workspaceId)
          .where('r.id', '=', id)
          .where(cond)
          .executeTakeFirst();
  return !!r;
}

/** Open leads (new / working / qualified) + open deals owned by each user. */
export async function openLoads(db: SalesDb, workspaceId: string, userIds: string[]): Promise<Map<string, number>> {
  const load = new Map<string, number>();
  if (!userIds.length) return load;
  const leads = db
    .selectFrom('leads')
    .select('owner_id')
    .where('workspace_id', '=', workspaceId)
    .where('owner_id', 'in', userIds)
    .where('deleted_at', 'is', null)
    .where('status', 'in', ['new', 'working', 'qualified']);
  const deals = db
    .selectFrom('deals')
    .select('owner_id')
    .where('workspace_id', '=', workspaceId)
    .where('owner_id', 'in', userIds)
    .where('deleted_at', 'is', null)
    .where('status', '=', 'open');
  const rows = await db
    .selectFrom(leads.unionAll(deals).as('o'))
    .select(['o.owner_id', sql<number>`count(*)::int`.as('n')])
    .groupBy('o.owner_id')
    .execute();
  for (const r of rows) if (r.owner_id) load.set(r.owner_id, r.n);
  return load;
}

/** The prefecture a territory rule routes on: the lead's own, or the deal's company's (customers' attribute port). */
export async function recordPrefecture(db: SalesDb, objectType: AssignmentObjectType, workspaceId: string, id: string) {
  const r =
    objectType === 'lead'
      ? await db
          .selectFrom('leads')
          .select('prefecture as p')
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .executeTakeFirst()
      : await db
          .selectFrom('deals as d')
          .select(companyAttribute('prefecture', sql.ref('d.workspace_id'), sql.ref('d.company_id')).as('p'))
          .where('d.workspace_id', '=', workspaceId)
          .where('d.id', '=', id)
          .executeTakeFirst();
  return r?.p ?? null;
}

/** Sets the owner (and the rule's team when the record has none) without a version bump: part of the create. */
export async function setOwner(
  db: SalesDb,
  objectType: AssignmentObjectType,
  workspaceId: string,
  id: string,
  ownerId: string,
  teamId: string | null,
): Promise<AssignedRow> {
  const set = { owner_id: ownerId, ...(teamId ? { team_id: sql<string>`coalesce(team_id, ${teamId}::uuid)` } : {}) };
  if (objectType === 'lead')
    return db
      .updateTable('leads')
      .set(set)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .$narrowType<Pick<LeadRow, 'status'>>()
      .executeTakeFirstOrThrow();
  return db
    .updateTable('deals')
    .set(set)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .$narrowType<Pick<DealRecord, 'status' | 'forecast_category'>>()
    .executeTakeFirstOrThrow();
}

export function insertAssignment(db: SalesDb, row: Insertable<RecordAssignments>) {
  return db.insertInto('record_assignments').values(row).execute();
}

export function listAssignments(db: SalesDb, workspaceId: string, entityType: AssignmentObjectType, entityId: string) {
  return db
    .selectFrom('record_assignments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .orderBy('created_at')
    .orderBy('id')
    .$narrowType<Pick<AssignmentRow, 'method' | 'reason'>>()
    .execute();
}

// Settings (one row per workspace; defaults when absent)

export function findSettings(db: SalesDb, workspaceId: string) {
  return db.selectFrom('assignment_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
}

export function upsertSettings(db: SalesDb, workspaceId: string, set: Omit<Insertable<AssignmentSettings>, 'workspace_id'>) {
  return db
    .insertInto('assignment_settings')
    .values({ workspace_id: workspaceId, ...set })
    .onConflict((oc) =>
      oc.column('workspace_id').doUpdateSet({ ...set, version: sql`assignment_settings.version + 1`, updated_at: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

// Response watch (escalation of unanswered leads)

export function insertWatch(db: SalesDb, row: { workspace_id: string; lead_id: string; rule_id: string; assigned_at: Date }) {
  return db
    .insertInto('lead_response_watch')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'lead_id']).doNothing())
    .execute();
}

export function lockOpenWatch(db: SalesDb, workspaceId: string, leadId: string) {
  return db
    .selectFrom('lead_response_watch')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('lead_id', '=', leadId)
    .where('contacted_at', 'is', null)
    .where('escalated_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export function closeWatch(db: SalesDb, workspaceId: string, leadIds: string[], set: { contacted_at?: Date; escalated_at?: Date }) {
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
export function dueWatches(db: SalesDb, now: Date, limit: number) {
  return db
    .selectFrom('lead_response_watch as w')
    .innerJoin('assignment_settings as s', (j) => j.onRef('s.workspace_id', '=', 'w.workspace_id').on('s.escalation_enabled', '=', true))
    .select(['w.workspace_id', 'w.lead_id'])
    .where('w.contacted_at', 'is', null)
    .where('w.escalated_at', 'is', null)
    .where(sql<boolean>`w.assigned_at + make_interval(mins => s.escalation_minutes) <= ${now}`)
    .orderBy('w.assigned_at')
    .limit(limit)
    .execute();
}
