import { type Insertable, type Selectable, sql } from 'kysely';
import type { Actor } from '../../../platform/actor.js';
import type { Consents, Departments } from '../../../platform/db/schema.js';
import { newId } from '../../../platform/ids.js';
import type { CustomersDb } from '../customers.db.js';
import { visibleTo } from '../customers.policy.js';

export async function companyName(db: CustomersDb, workspaceId: string, companyId: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('companies')
    .select('name')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', companyId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return r?.name;
}

export async function companyNames(db: CustomersDb, workspaceId: string, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('companies')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The live people working at a company now that the actor may see, in 五十音 order. */
export function staffOf(db: CustomersDb, actor: Actor, companyId: string, limit: number) {
  return visibleTo(
    db
      .selectFrom('people as r')
      .selectAll('r')
      .where('r.workspace_id', '=', actor.workspaceId)
      .where('r.company_id', '=', companyId)
      .where('r.deleted_at', 'is', null),
    actor,
    'r',
  )
    .orderBy('r.sort_key')
    .limit(limit)
    .execute();
}

export async function departmentOf(db: CustomersDb, workspaceId: string, departmentId: string, companyId: string | null) {
  let q = db.selectFrom('departments').select('id').where('workspace_id', '=', workspaceId).where('id', '=', departmentId);
  if (companyId) q = q.where('company_id', '=', companyId);
  return !!(await q.executeTakeFirst());
}

const today = () => new Date().toISOString().slice(0, 10);

export function startEmployment(
  db: CustomersDb,
  actor: Actor,
  personId: string,
  companyId: string,
  departmentId: string | null,
  title: string | null,
) {
  return db
    .insertInto('employments')
    .values({
      workspace_id: actor.workspaceId,
      id: newId(),
      person_id: personId,
      company_id: companyId,
      department_id: departmentId,
      title,
      started_on: today(),
      created_by: actor.userId,
    })
    .execute();
}

export function endEmployment(db: CustomersDb, workspaceId: string, personId: string) {
  return db
    .updateTable('employments')
    .set({ ended_on: today() })
    .where('workspace_id', '=', workspaceId)
    .where('person_id', '=', personId)
    .where('ended_on', 'is', null)
    .execute();
}

export function updateCurrentEmployment(
  db: CustomersDb,
  workspaceId: string,
  personId: string,
  departmentId: string | null,
  title: string | null,
) {
  return db
    .updateTable('employments')
    .set({ department_id: departmentId, title })
    .where('workspace_id', '=', workspaceId)
    .where('person_id', '=', personId)
    .where('ended_on', 'is', null)
    .execute();
}

export function listEmployments(db: CustomersDb, workspaceId: string, personId: string) {
  return db
    .selectFrom('employments as e')
    .innerJoin('companies as c', (j) => j.onRef('c.workspace_id', '=', 'e.workspace_id').onRef('c.id', '=', 'e.company_id'))
    .leftJoin('departments as d', (j) => j.onRef('d.workspace_id', '=', 'e.workspace_id').onRef('d.id', '=', 'e.department_id'))
    .select([
      'e.id',
      'e.company_id',
      'c.name as company_name',
      'e.department_id',
      'd.name as department_name',
      'e.title',
      'e.started_on',
      'e.ended_on',
    ])
    .where('e.workspace_id', '=', workspaceId)
    .where('e.person_id', '=', personId)
    .orderBy('e.started_on', 'desc')
    .orderBy('e.id', 'desc')
    .execute();
}

export function insertConsent(db: CustomersDb, row: Insertable<Consents>) {
  return db.insertInto('consents').values(row).returningAll().executeTakeFirstOrThrow();
}

export function listConsents(db: CustomersDb, workspaceId: string, personId: string) {
  return db
    .selectFrom('consents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('person_id', '=', personId)
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export function setPermission(
  db: CustomersDb,
  workspaceId: string,
  personId: string,
  column: 'email_permission' | 'dm_permission',
  value: string,
) {
  return db
    .updateTable('people')
    .set({
      ...(column === 'email_permission' ? { email_permission: value } : { dm_permission: value }),
      version: sql`version + 1`,
      updated_at: new Date(),
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', personId)
    .returning(['owner_id', 'team_id'])
    .executeTakeFirst();
}

/** True when `ancestorId` is `companyId` or one of its parents, grandparents, …: it may not become its child. */
export async function isAncestor(db: CustomersDb, workspaceId: string, ancestorId: string, companyId: string) {
  const { rows } = await sql<{ id: string }>`WITH RECURSIVE up AS (
      SELECT id, parent_id FROM companies WHERE workspace_id = ${workspaceId} AND id = ${companyId}
      UNION SELECT c.id, c.parent_id FROM companies c JOIN up ON c.workspace_id = ${workspaceId} AND c.id = up.parent_id)
    SELECT id FROM up WHERE id = ${ancestorId}`.execute(db);
  return rows.length > 0;
}

/** A company's subsidiaries (live), in 五十音 order. */
export function subsidiariesOf(db: CustomersDb, workspaceId: string, companyId: string) {
  return db
    .selectFrom('companies')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('parent_id', '=', companyId)
    .where('deleted_at', 'is', null)
    .orderBy('sort_key')
    .execute();
}

export function departmentsOf(db: CustomersDb, workspaceId: string, companyId: string) {
  return db
    .selectFrom('departments')
    .select(['id', 'name', 'parent_id', 'position', 'version'])
    .where('workspace_id', '=', workspaceId)
    .where('company_id', '=', companyId)
    .orderBy('position')
    .orderBy('name')
    .execute();
}

export function insertDepartment(db: CustomersDb, row: Insertable<Departments>) {
  return db.insertInto('departments').values(row).execute();
}

export type ConsentRow = Selectable<Consents>;
