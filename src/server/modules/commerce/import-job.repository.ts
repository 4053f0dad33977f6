import type { Readable } from 'node:stream';
import type pg from 'pg';
import type { Db, DbOrTx } from '../../platform/db/database.js';
import { readStoredFile, sweepImportTables } from '../../platform/db/stored-file.js';
import { copyInto, copyLine } from '../customers/index.js';

/** SQL of order import jobs: the job row (progress and checkpoint), the stored file, the rejected rows. */

export type OrderImportRow = Record<string, any> & {
  workspace_id: string;
  id: string;
  format: 'csv' | 'tsv' | 'xlsx';
  encoding: 'utf8' | 'cp932';
  status: 'uploading' | 'queued' | 'running' | 'completed' | 'failed';
  next_row: string;
  done_ranges: [number, number][];
  timeline: boolean;
};

export async function insertJob(db: DbOrTx, row: Record<string, unknown>) {
  await db.insertInto('order_imports').values(row).execute();
}

export async function updateJob(db: DbOrTx, workspaceId: string, id: string, set: Record<string, unknown>) {
  await db
    .updateTable('order_imports')
    .set({ ...set, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export async function findJob(db: DbOrTx, workspaceId: string, id: string) {
  return (await db
    .selectFrom('order_imports')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst()) as OrderImportRow | undefined;
}

export async function deleteJob(db: DbOrTx, workspaceId: string, id: string) {
  await db.deleteFrom('order_imports').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export async function insertFilePart(db: DbOrTx, workspaceId: string, importId: string, seq: number, data: Buffer) {
  await db.insertInto('order_import_files').values({ workspace_id: workspaceId, import_id: importId, seq, data }).execute();
}

export async function deleteFile(db: DbOrTx, workspaceId: string, importId: string) {
  await db.deleteFrom('order_import_files').where('workspace_id', '=', workspaceId).where('import_id', '=', importId).execute();
}

/** The stored file as a stream, one 1 MiB piece per query: the whole file is never in memory. */
export function fileStream(db: Db, workspaceId: string, importId: string, onBytes?: (n: number) => void): Readable {
  return readStoredFile(db, 'order_import_files', { workspaceId, importId }, onBytes);
}

export interface RejectedRow {
  row: number;
  orderNumber: string | null;
  cells: string[];
  reasons: string[];
}
const ERROR_COLUMNS = ['workspace_id', 'import_id', 'row_number', 'order_number', 'cells', 'reasons'] as const;

export async function insertErrors(client: pg.PoolClient, workspaceId: string, importId: string, rows: RejectedRow[]) {
  await copyInto(
    client,
    'order_import_errors',
    ERROR_COLUMNS,
    rows.map((r) =>
      copyLine(ERROR_COLUMNS, {
        workspace_id: workspaceId,
        import_id: importId,
        row_number: r.row,
        order_number: r.orderNumber,
        cells: r.cells,
        reasons: r.reasons,
      }),
    ),
  );
}

/** Rejected rows in file order, a page at a time (a big file's report can hold every row). */
export async function errorPage(db: DbOrTx, workspaceId: string, importId: string, afterRow: number, limit: number) {
  return db
    .selectFrom('order_import_errors')
    .select(['row_number', 'order_number', 'cells', 'reasons'])
    .where('workspace_id', '=', workspaceId)
    .where('import_id', '=', importId)
    .where('row_number', '>', String(afterRow))
    .orderBy('row_number')
    .limit(limit)
    .execute();
}

export interface ChunkCounts {
  rows: number;
  inserted: number;
  skipped: number;
  rejected: number;
  bytes: number;
}

/**
 * Records a committed chunk [from, to) of data rows in the chunk's transaction, as its last statement: the job
 * row's lock serialises the parallel writers only here. Refuses (false) a range already committed, or a runner
 * whose lease was taken over, so a second worker on the same import can never count a chunk twice.
 */
export async function commitChunk(
  client: pg.PoolClient,
  workspaceId: string,
  id: string,
  lease: string,
  from: number,
  to: number,
  c: ChunkCounts,
) {
  const { rows } = await client.query<{ next_row: string; done_ranges: [number, number][]; status: string; lease: string | null }>(
    'SELECT next_row, done_ranges, status, lease FROM order_imports WHERE workspace_id = $1 AND id = $2 FOR UPDATE',
    [workspaceId, id],
  );
  const job = rows[0];
  if (job?.status !== 'running' || job.lease !== lease) return false;
  let next = Number(job.next_row);
  const ranges = [...job.done_ranges];
  if (from < next || ranges.some(([a, b]) => from < b && a < to)) return false;
  ranges.push([from, to]);
  ranges.sort((x, y) => x[0] - y[0]);
  // Fold the ranges that now continue the committed prefix into it.
  while (ranges.length && (ranges[0] as [number, number])[0] === next) next = (ranges.shift() as [number, number])[1];
  await client.query(
    `UPDATE order_imports SET next_row = $3, done_ranges = $4::jsonb, processed_count = processed_count + $5,
       inserted_count = inserted_count + $6, skipped_count = skipped_count + $7, rejected_count = rejected_count + $8,
       bytes_done = GREATEST(bytes_done, $9), heartbeat_at = now(), updated_at = now()
     WHERE workspace_id = $1 AND id = $2`,
    [workspaceId, id, next, JSON.stringify(ranges), c.rows, c.inserted, c.skipped, c.rejected, c.bytes],
  );
  return true;
}

/** The hourly clean-up of every workspace's imports (IMPORT_RETENTION in platform/db/stored-file.ts). */
export function sweepOrderImports(db: DbOrTx) {
  return sweepImportTables(db, { jobs: 'order_imports', files: 'order_import_files', unstarted: ['uploading'] });
}
