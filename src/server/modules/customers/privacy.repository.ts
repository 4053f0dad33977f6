import { type Insertable, type Selectable, sql } from 'kysely';
import type { PersonPurposes, PrivacyRequests } from '../../platform/db/schema.js';
import type { CustomersDb } from './customers.db.js';

/** SQL of privacy requests: the request log, purposes of use, and erasure. */

/**
 * One human may be several rows: records merged into another stay in the trash. The family of a
 * person is the record at the end of its `merged_into` chain and every record merged into it.
 */
export async function personFamily(db: CustomersDb, workspaceId: string, personId: string): Promise<{ rootId: string; ids: string[] }> {
  const { rows } = await sql<{ root: string; ids: string[] }>`
    WITH RECURSIVE up(id, merged_into, depth) AS (
      SELECT id, merged_into, 0 FROM people WHERE workspace_id = ${workspaceId} AND id = ${personId}
      UNION ALL
      SELECT p.id, p.merged_into, up.depth + 1 FROM people p JOIN up ON p.workspace_id = ${workspaceId} AND p.id = up.merged_into
       WHERE up.depth < 50),
    root AS (SELECT id FROM up ORDER BY depth DESC LIMIT 1),
    down(id, depth) AS (
      SELECT id, 0 FROM root
      UNION ALL
      SELECT p.id, down.depth + 1 FROM people p JOIN down ON p.workspace_id = ${workspaceId} AND p.merged_into = down.id
       WHERE down.depth < 50)
    SELECT (SELECT id FROM root) AS root, array_agg(DISTINCT id) AS ids FROM down`.execute(db);
  const r = rows[0];
  return r?.root ? { rootId: r.root, ids: r.ids } : { rootId: personId, ids: [personId] };
}

export function peopleByIds(db: CustomersDb, workspaceId: string, ids: string[]) {
  return db.selectFrom('people').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', ids).orderBy('created_at').execute();
}

export function contactPointsOf(db: CustomersDb, workspaceId: string, ids: string[]) {
  return db
    .selectFrom('contact_points')
    .select(['kind', 'value', 'entity_id'])
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', 'person')
    .where('entity_id', 'in', ids)
    .orderBy('kind')
    .orderBy('value')
    .execute();
}

/** A family's rows of this module's person tables, in id (creation) order. */
export function consentsOf(db: CustomersDb, workspaceId: string, ids: string[]) {
  return db
    .selectFrom('consents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('person_id', 'in', ids)
    .orderBy('id')
    .execute();
}

export function purposesOf(db: CustomersDb, workspaceId: string, ids: string[]) {
  return db
    .selectFrom('person_purposes')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('person_id', 'in', ids)
    .orderBy('id')
    .execute();
}

export function employmentsOf(db: CustomersDb, workspaceId: string, ids: string[]) {
  return db
    .selectFrom('employments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('person_id', 'in', ids)
    .orderBy('id')
    .execute();
}

export type PurposeRow = Selectable<PersonPurposes>;
export type RequestRow = Selectable<PrivacyRequests>;

export function insertPurpose(db: CustomersDb, row: Insertable<PersonPurposes>) {
  return db.insertInto('person_purposes').values(row).returningAll().executeTakeFirstOrThrow();
}

export function insertRequest(db: CustomersDb, row: Insertable<PrivacyRequests>) {
  return db.insertInto('privacy_requests').values(row).returningAll().executeTakeFirstOrThrow();
}

export function listRequests(
  db: CustomersDb,
  workspaceId: string,
  q: { kind?: string; personId?: string; cursor?: string; limit: number },
) {
  let query = db.selectFrom('privacy_requests').selectAll().where('workspace_id', '=', workspaceId);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.personId) query = query.where('person_id', '=', q.personId);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
}

export const ERASED_NAME = '削除済み';

/** Overwrite every personal column; the row stays (in the trash) so references and the request log still resolve. */
export function erasePeople(db: CustomersDb, workspaceId: string, ids: string[], actorId: string | null) {
  return db
    .updateTable('people')
    .set({
      family_name: ERASED_NAME,
      given_name: null,
      family_name_kana: null,
      given_name_kana: null,
      emails: '[]',
      phones: '[]',
      postal_code: null,
      prefecture: null,
      city: null,
      town: null,
      address_line: null,
      birthday: null,
      gender: null,
      household: '[]',
      preferences: null,
      company_id: null,
      department_id: null,
      title: null,
      tags: sql`'{}'::text[]`,
      custom: '{}',
      notes: null,
      name_key: '',
      kana_key: null,
      sort_key: '',
      search_text: '',
      search_bigrams: sql`'{}'::text[]`,
      erased_at: new Date(),
      deleted_at: sql`coalesce(deleted_at, now())`,
      deleted_by: sql`coalesce(deleted_by, ${actorId}::uuid)`,
      version: sql`version + 1`,
      updated_at: new Date(),
      updated_by: actorId,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .returning(['id', 'owner_id', 'team_id'])
    .execute();
}

/** Contact points and employment history are personal data; consents and purposes keep only the facts (channel, status, when). */
export async function eraseRelated(db: CustomersDb, workspaceId: string, ids: string[]) {
  await db
    .deleteFrom('contact_points')
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', 'person')
    .where('entity_id', 'in', ids)
    .execute();
  await db.deleteFrom('employments').where('workspace_id', '=', workspaceId).where('person_id', 'in', ids).execute();
  await db
    .updateTable('consents')
    .set({ wording: null, source: null, purpose: null })
    .where('workspace_id', '=', workspaceId)
    .where('person_id', 'in', ids)
    .execute();
  await db
    .updateTable('person_purposes')
    .set({ wording: null })
    .where('workspace_id', '=', workspaceId)
    .where('person_id', 'in', ids)
    .execute();
}
