import { Readable } from 'node:stream';
import { sql } from 'kysely';
import type { DbOrTx } from './database.js';

/**
 * Uploads (import files) are kept in PostgreSQL as numbered parts of about 1 MiB (bytea rows), so any app instance
 * can run the job that reads them and a restart loses nothing. Each module's repository owns its import tables and
 * names them to these helpers, which cut an upload into parts, read the parts back in order, and clean up.
 */
export const FILE_PART_SIZE = 1024 * 1024;

/** Writes `body` as parts 0, 1, 2 … as it arrives (the file is never whole in memory); returns the byte count. */
export async function storeInParts(
  body: AsyncIterable<Buffer>,
  writePart: (seq: number, data: Buffer) => Promise<void>,
  onChunk?: (chunk: Buffer) => void,
): Promise<number> {
  let seq = 0;
  let size = 0;
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const flush = async () => {
    if (!pendingSize) return;
    await writePart(seq++, Buffer.concat(pending));
    pending = [];
    pendingSize = 0;
  };
  for await (const chunk of body) {
    onChunk?.(chunk);
    pending.push(chunk);
    pendingSize += chunk.length;
    size += chunk.length;
    if (pendingSize >= FILE_PART_SIZE) await flush();
  }
  await flush();
  return size;
}

/**
 * One module's stored file (`files`: workspace_id, import_id, seq, data — named by the module's repository, which
 * owns the table) as a stream, one part per query: the whole file is never in memory.
 */
export function readStoredFile(
  db: DbOrTx,
  files: string,
  key: { workspaceId: string; importId: string },
  onBytes?: (n: number) => void,
): Readable {
  let seq = 0;
  return new Readable({
    async read() {
      try {
        const { rows } = await sql<{ data: Buffer }>`
          SELECT data FROM ${sql.raw(files)}
          WHERE workspace_id = ${key.workspaceId} AND import_id = ${key.importId} AND seq = ${seq++}`.execute(db);
        const data = rows[0]?.data;
        if (data) onBytes?.(data.length);
        this.push(data ?? null);
      } catch (err) {
        this.destroy(err as Error);
      }
    },
  });
}

/**
 * How long imports keep what they stored: an upload never started (or cut off mid-way) is dropped after a day,
 * a failed job's file after a day (its error report stays), and a finished job with its rejected rows — which
 * hold the cells of the file, personal data — after 30 days. Each module's import sweep applies these.
 */
export const IMPORT_RETENTION = { unstartedHours: 24, failedFileHours: 24, finishedDays: 30 } as const;

/**
 * Applies IMPORT_RETENTION to one module's import tables (named by the module's repository, which owns them):
 * `jobs` with workspace_id, id, status and updated_at; `files` with workspace_id and import_id. Every workspace.
 */
export async function sweepImportTables(
  db: DbOrTx,
  tables: { jobs: string; files: string; unstarted: readonly string[] },
): Promise<{ jobs: number; fileParts: number }> {
  const { unstartedHours, failedFileHours, finishedDays } = IMPORT_RETENTION;
  const jobs = sql.raw(tables.jobs);
  const files = sql.raw(tables.files);
  const gone = await sql<{ n: number }>`
    WITH gone AS (
      DELETE FROM ${jobs}
      WHERE (status = ANY(${[...tables.unstarted]}::text[]) AND updated_at < now() - make_interval(hours => ${unstartedHours}))
         OR (status IN ('completed', 'failed') AND updated_at < now() - make_interval(days => ${finishedDays}))
      RETURNING 1
    ) SELECT count(*)::int AS n FROM gone`.execute(db);
  const parts = await sql<{ n: number }>`
    WITH gone AS (
      DELETE FROM ${files} f USING ${jobs} j
      WHERE j.workspace_id = f.workspace_id AND j.id = f.import_id AND j.status = 'failed'
        AND j.updated_at < now() - make_interval(hours => ${failedFileHours})
      RETURNING 1
    ) SELECT count(*)::int AS n FROM gone`.execute(db);
  return { jobs: gone.rows[0]?.n ?? 0, fileParts: parts.rows[0]?.n ?? 0 };
}
