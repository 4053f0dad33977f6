import type { Readable } from 'node:stream';
import type PgBoss from 'pg-boss';
import { type Actor, systemActor } from '../../platform/actor.js';
import type { Database, Db } from '../../platform/db/database.js';
import { failLeased, holdsLease, type Lease, type LeasedJobs, queueLeased, withLease } from '../../platform/db/job-lease.js';
import { storeInParts } from '../../platform/db/stored-file.js';
import { emitEvent, recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { canSeeCreatedBy } from '../../platform/policy.js';
import { userIdsOf } from '../accounts/index.js';
import { listCustomFields } from './custom-fields.js';
import * as repo from './import.repository.js';
import {
  checkMapping,
  decodeSample,
  detectEncoding,
  detectFormat,
  type EntityType,
  type ImportEncoding,
  type ImportFormat,
  suggestMapping,
} from './import-mapping.js';
import type { Cell } from './import-rows.js';
import { readRows } from './import-source.js';
import { type ChunkContext, type MatchOn, type Mode, type PreparedRow, prepareRow, writeChunk } from './import-writer.js';

export const IMPORT_QUEUE = 'customers-import';
/** Hourly: uploads never started, failed jobs' files and month-old jobs are removed (IMPORT_RETENTION). */
export const IMPORT_SWEEP_QUEUE = 'customers-import-sweep';
/** The job row's lease (platform/db/job-lease.ts): one runner at a time, requeued within seconds when it dies. */
export const IMPORT_LEASE: LeasedJobs = {
  table: 'import_jobs',
  queue: IMPORT_QUEUE,
  sendOptions: { retryLimit: 20, retryDelay: 1, expireInSeconds: 15 * 60 },
};
const SAMPLE_SIZE = 64 * 1024;
const PREVIEW_ROWS = 20;

/** Knobs for tests and the benchmark: rows per transaction, and a hook after each committed chunk. */
export const importTuning: {
  chunkSize: number;
  afterChunk?: (info: { importId: string; nextRow: number; stopped: () => boolean }) => Promise<void> | void;
} = { chunkSize: 5000 };

/** Data rows start at spreadsheet row 2 (row 1 is the header): the report uses the numbers Excel shows. */
const FIRST_DATA_ROW = 2;

async function firstRows(db: Db, job: { workspace_id: string; id: string }, format: ImportFormat, encoding: ImportEncoding, n: number) {
  const rows: Cell[][] = [];
  const source = repo.fileStream(db, job.workspace_id, job.id);
  try {
    for await (const row of readRows(source, format, encoding)) {
      rows.push(row);
      if (rows.length >= n) break;
    }
  } catch (err) {
    if (!rows.length)
      throw new AppError('validation_failed', { issues: [{ path: 'file', code: 'unreadable', message: (err as Error).message }] });
  } finally {
    source.destroy();
  }
  return rows;
}

const text = (c: Cell) => (c === null || c === undefined ? '' : c instanceof Date ? c.toISOString().slice(0, 10) : String(c));

async function describeFile(db: Db, job: repo.ImportJobRow) {
  const rows = await firstRows(db, job, job.format, job.encoding, PREVIEW_ROWS + 1);
  const header = (rows[0] ?? []).map(text);
  return { header, preview: rows.slice(1).map((r) => r.map(text)) };
}

/** Store the uploaded bytes in PostgreSQL as they arrive, then tell what the file is and suggest a mapping. */
export async function uploadImport(options: {
  db: Db;
  actor: Actor;
  entityType: EntityType;
  filename: string;
  body: Readable;
  encoding?: ImportEncoding;
}) {
  const { db, actor } = options;
  const id = newId();
  await repo.insertJob(db, {
    workspace_id: actor.workspaceId,
    id,
    entity_type: options.entityType,
    filename: options.filename,
    format: 'csv',
    encoding: 'utf8',
    detected_encoding: 'utf8',
    status: 'uploading',
    created_by: actor.userId,
  });
  let sample = Buffer.alloc(0);
  let size: number;
  try {
    size = await storeInParts(
      options.body as AsyncIterable<Buffer>,
      (seq, data) => repo.insertFilePart(db, actor.workspaceId, id, seq, data),
      (chunk) => {
        if (sample.length < SAMPLE_SIZE) sample = Buffer.concat([sample, chunk.subarray(0, SAMPLE_SIZE - sample.length)]);
      },
    );
  } catch (err) {
    await repo.deleteJob(db, actor.workspaceId, id);
    throw err;
  }
  if (size === 0) {
    await repo.deleteJob(db, actor.workspaceId, id);
    throw new AppError('validation_failed', { issues: [{ path: 'file', code: 'empty' }] });
  }
  const detected = detectEncoding(sample);
  const encoding = options.encoding ?? detected;
  const format = detectFormat(sample, decodeSample(sample, encoding));
  if (!format || (format === 'vcf' && options.entityType !== 'person')) {
    await repo.deleteJob(db, actor.workspaceId, id);
    throw new AppError('unsupported_media_type', { issues: [{ path: 'file', code: 'not_csv_xlsx_or_vcard' }] });
  }
  await repo.updateJob(db, actor.workspaceId, id, {
    format,
    encoding,
    detected_encoding: detected,
    size_bytes: size,
    status: 'uploaded',
  });
  const job = (await repo.findJob(db, actor.workspaceId, id)) as repo.ImportJobRow;
  let described: Awaited<ReturnType<typeof describeFile>>;
  try {
    described = await describeFile(db, job);
  } catch (err) {
    await repo.deleteJob(db, actor.workspaceId, id);
    throw err;
  }
  if (!described.header.length) {
    await repo.deleteJob(db, actor.workspaceId, id);
    throw new AppError('validation_failed', { issues: [{ path: 'file', code: 'empty' }] });
  }
  await repo.updateJob(db, actor.workspaceId, id, { header: JSON.stringify(described.header) });
  return { ...(await presentWithMappings(db, actor, { ...job, header: described.header })), preview: described.preview };
}

async function presentWithMappings(db: Db, actor: Actor, job: repo.ImportJobRow) {
  const defs = await listCustomFields(db, actor.workspaceId, job.entity_type);
  const saved = await repo.listMappings(db, actor.workspaceId, job.entity_type);
  const header = job.header.map(String);
  // A saved mapping whose headers all appear in this file is applied to the suggestion.
  const fitting = saved.find((m) => Object.keys(m.mapping as Record<string, string>).every((h) => header.includes(h)));
  return {
    ...presentJob(job),
    header,
    // A vCard becomes fixed columns named after the fields: they map to themselves.
    suggestedMapping:
      job.format === 'vcf'
        ? Object.fromEntries(header.map((h, i) => [String(i), h]))
        : suggestMapping(header, job.entity_type, defs, fitting?.mapping as Record<string, string> | undefined),
    savedMappings: saved.map((m) => ({ id: m.id as string, name: m.name as string, mapping: m.mapping as Record<string, string> })),
  };
}

export function presentJob(r: repo.ImportJobRow) {
  const n = (v: unknown) => Number(v ?? 0);
  const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
  const size = n(r.size_bytes);
  return {
    id: r.id,
    entityType: r.entity_type,
    filename: r.filename as string,
    format: r.format,
    encoding: r.encoding,
    detectedEncoding: r.detected_encoding as 'utf8' | 'cp932',
    status: r.status as 'uploading' | 'uploaded' | 'queued' | 'running' | 'completed' | 'failed',
    mode: (r.mode ?? null) as Mode | null,
    matchOn: (r.match_on ?? null) as MatchOn | null,
    mapping: (r.mapping ?? null) as Record<string, string> | null,
    sizeBytes: size,
    processed: n(r.next_row),
    rowsTotal: r.rows_total === null || r.rows_total === undefined ? null : n(r.rows_total),
    created: n(r.created_count),
    updated: n(r.updated_count),
    skipped: n(r.skipped_count),
    rejected: n(r.rejected_count),
    companiesCreated: n(r.companies_created),
    progress: r.status === 'completed' ? 1 : size ? Math.min(0.99, n(r.bytes_done) / size) : 0,
    failure: (r.failure ?? null) as string | null,
    createdAt: iso(r.created_at) as string,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

/** The job if the actor may see it (its creator, visibility covering the creator, an admin); else not found, like an unknown id. */
export async function findVisibleJob(db: Db, actor: Actor, importId: string) {
  const job = await repo.findJob(db, actor.workspaceId, importId);
  if (!job || !(await canSeeCreatedBy(db, actor, job.created_by))) throw new AppError('not_found');
  return job;
}

export async function getImport(options: { db: Db; actor: Actor; importId: string }) {
  return presentJob(await findVisibleJob(options.db, options.actor, options.importId));
}

/** Check the mapping and options, then queue the job in the same transaction as the status change. */
export async function startImport(options: {
  database: Database;
  boss: PgBoss;
  actor: Actor;
  importId: string;
  input: { mapping: Record<string, string>; mode: Mode; matchOn: MatchOn; encoding?: ImportEncoding; saveMappingAs?: string };
}) {
  const { database, actor, input } = options;
  const { db } = database;
  let job = await findVisibleJob(db, actor, options.importId);
  // Only the creator (or an admin) chooses how their file is read: others who may see the upload cannot start it.
  if (job.created_by !== actor.userId && actor.role !== 'admin') throw new AppError('forbidden');
  if (job.status !== 'uploaded') throw new AppError('conflict', { current: presentJob(job) });
  if (input.encoding && input.encoding !== job.encoding) {
    if (job.format === 'xlsx') throw new AppError('validation_failed', { issues: [{ path: 'encoding', code: 'not_for_xlsx' }] });
    await repo.updateJob(db, actor.workspaceId, job.id, { encoding: input.encoding });
    job = (await repo.findJob(db, actor.workspaceId, job.id)) as repo.ImportJobRow;
    const { header } = await describeFile(db, job);
    await repo.updateJob(db, actor.workspaceId, job.id, { header: JSON.stringify(header) });
    job.header = header;
  }
  const defs = await listCustomFields(db, actor.workspaceId, job.entity_type);
  const issues = checkMapping(input.mapping, job.header.length, job.entity_type, defs, input.mode);
  if (input.matchOn === 'id' && input.mode !== 'create' && !Object.values(input.mapping).includes('id'))
    issues.push({ path: 'matchOn', code: 'id_not_mapped' });
  if (issues.length) throw new AppError('validation_failed', { issues });
  const client = await database.pool.connect();
  try {
    await client.query('BEGIN');
    const trx = repo.kyselyOn(client);
    if (input.saveMappingAs) {
      const byHeader = Object.fromEntries(Object.entries(input.mapping).map(([i, f]) => [job.header[Number(i)], f]));
      await repo.saveMapping(trx, {
        workspace_id: actor.workspaceId,
        id: newId(),
        entity_type: job.entity_type,
        name: input.saveMappingAs,
        mapping: JSON.stringify(byHeader),
        created_by: actor.userId,
      });
    }
    await repo.updateJob(trx, actor.workspaceId, job.id, {
      mapping: JSON.stringify(input.mapping),
      mode: input.mode,
      match_on: input.matchOn,
      status: 'queued',
    });
    await queueLeased(client, options.boss, IMPORT_LEASE, { workspaceId: actor.workspaceId, id: job.id });
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return getImport({ db, actor, importId: job.id });
}

/**
 * The job stops between chunks when the server shuts down (pg-boss hands it to the next instance, which resumes)
 * or when another runner took its lease over.
 */
export class ImportInterrupted extends Error {}

/**
 * Run (or resume) an import: rows after the checkpoint are read, normalised in JS and written chunk by
 * chunk; each chunk and the new checkpoint commit together, so a restart neither repeats nor loses rows.
 * The next chunk is prepared while the previous one is being written.
 */
export async function runImport(options: {
  database: Database;
  workspaceId: string;
  importId: string;
  stopped?: () => boolean;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}) {
  const { database, workspaceId, importId } = options;
  const { db } = database;
  const queued = await repo.findJob(db, workspaceId, importId);
  if (!queued || queued.status === 'completed' || queued.status === 'failed' || !queued.mapping) return;
  // When another live runner has it, this pg-boss job has nothing to do.
  await withLease(database.pool, IMPORT_LEASE, { workspaceId, id: importId }, (lease) => runLeased({ ...options, lease }));
}

async function runLeased(options: {
  database: Database;
  workspaceId: string;
  importId: string;
  lease: Lease;
  stopped?: () => boolean;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}) {
  const { database, workspaceId, importId, lease } = options;
  const { db } = database;
  const stopping = options.stopped ?? (() => false);
  const stopped = () => stopping() || lease.lost();
  // Read after the claim: the checkpoint is the one the last runner committed.
  const job = (await repo.findJob(db, workspaceId, importId)) as repo.ImportJobRow;
  const actor: Actor = { ...systemActor(workspaceId), kind: 'user', userId: job.created_by };
  const client = await database.pool.connect();
  let bytes = 0;
  const source = repo.fileStream(db, workspaceId, importId, (n) => {
    bytes += n;
  });
  try {
    const defs = await listCustomFields(db, workspaceId, job.entity_type);
    const ctx: ChunkContext = {
      client,
      workspaceId,
      importId,
      userId: job.created_by,
      entityType: job.entity_type,
      mode: job.mode as Mode,
      matchOn: job.match_on as MatchOn,
      defs,
      users: defs.some((d) => d.type === 'user') ? await userIdsOf(db, workspaceId) : undefined,
      columnOf: new Map(Object.entries(job.mapping ?? {}).map(([i, f]) => [f, Number(i)])),
    };
    let position = Number(job.next_row);
    let skip = position;
    let rowIndex = 0;
    let lastEvent = 0;
    let batch: PreparedRow[] = [];
    let writing: Promise<unknown> = Promise.resolve();
    const commit = async (rows: PreparedRow[], from: number, to: number) => {
      await client.query('BEGIN');
      // Per transaction (SET LOCAL), so nothing leaks to the pooled connection's next user. A big pending
      // list lets the GIN indexes (bigrams, trigrams, tags) batch their inserts. The chunk commits without
      // waiting for the WAL flush: lost in a database crash, it loses its checkpoint with it and is written
      // again; anything committed later (pg-boss's job completion) flushes it.
      await client.query("SET LOCAL gin_pending_list_limit = '32MB'; SET LOCAL work_mem = '128MB'; SET LOCAL synchronous_commit = off");
      try {
        const counts = await writeChunk(ctx, rows);
        const ok = await repo.advanceCheckpoint(client, workspaceId, importId, lease.token, from, to, { ...counts, bytes });
        if (!ok) throw new ImportInterrupted('checkpoint moved: another worker has this import');
        if (Date.now() - lastEvent > 1000) {
          lastEvent = Date.now();
          const current = (await repo.findJob(repo.kyselyOn(client), workspaceId, importId)) as repo.ImportJobRow;
          await emitEvent(repo.kyselyOn(client), actor, {
            type: 'import.progress',
            entityType: 'import',
            entityId: importId,
            ownerId: job.created_by,
            payload: presentJob(current),
          });
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      await importTuning.afterChunk?.({ importId, nextRow: to, stopped });
    };
    let header = true;
    const flush = async () => {
      const rows = batch;
      batch = [];
      const from = position;
      const to = position + rows.length;
      position = to;
      await writing;
      if (stopped()) throw new ImportInterrupted(lease.lost() ? 'lease taken over' : 'server stopping');
      writing = commit(rows, from, to);
      // Surface a failed write at the next await instead of as an unhandled rejection.
      writing.catch(() => {});
    };
    for await (const cells of readRows(source, job.format, job.encoding)) {
      if (header) {
        header = false;
        continue;
      }
      const rowNumber = rowIndex + FIRST_DATA_ROW;
      rowIndex++;
      if (skip > 0) {
        skip--;
        continue;
      }
      batch.push(prepareRow(ctx, cells, rowNumber));
      // Let the pending COPY make progress while this chunk is being prepared.
      if (batch.length % 500 === 0) await new Promise((r) => setImmediate(r));
      if (batch.length >= importTuning.chunkSize) await flush();
    }
    if (batch.length) await flush();
    await writing;
    await finish(client, actor, importId, rowIndex, lease.token);
  } catch (err) {
    // Stopping, or the database went away: pg-boss retries and the job resumes from its checkpoint.
    if (err instanceof ImportInterrupted || lostConnection(err)) throw err;
    options.log?.('import failed', { importId, err: (err as Error).message });
    await failLeased(db, IMPORT_LEASE, { workspaceId, id: importId }, lease.token, String((err as Error).message).slice(0, 1000));
  } finally {
    source.destroy();
    client.release();
  }
}

function lostConnection(err: unknown): boolean {
  const code = String((err as { code?: unknown })?.code ?? '');
  return code.startsWith('08') || code.startsWith('57P') || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE';
}

async function finish(client: import('pg').PoolClient, actor: Actor, importId: string, rows: number, token: string) {
  await client.query('BEGIN');
  try {
    const trx = repo.kyselyOn(client);
    if (!(await holdsLease(trx, IMPORT_LEASE, { workspaceId: actor.workspaceId, id: importId }, token)))
      throw new ImportInterrupted('lease taken over');
    await repo.updateJob(trx, actor.workspaceId, importId, {
      status: 'completed',
      rows_total: rows,
      finished_at: new Date(),
      bytes_done: 0,
    });
    // The stored file is not needed any more: the report keeps the rejected rows' cells.
    await repo.deleteFile(trx, actor.workspaceId, importId);
    const job = presentJob((await repo.findJob(trx, actor.workspaceId, importId)) as repo.ImportJobRow);
    // One audit row and one event for the whole import, not one per row (see docs/customers-import-export.md).
    await recordChange(trx, actor, {
      audit: {
        action: 'import.completed',
        entityType: 'import',
        entityId: importId,
        after: {
          entityType: job.entityType,
          filename: job.filename,
          mode: job.mode,
          rows: job.rowsTotal,
          created: job.created,
          updated: job.updated,
          skipped: job.skipped,
          rejected: job.rejected,
          companiesCreated: job.companiesCreated,
        },
      },
      event: { type: 'import.completed', entityType: 'import', entityId: importId, ownerId: actor.userId, payload: job },
    });
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
