import { sql } from 'kysely';
import type { CustomersDb } from '../customers.db.js';
import { either, type RecordRow, type RecordTable } from './records.repository.js';

/** SQL of merging two records: moving related rows from the merged record to the survivor. */

const today = () => new Date().toISOString().slice(0, 10);

/** Rows of this module that belong to a person. Other modules move theirs on `person.merged`. */
export async function movePersonRows(db: CustomersDb, workspaceId: string, fromId: string, toId: string) {
  for (const table of ['employments', 'consents', 'person_purposes'] as const) {
    await db.updateTable(table).set({ person_id: toId }).where('workspace_id', '=', workspaceId).where('person_id', '=', fromId).execute();
  }
}

/** Rows that point at a company: its people (also in the trash), employment history, departments, subsidiaries. */
export async function moveCompanyRows(db: CustomersDb, workspaceId: string, fromId: string, toId: string) {
  for (const table of ['people', 'employments', 'departments'] as const) {
    await db
      .updateTable(table)
      .set({ company_id: toId })
      .where('workspace_id', '=', workspaceId)
      .where('company_id', '=', fromId)
      .execute();
  }
  await db
    .updateTable('companies')
    .set({ parent_id: toId })
    .where('workspace_id', '=', workspaceId)
    .where('parent_id', '=', fromId)
    .where('id', '<>', toId)
    .execute();
}

/** The latest consent per channel decides the email and DM permission (as when a consent is recorded). */
export async function latestPermissions(db: CustomersDb, workspaceId: string, personId: string) {
  const rows = await sql<{ channel: string; status: string }>`
    SELECT DISTINCT ON (channel) channel, status FROM consents
     WHERE workspace_id = ${workspaceId} AND person_id = ${personId} AND channel IN ('email', 'dm')
     ORDER BY channel, recorded_at DESC, id DESC`.execute(db);
  const by = new Map(rows.rows.map((r) => [r.channel, r.status]));
  return { email: by.get('email'), dm: by.get('dm') };
}

/** The merged record goes to the trash, pointing at the survivor. */
export function retire<T extends RecordTable>(
  db: CustomersDb,
  table: T,
  workspaceId: string,
  id: string,
  survivorId: string,
  actorId: string | null,
) {
  // Widened to the union: either()'s update typing serves the two tables, not a generic one.
  const target: RecordTable = table;
  return either(db)
    .updateTable(target)
    .set({
      merged_into: survivorId,
      deleted_at: new Date(),
      deleted_by: actorId,
      version: sql`version + 1`,
      updated_at: new Date(),
      updated_by: actorId,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow() as Promise<RecordRow<T>>;
}

export function currentEmployments(db: CustomersDb, workspaceId: string, personId: string) {
  return db
    .selectFrom('employments')
    .select(['id', 'company_id'])
    .where('workspace_id', '=', workspaceId)
    .where('person_id', '=', personId)
    .where('ended_on', 'is', null)
    .orderBy('started_on', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function endEmployments(db: CustomersDb, workspaceId: string, ids: string[]) {
  if (!ids.length) return;
  await db.updateTable('employments').set({ ended_on: today() }).where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
}

export function setEmployment(db: CustomersDb, workspaceId: string, id: string, departmentId: string | null, title: string | null) {
  return db
    .updateTable('employments')
    .set({ department_id: departmentId, title })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

/** True when following parent_id up from the company comes back to it. */
export async function isOwnAncestor(db: CustomersDb, workspaceId: string, companyId: string) {
  const { rows } = await sql<{ id: string }>`WITH RECURSIVE up(id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM companies WHERE workspace_id = ${workspaceId} AND id = ${companyId}
      UNION ALL
      SELECT c.id, c.parent_id, up.depth + 1 FROM companies c JOIN up ON c.workspace_id = ${workspaceId} AND c.id = up.parent_id
       WHERE up.depth < 100 AND (up.depth = 0 OR up.id <> ${companyId}))
    SELECT id FROM up WHERE depth > 0 AND id = ${companyId} LIMIT 1`.execute(db);
  return rows.length > 0;
}

export function peopleOfCompany(db: CustomersDb, workspaceId: string, companyId: string) {
  return db
    .selectFrom('people')
    .select(['id', 'family_name', 'given_name', 'family_name_kana', 'given_name_kana', 'emails', 'phones'])
    .where('workspace_id', '=', workspaceId)
    .where('company_id', '=', companyId)
    .execute();
}

export function setSearch(db: CustomersDb, workspaceId: string, id: string, searchText: string, bigrams: string[]) {
  return db
    .updateTable('people')
    .set({ search_text: searchText, search_bigrams: bigrams })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}
