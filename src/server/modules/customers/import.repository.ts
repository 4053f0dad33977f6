import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db, DbOrTx, Tx } from '../../platform/db/database.js';
import { readStoredFile, sweepImportTables } from '../../platform/db/stored-file.js';

/** SQL of imports: jobs, the stored file, rejected rows, saved mappings, and the bulk writes (COPY). */

export type ImportJobRow = Record<string, any> & {
  workspace_id: string;
  id: string;
  entity_type: 'person' | 'company';
  format: 'csv' | 'tsv' | 'xlsx' | 'vcf';
  encoding: 'utf8' | 'cp932';
  status: string;
  next_row: string;
  mapping: Record<string, string> | null;
  header: string[];
};

export async function insertJob(db: DbOrTx, row: Record<string, unknown>) {
  await db.insertInto('import_jobs').values(row).execute();
}

export async function insertFilePart(db: DbOrTx, workspaceId: string, importId: string, seq: number, data: Buffer) {
  await db.insertInto('import_files').values({ workspace_id: workspaceId, import_id: importId, seq, data }).execute();
}

export async function updateJob(db: DbOrTx, workspaceId: string, id: string, set: Record<string, unknown>) {
  await db
    .updateTable('import_jobs')
    .set({ ...set, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export async function findJob(db: DbOrTx, workspaceId: string, id: string, forUpdate = false) {
  let q = db.selectFrom('import_jobs').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return (await q.executeTakeFirst()) as ImportJobRow | undefined;
}

export async function deleteFile(db: DbOrTx, workspaceId: string, importId: string) {
  await db.deleteFrom('import_files').where('workspace_id', '=', workspaceId).where('import_id', '=', importId).execute();
}

export async function deleteJob(db: DbOrTx, workspaceId: string, id: string) {
  await db.deleteFrom('import_jobs').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** The stored file as a stream, one 1 MiB part per query: the whole file is never in memory. */
export function fileStream(db: Db, workspaceId: string, importId: string, onBytes?: (n: number) => void): Readable {
  return readStoredFile(db, 'import_files', { workspaceId, importId }, onBytes);
}

export async function listMappings(db: DbOrTx, workspaceId: string, entityType: string) {
  return db
    .selectFrom('import_mappings')
    .select(['id', 'name', 'mapping', 'updated_at'])
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .orderBy('updated_at', 'desc')
    .limit(100)
    .execute();
}

export async function saveMapping(
  db: DbOrTx,
  row: { workspace_id: string; id: string; entity_type: string; name: string; mapping: string; created_by: string | null },
) {
  await db
    .insertInto('import_mappings')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'entity_type', 'name']).doUpdateSet({ mapping: row.mapping, updated_at: new Date() }))
    .execute();
}

/** Rejected rows in file order, a page at a time (the report can hold every row of a million-row file). */
export async function errorPage(db: DbOrTx, workspaceId: string, importId: string, afterRow: number, limit: number) {
  return db
    .selectFrom('import_errors')
    .select(['row_number', 'cells', 'reasons'])
    .where('workspace_id', '=', workspaceId)
    .where('import_id', '=', importId)
    .where('row_number', '>', String(afterRow))
    .orderBy('row_number')
    .limit(limit)
    .execute();
}

/** Department names for an export page. */
export async function departmentNames(db: DbOrTx, workspaceId: string, ids: string[]) {
  if (!ids.length) return new Map<string, string>();
  const rows = await db
    .selectFrom('departments')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id as string, r.name as string]));
}

// ---- Bulk writes on the job's own connection -------------------------------------------------------

/** Kysely over one checked-out client, so audit/outbox helpers join the job's transaction. */
export function kyselyOn(client: pg.PoolClient): Tx {
  const pool = { connect: async () => ({ query: client.query.bind(client), release: () => {} }), end: async () => {} };
  return new Kysely<any>({ dialect: new PostgresDialect({ pool: pool as never }) }) as unknown as Tx;
}

const COPY_ESC: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const NEEDS_ESC = /[\\\t\n\r]/;

function esc(s: string): string {
  return NEEDS_ESC.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => COPY_ESC[c] as string) : s;
}

/** One value in COPY text format: NULL, text, a text[] literal, or JSON. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string') return esc(v);
  if (Array.isArray(v)) return esc(`{${v.map((x) => `"${String(x).replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
  if (typeof v === 'object') return esc(JSON.stringify(v));
  return String(v);
}

const JSON_COLUMNS = new Set(['emails', 'phones', 'custom', 'cells', 'reasons']);

/** One COPY line from a row object: jsonb columns as JSON, arrays elsewhere as text[]. */
export function copyLine(columns: readonly string[], row: Record<string, unknown>): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i] as string;
    const v = row[c];
    if (i) line += '\t';
    line += JSON_COLUMNS.has(c) && v !== null && v !== undefined ? esc(JSON.stringify(v)) : copyValue(v);
  }
  return line;
}

export async function copyInto(client: pg.PoolClient, table: string, columns: readonly string[], lines: string[]) {
  if (!lines.length) return;
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  // Hand the text over in pieces of ~1 MB so the event loop is never blocked by one huge string.
  const pieces: string[] = [];
  let piece: string[] = [];
  let size = 0;
  for (const l of lines) {
    piece.push(l);
    size += l.length;
    if (size > 512 * 1024) {
      pieces.push(`${piece.join('\n')}\n`);
      piece = [];
      size = 0;
    }
  }
  if (piece.length) pieces.push(`${piece.join('\n')}\n`);
  await pipeline(Readable.from(pieces), stream);
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
export const ERROR_COLUMNS = ['workspace_id', 'import_id', 'row_number', 'cells', 'reasons'] as const;

/** A staging table per connection for updates: COPY the new rows in, then one UPDATE ... FROM. */
export async function ensureStage(client: pg.PoolClient, table: 'people' | 'companies') {
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS import_stage_${table} (LIKE ${table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
}

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
      ? await client.query(
          `SELECT id::text AS key, id::text AS id FROM ${table} WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
          [workspaceId, keys],
        )
      : await client.query(
          `SELECT cp.value AS key, min(cp.entity_id::text) AS id FROM contact_points cp
             JOIN ${table} t ON t.workspace_id = cp.workspace_id AND t.id = cp.entity_id AND t.deleted_at IS NULL
            WHERE cp.workspace_id = $1 AND cp.kind = $2 AND cp.entity_type = $3 AND cp.value = ANY($4::text[])
            GROUP BY cp.value`,
          [workspaceId, matchOn, entityType, keys],
        );
  for (const r of rows) found.set(r.key, r.id);
  return found;
}

export async function lockRecords(client: pg.PoolClient, table: 'people' | 'companies', workspaceId: string, ids: string[]) {
  const { rows } =
    table === 'people'
      ? await client.query(
          `SELECT p.*, c.name AS company_name, d.name AS department_name FROM people p
             LEFT JOIN companies c ON c.workspace_id = p.workspace_id AND c.id = p.company_id
             LEFT JOIN departments d ON d.workspace_id = p.workspace_id AND d.id = p.department_id
            WHERE p.workspace_id = $1 AND p.id = ANY($2::uuid[]) FOR UPDATE OF p`,
          [workspaceId, ids],
        )
      : await client.query('SELECT * FROM companies WHERE workspace_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE', [workspaceId, ids]);
  return new Map(rows.map((r) => [r.id as string, r as Record<string, any>]));
}

export async function companiesByNameKey(client: pg.PoolClient, workspaceId: string, keys: string[]) {
  const { rows } = await client.query(
    `SELECT DISTINCT ON (name_key) name_key, id FROM companies WHERE workspace_id = $1 AND name_key = ANY($2::text[]) AND deleted_at IS NULL
      ORDER BY name_key, created_at`,
    [workspaceId, keys],
  );
  return new Map(rows.map((r) => [r.name_key as string, r.id as string]));
}

export async function departmentsByName(client: pg.PoolClient, workspaceId: string, companyIds: string[]) {
  const { rows } = await client.query(
    `SELECT company_id, name, id FROM departments WHERE workspace_id = $1 AND company_id = ANY($2::uuid[])`,
    [workspaceId, companyIds],
  );
  return new Map(rows.map((r) => [`${r.company_id}\u0001${r.name}`, r.id as string]));
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

/**
 * Advance the checkpoint only under this runner's lease and from the position it started the chunk at: a second
 * worker cannot commit the same rows. A checkpoint is a heartbeat too.
 */
export async function advanceCheckpoint(
  client: pg.PoolClient,
  workspaceId: string,
  id: string,
  lease: string,
  from: number,
  to: number,
  counts: { created: number; updated: number; skipped: number; rejected: number; companies: number; bytes: number },
) {
  const { rowCount } = await client.query(
    `UPDATE import_jobs SET next_row = $4, created_count = created_count + $5, updated_count = updated_count + $6,
            skipped_count = skipped_count + $7, rejected_count = rejected_count + $8, companies_created = companies_created + $9,
            bytes_done = GREATEST(bytes_done, $10), heartbeat_at = now(), updated_at = now()
      WHERE workspace_id = $1 AND id = $2 AND next_row = $3 AND status = 'running' AND lease = $11`,
    [workspaceId, id, from, to, counts.created, counts.updated, counts.skipped, counts.rejected, counts.companies, counts.bytes, lease],
  );
  return rowCount === 1;
}

export { sql };

/** The hourly clean-up of every workspace's imports (IMPORT_RETENTION in platform/db/stored-file.ts). */
export function sweepImports(db: DbOrTx) {
  return sweepImportTables(db, { jobs: 'import_jobs', files: 'import_files', unstarted: ['uploading', 'uploaded'] });
}
