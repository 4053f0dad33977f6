import type { Readable } from 'node:stream';
import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type pg from 'pg';
import { type DbOf, tablesOf } from '../db/database.js';
import type { DB, ImportJobs } from '../db/schema.js';
import { partsStream } from '../file-parts.js';
import { copyInto, copyLine, kyselyOn } from './copy.js';

/** SQL of every import: the job row (progress, checkpoint, lease), the stored file and the rejected rows. */

export type ImportTables = 'import_jobs' | 'import_files' | 'import_errors';
export type ImportDb = DbOf<ImportTables>;
export type ImportJobRow = Selectable<ImportJobs>;

/** The import tables' view of a handle from outside (a module's transaction, the server's connection). */
export const importDb = (db: Kysely<DB>): ImportDb => tablesOf<ImportTables, DB>(db);

/**
 * How long imports keep what they stored: an upload never started (or cut off mid-way) is dropped after a day,
 * a failed job's file after a day (its error report stays), and a finished job with its rejected rows — which
 * hold the cells of the file, personal data — after 30 days.
 */
export const IMPORT_RETENTION = { unstartedHours: 24, failedFileHours: 24, finishedDays: 30 } as const;

export async function insertJob(db: ImportDb, row: Insertable<ImportJobs>) {
  await db.insertInto('import_jobs').values(row).execute();
}

export async function updateJob(db: ImportDb, workspaceId: string, id: string, set: Updateable<ImportJobs>) {
  await db
    .updateTable('import_jobs')
    .set({ ...set, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export async function findJob(db: ImportDb, workspaceId: string, kind: string, id: string): Promise<ImportJobRow | undefined> {
  return db
    .selectFrom('import_jobs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function deleteJob(db: ImportDb, workspaceId: string, id: string) {
  await db.deleteFrom('import_jobs').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** The most recent jobs of a kind, newest first; `creators` (when given) limits them to jobs those users started. */
export async function recentJobs(db: ImportDb, workspaceId: string, kind: string, creators: string[] | null, limit: number) {
  let q = db
    .selectFrom('import_jobs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .limit(limit);
  if (creators) q = q.where('created_by', 'in', creators.length ? creators : ['00000000-0000-0000-0000-000000000000']);
  return q.execute();
}

/** Who started the kind's jobs in the workspace (a handful of people): the list asks the policy about each. */
export async function jobCreators(db: ImportDb, workspaceId: string, kind: string): Promise<(string | null)[]> {
  const rows = await db
    .selectFrom('import_jobs')
    .select('created_by')
    .distinct()
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind)
    .execute();
  return rows.map((r) => r.created_by);
}

export async function insertFilePart(db: ImportDb, workspaceId: string, importId: string, seq: number, data: Buffer) {
  await db.insertInto('import_files').values({ workspace_id: workspaceId, import_id: importId, seq, data }).execute();
}

export async function deleteFile(db: ImportDb, workspaceId: string, importId: string) {
  await db.deleteFrom('import_files').where('workspace_id', '=', workspaceId).where('import_id', '=', importId).execute();
}

/** The stored file as a stream, one part per query: the whole file is never in memory. */
export function fileStream(db: ImportDb, workspaceId: string, importId: string, onBytes?: (n: number) => void): Readable {
  return partsStream(async (seq) => {
    const part = await db
      .selectFrom('import_files')
      .select('data')
      .where('workspace_id', '=', workspaceId)
      .where('import_id', '=', importId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    return part?.data;
  }, onBytes);
}

/** A rejected row: its spreadsheet row number, the module's key for it (an order number), its cells and the reasons. */
export interface RejectedRow {
  row: number;
  key?: string | null;
  cells: unknown[];
  reasons: unknown[];
}
const ERROR_COLUMNS = ['workspace_id', 'import_id', 'row_number', 'row_key', 'cells', 'reasons'] as const;
const ERROR_JSON: ReadonlySet<string> = new Set(['cells', 'reasons']);

export async function insertErrors(client: pg.PoolClient, workspaceId: string, importId: string, rows: RejectedRow[]) {
  await copyInto(
    client,
    'import_errors',
    ERROR_COLUMNS,
    rows.map((r) =>
      copyLine(
        ERROR_COLUMNS,
        { workspace_id: workspaceId, import_id: importId, row_number: r.row, row_key: r.key ?? null, cells: r.cells, reasons: r.reasons },
        ERROR_JSON,
      ),
    ),
  );
}

/** Rejected rows in file order, a page at a time (the report can hold every row of a million-row file). */
export async function errorPage(db: ImportDb, workspaceId: string, importId: string, afterRow: number, limit: number) {
  return db
    .selectFrom('import_errors')
    .select(['row_number', 'row_key', 'cells', 'reasons'])
    .where('workspace_id', '=', workspaceId)
    .where('import_id', '=', importId)
    .where('row_number', '>', String(afterRow))
    .orderBy('row_number')
    .limit(limit)
    .execute();
}

export type Counts = Record<string, number>;
export type Range = [number, number];

/**
 * Records a committed chunk [from, to) of data rows in the chunk's transaction, as its last statement: the job
 * row's lock serialises parallel writers only here. Refuses (false) a range already committed, or a runner whose
 * lease was taken over, so a second worker on the same import can never count a chunk twice. A checkpoint is a
 * heartbeat too.
 */
export async function commitChunk(
  client: pg.PoolClient,
  key: { workspaceId: string; id: string; lease: string },
  from: number,
  to: number,
  c: { rejected: number; bytes: number; counts: Counts },
): Promise<boolean> {
  const db = importDb(kyselyOn(client));
  const job = await db
    .selectFrom('import_jobs')
    .select(['next_row', 'done_ranges', 'status', 'lease', 'counts'])
    .where('workspace_id', '=', key.workspaceId)
    .where('id', '=', key.id)
    .forUpdate()
    .executeTakeFirst();
  if (job?.status !== 'running' || job.lease !== key.lease) return false;
  let next = Number(job.next_row);
  const ranges = [...(job.done_ranges as Range[])];
  if (from < next || ranges.some(([a, b]) => from < b && a < to)) return false;
  ranges.push([from, to]);
  ranges.sort((x, y) => x[0] - y[0]);
  // Fold the ranges that now continue the committed prefix into it.
  while (ranges.length && (ranges[0] as Range)[0] === next) next = (ranges.shift() as Range)[1];
  const counts = { ...(job.counts as Counts) };
  for (const [k, n] of Object.entries(c.counts)) counts[k] = (counts[k] ?? 0) + n;
  await db
    .updateTable('import_jobs')
    .set({
      next_row: next,
      done_ranges: JSON.stringify(ranges),
      counts: JSON.stringify(counts),
      processed_count: sql`processed_count + ${to - from}`,
      rejected_count: sql`rejected_count + ${c.rejected}`,
      bytes_done: sql`GREATEST(bytes_done, ${c.bytes})`,
      heartbeat_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where('workspace_id', '=', key.workspaceId)
    .where('id', '=', key.id)
    .execute();
  return true;
}

/** The hourly clean-up of every workspace's imports, every kind (IMPORT_RETENTION). */
export async function sweepImports(db: ImportDb): Promise<{ jobs: number; fileParts: number }> {
  const { unstartedHours, failedFileHours, finishedDays } = IMPORT_RETENTION;
  const jobs = await db
    .deleteFrom('import_jobs')
    .where((eb) =>
      eb.or([
        eb.and([
          eb('status', 'in', ['uploading', 'uploaded']),
          eb('updated_at', '<', sql<Date>`now() - make_interval(hours => ${unstartedHours})`),
        ]),
        eb.and([
          eb('status', 'in', ['completed', 'failed']),
          eb('updated_at', '<', sql<Date>`now() - make_interval(days => ${finishedDays})`),
        ]),
      ]),
    )
    .executeTakeFirst();
  const parts = await db
    .deleteFrom('import_files')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('import_jobs as j')
          .select(sql`1`.as('one'))
          .whereRef('j.workspace_id', '=', 'import_files.workspace_id')
          .whereRef('j.id', '=', 'import_files.import_id')
          .where('j.status', '=', 'failed')
          .where('j.updated_at', '<', sql<Date>`now() - make_interval(hours => ${failedFileHours})`),
      ),
    )
    .executeTakeFirst();
  return { jobs: Number(jobs.numDeletedRows), fileParts: Number(parts.numDeletedRows) };
}
