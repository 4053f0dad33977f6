import type { Selectable } from 'kysely';
import type pg from 'pg';
import type { Companies, People } from '../../../platform/db/schema.js';
import { newId } from '../../../platform/ids.js';
import type { CustomersDb, CustomersTx } from '../customers.db.js';

/** SQL of the customers import: saved mappings, and the bulk writes' look-ups and staged updates (COPY goes through platform/import). */

export async function listMappings(db: CustomersDb, workspaceId: string, entityType: string) {
  const rows = await db
    .selectFrom('import_mappings')
    .select(['id', 'name', 'mapping', 'updated_at'])
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .orderBy('updated_at', 'desc')
    .limit(100)
    .execute();
  return rows.map((r) => ({ ...r, mapping: r.mapping as Record<string, string> }));
}

export async function saveMapping(
  db: CustomersTx,
  m: { workspaceId: string; entityType: string; name: string; mapping: Record<string, string>; createdBy: string | null },
) {
  const mapping = JSON.stringify(m.mapping);
  await db
    .insertInto('import_mappings')
    .values({ workspace_id: m.workspaceId, id: newId(), entity_type: m.entityType, name: m.name, mapping, created_by: m.createdBy })
    .onConflict((oc) => oc.columns(['workspace_id', 'entity_type', 'name']).doUpdateSet({ mapping, updated_at: new Date() }))
    .execute();
}

/** Department names for an export page. */
export async function departmentNames(db: CustomersDb, workspaceId: string, ids: string[]) {
  if (!ids.length) return new Map<string, string>();
  const rows = await db
    .selectFrom('departments')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export const PEOPLE_COLUMNS = [
  'workspace_id',
  'id',
  'family_name',
  'given_name',
  'family_name_kana',
  'given_name_kana',
  'emails',
  'phones',
  'postal_code',
  'prefecture',
  'city',
  'town',
  'address_line',
  'birthday',
  'gender',
  'company_id',
  'department_id',
  'title',
  'owner_id',
  'tags',
  'custom',
  'notes',
  'name_key',
  'kana_key',
  'sort_key',
  'search_text',
  'search_bigrams',
  'created_by',
  'updated_by',
] as const;

export const COMPANY_COLUMNS = [
  'workspace_id',
  'id',
  'name',
  'name_kana',
  'corporate_number',
  'industry',
  'employee_count',
  'fiscal_month',
  'website',
  'emails',
  'phones',
  'postal_code',
  'prefecture',
  'city',
  'town',
  'address_line',
  'owner_id',
  'tags',
  'custom',
  'notes',
  'name_key',
  'sort_key',
  'search_text',
  'search_bigrams',
  'created_by',
  'updated_by',
] as const;

export const CONTACT_POINT_COLUMNS = ['workspace_id', 'kind', 'value', 'entity_type', 'entity_id'] as const;
export const EMPLOYMENT_COLUMNS = [
  'workspace_id',
  'id',
  'person_id',
  'company_id',
  'department_id',
  'title',
  'started_on',
  'created_by',
] as const;
export const DEPARTMENT_COLUMNS = ['workspace_id', 'id', 'company_id', 'name', 'created_by', 'updated_by'] as const;

export async function applyStagedUpdates(client: pg.PoolClient, table: 'people' | 'companies', columns: readonly string[]) {
  const set = columns.filter((c) => !['workspace_id', 'id', 'created_by', 'owner_id'].includes(c));
  await client.query(
    `UPDATE ${table} t SET ${set.map((c) => `${c} = s.${c}`).join(', ')}, version = t.version + 1, updated_at = now()
       FROM import_stage_${table} s WHERE t.workspace_id = s.workspace_id AND t.id = s.id`,
  );
}

/** Existing records whose contact point (email / E.164 phone) or id matches one of the keys. */
export async function matchExisting(
  client: pg.PoolClient,
  workspaceId: string,
  entityType: 'person' | 'company',
  matchOn: 'email' | 'phone' | 'id',
  keys: string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (!keys.length) return found;
  const table = entityType === 'person' ? 'people' : 'companies';
  const { rows } =
    matchOn === 'id'
      ? await client.query<{ key: string; id: string }>(
          `SELECT id::text AS key, id::text AS id FROM ${table} WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
          [workspaceId, keys],
        )
      : await client.query<{ key: string; id: string }>(
          `SELECT cp.value AS key, min(cp.entity_id::text) AS id FROM contact_points cp
             JOIN ${table} t ON t.workspace_id = cp.workspace_id AND t.id = cp.entity_id AND t.deleted_at IS NULL
            WHERE cp.workspace_id = $1 AND cp.kind = $2 AND cp.entity_type = $3 AND cp.value = ANY($4::text[])
            GROUP BY cp.value`,
          [workspaceId, matchOn, entityType, keys],
        );
  for (const r of rows) found.set(r.key, r.id);
  return found;
}

/** A person as an update reads it under lock, with the names of its company and department (a row naming the same company keeps it). */
export type StoredPerson = Selectable<People> & { company_name: string | null; department_name: string | null };
export type StoredCompany = Selectable<Companies>;
export type StoredRecord = StoredPerson | StoredCompany;

export const isStoredPerson = (r: StoredRecord): r is StoredPerson => 'family_name' in r;

export async function lockRecords(
  client: pg.PoolClient,
  table: 'people' | 'companies',
  workspaceId: string,
  ids: string[],
): Promise<Map<string, StoredRecord>> {
  const { rows } =
    table === 'people'
      ? await client.query<StoredPerson>(
          `SELECT p.*, c.name AS company_name, d.name AS department_name FROM people p
             LEFT JOIN companies c ON c.workspace_id = p.workspace_id AND c.id = p.company_id
             LEFT JOIN departments d ON d.workspace_id = p.workspace_id AND d.id = p.department_id
            WHERE p.workspace_id = $1 AND p.id = ANY($2::uuid[]) FOR UPDATE OF p`,
          [workspaceId, ids],
        )
      : await client.query<StoredCompany>('SELECT * FROM companies WHERE workspace_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE', [
          workspaceId,
          ids,
        ]);
  return new Map<string, StoredRecord>(rows.map((r) => [r.id, r]));
}

export async function companiesByNameKey(client: pg.PoolClient, workspaceId: string, keys: string[]) {
  const { rows } = await client.query<{ name_key: string; id: string }>(
    `SELECT DISTINCT ON (name_key) name_key, id FROM companies WHERE workspace_id = $1 AND name_key = ANY($2::text[]) AND deleted_at IS NULL
      ORDER BY name_key, created_at`,
    [workspaceId, keys],
  );
  return new Map(rows.map((r) => [r.name_key, r.id]));
}

export async function departmentsByName(client: pg.PoolClient, workspaceId: string, companyIds: string[]) {
  const { rows } = await client.query<{ company_id: string; name: string; id: string }>(
    `SELECT company_id, name, id FROM departments WHERE workspace_id = $1 AND company_id = ANY($2::uuid[])`,
    [workspaceId, companyIds],
  );
  return new Map(rows.map((r) => [`${r.company_id}\u0001${r.name}`, r.id]));
}

export async function replaceContactPointsOf(client: pg.PoolClient, workspaceId: string, entityType: string, ids: string[]) {
  if (ids.length)
    await client.query('DELETE FROM contact_points WHERE workspace_id = $1 AND entity_type = $2 AND entity_id = ANY($3::uuid[])', [
      workspaceId,
      entityType,
      ids,
    ]);
}

export async function endEmployments(client: pg.PoolClient, workspaceId: string, personIds: string[]) {
  if (personIds.length)
    await client.query(
      'UPDATE employments SET ended_on = current_date WHERE workspace_id = $1 AND person_id = ANY($2::uuid[]) AND ended_on IS NULL',
      [workspaceId, personIds],
    );
}
