import type { Readable } from 'node:stream';
import type { Kysely, Transaction, Updateable } from 'kysely';
import type pg from 'pg';
import type PgBoss from 'pg-boss';
import type { z } from 'zod';
import type { ImportStatus } from '../../../shared/contracts/imports.js';
import { type Actor, systemActor } from '../actor.js';
import type { AuditEntry } from '../audit.js';
import type { Database } from '../db/database.js';
import { failLeased, holdsLease, type Lease, type LeasedJobs, queueLeased, withLease } from '../db/job-lease.js';
import type { DB, ImportJobs } from '../db/schema.js';
import { type DomainEvent, emitEvent, recordChange } from '../events/outbox.js';
import { storeInParts } from '../file-parts.js';
import { AppError } from '../http/errors.js';
import { newId } from '../ids.js';
import { maySeeCreatedBy } from '../policy.js';
import { kyselyOn } from './copy.js';
import * as repo from './import.repository.js';
import { importDb } from './import.repository.js';
import { type Cell, type ImportEncoding, type ImportFormat, readRows } from './import-source.js';

/**
 * The import engine: a file is uploaded (stored in PostgreSQL in parts as it arrives), a job reads it row by row
 * under a lease, writes batches that commit with their checkpoint, pushes its progress over the realtime channel,
 * keeps every rejected row for the report, and resumes where it stopped after a crash. A module supplies an
 * ImportKind: how to map a row and how to write a batch in its own tables.
 */

export type ImportJob<O> = Omit<repo.ImportJobRow, 'options' | 'counts' | 'header' | 'done_ranges' | 'format' | 'encoding'> & {
  format: ImportFormat;
  encoding: ImportEncoding;
  options: O;
  counts: repo.Counts;
  header: string[];
  done_ranges: repo.Range[];
};

/** Knobs for tests and the benchmarks: units (rows, or groups of rows) per batch, and a hook after each committed batch. */
export interface ImportTuning {
  batchSize: number;
  afterBatch?: (info: { importId: string; from: number; to: number; stopped: () => boolean }) => Promise<void> | void;
}

/** One batch to write, in the engine's transaction on `client` (COPY goes through it). */
export interface ImportBatch<Row> {
  client: pg.PoolClient;
  trx: Transaction<DB>;
  actor: Actor;
  importId: string;
  rows: Row[];
}

/** A job being run: built by the module from the job (its mapping, definitions, currency) before the first row. */
export interface ImportRun<Row> {
  /** The file's first row. */
  header?(cells: Cell[]): void;
  /** Parse, validate and map one data row (no database): the engine calls it while the previous batch is written. */
  mapRow(cells: Cell[], rowNumber: number): Row;
  /** Rows with the same unit (an order number) never span two batches; none: every row is a unit. */
  unitOf?(row: Row): string | null;
  /** Writes the batch in the module's tables; returns its tallies and its rejected rows (the engine stores those). */
  writeBatch(batch: ImportBatch<Row>): Promise<{ counts: repo.Counts; rejected: repo.RejectedRow[] }>;
}

export interface ImportKind<O, Row> {
  /** Stored on the job: a kind's routes never see another kind's jobs. */
  kind: string;
  /** The pg-boss queue that runs this kind's jobs. */
  queue: string;
  /** The `module` field of the job's logs. */
  module: string;
  options: z.ZodType<O>;
  tuning: ImportTuning;
  /** Batches written at once, each on its own pooled connection, while the next one is mapped. */
  writers: number;
  /** The file's rows, header first, when the kind reads more than CSV/TSV/XLSX. */
  rows?(source: Readable, job: ImportJob<O>): AsyncIterable<Cell[]>;
  open(options: { db: Kysely<DB>; job: ImportJob<O> }): Promise<ImportRun<Row>>;
  /** The job as the module's API shows it: also the payload of its progress events. */
  present(job: ImportJob<O>): Record<string, unknown>;
  /** The finished job's audit row and event (one for the whole import, not one per row). */
  completed(job: ImportJob<O>, actor: Actor): { audit: AuditEntry; event: DomainEvent };
}

/** Spreadsheet row numbers: the header is row 1, the first data row is row 2 (the numbers Excel shows). */
const FIRST_DATA_ROW = 2;
/** Progress is pushed at most this often per job. */
const PROGRESS_EVERY_MS = 1000;

/** The job row's lease (platform/db/job-lease.ts): one runner at a time, requeued within seconds when it dies. */
export const leaseOf = <O, R>(kind: ImportKind<O, R>): LeasedJobs => ({
  table: 'import_jobs',
  kind: kind.kind,
  queue: kind.queue,
  sendOptions: { retryLimit: 20, retryDelay: 1, expireInSeconds: 15 * 60 },
});

function parseJob<O, R>(kind: ImportKind<O, R>, row: repo.ImportJobRow): ImportJob<O> {
  return {
    ...row,
    format: row.format as ImportFormat,
    encoding: row.encoding as ImportEncoding,
    options: kind.options.parse(row.options),
    counts: row.counts as repo.Counts,
    header: (row.header as unknown[]).map(String),
    done_ranges: row.done_ranges as repo.Range[],
  };
}

export async function loadImport<O, R>(db: Kysely<DB>, kind: ImportKind<O, R>, workspaceId: string, id: string) {
  const row = await repo.findJob(importDb(db), workspaceId, kind.kind, id);
  return row ? parseJob(kind, row) : undefined;
}

export async function updateImport(db: Kysely<DB>, workspaceId: string, id: string, set: Updateable<ImportJobs>) {
  await repo.updateJob(importDb(db), workspaceId, id, set);
}

/** What every kind shows of a job; the module adds its own options and tallies. */
export function presentImportBase<O>(job: ImportJob<O>) {
  const n = (v: unknown) => Number(v ?? 0);
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  const size = n(job.size_bytes);
  return {
    id: job.id,
    filename: job.filename,
    format: job.format,
    // A workbook has no text encoding: the field is for CSV, TSV and vCard.
    encoding: job.format === 'xlsx' ? null : job.encoding,
    status: job.status as ImportStatus,
    sizeBytes: size,
    processed: n(job.processed_count),
    rowsTotal: job.rows_total === null ? null : n(job.rows_total),
    rejected: n(job.rejected_count),
    progress: job.status === 'completed' ? 1 : size ? Math.min(0.99, n(job.bytes_done) / size) : 0,
    failure: job.failure,
    createdAt: iso(job.created_at) as string,
    startedAt: iso(job.started_at),
    finishedAt: iso(job.finished_at),
  };
}

/** The job if the actor may see it (its creator, visibility covering the creator, an admin); else not found, like an unknown id. */
export async function findVisibleImport<O, R>(db: Kysely<DB>, actor: Actor, kind: ImportKind<O, R>, importId: string) {
  const job = await loadImport(db, kind, actor.workspaceId, importId);
  if (!job || !maySeeCreatedBy(actor, job.created_by)) throw new AppError('not_found');
  return job;
}

/** The kind's most recent jobs the actor may see, newest first. */
export async function listImports<O, R>(db: Kysely<DB>, actor: Actor, kind: ImportKind<O, R>, limit: number) {
  let creators: string[] | null = null;
  if (actor.role !== 'admin' && actor.visibility !== 'all') {
    const all = await repo.jobCreators(importDb(db), actor.workspaceId, kind.kind);
    creators = all.filter((c): c is string => !!c && maySeeCreatedBy(actor, c));
  }
  const rows = await repo.recentJobs(importDb(db), actor.workspaceId, kind.kind, creators, limit);
  return rows.map((r) => parseJob(kind, r));
}

/**
 * Stores the uploaded bytes in PostgreSQL as they arrive (the first `sampleBytes` kept for detection), then lets the
 * module look at the stored file (`accept`): anything either throws removes the upload, so nothing half-made stays.
 */
export async function receiveUpload<O, R>(
  options: {
    db: Kysely<DB>;
    actor: Actor;
    kind: ImportKind<O, R>;
    filename: string;
    format: ImportFormat;
    encoding: ImportEncoding;
    jobOptions: O;
    body: Readable;
    sampleBytes?: number;
  },
  accept: (upload: { job: ImportJob<O>; size: number; sample: Buffer }) => Promise<void>,
): Promise<string> {
  const { actor, kind } = options;
  const db = importDb(options.db);
  const ws = actor.workspaceId;
  const id = newId();
  await repo.insertJob(db, {
    workspace_id: ws,
    id,
    kind: kind.kind,
    filename: options.filename,
    format: options.format,
    encoding: options.encoding,
    options: JSON.stringify(options.jobOptions),
    status: 'uploading',
    created_by: actor.userId,
  });
  const sampleBytes = options.sampleBytes ?? 0;
  let sample = Buffer.alloc(0);
  try {
    const size = await storeInParts(
      options.body as AsyncIterable<Buffer>,
      (seq, data) => repo.insertFilePart(db, ws, id, seq, data),
      (chunk) => {
        if (sample.length < sampleBytes) sample = Buffer.concat([sample, chunk.subarray(0, sampleBytes - sample.length)]);
      },
    );
    await repo.updateJob(db, ws, id, { size_bytes: size });
    await accept({ job: (await loadImport(options.db, kind, ws, id)) as ImportJob<O>, size, sample });
  } catch (err) {
    await repo.deleteJob(db, ws, id);
    throw err;
  }
  return id;
}

function rowsOf<O, R>(kind: ImportKind<O, R>, source: Readable, job: ImportJob<O>): AsyncIterable<Cell[]> {
  if (kind.rows) return kind.rows(source, job);
  if (job.format === 'vcf') throw new AppError('unsupported_media_type');
  return readRows(source, job.format, job.encoding);
}

/** The first `n` rows of the stored file (header first); 400 `unreadable` when not even one can be read. */
export async function firstRows<O, R>(db: Kysely<DB>, kind: ImportKind<O, R>, job: ImportJob<O>, n: number): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  const source = repo.fileStream(importDb(db), job.workspace_id, job.id);
  try {
    for await (const row of rowsOf(kind, source, job)) {
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

/**
 * Queues the job: `before` (the module's writes, e.g. a saved mapping), the job's last settings and its pg-boss
 * job commit together, so a job is never queued twice nor left without its runner.
 */
export async function queueImport<O, R>(options: {
  database: Database;
  boss: PgBoss;
  kind: ImportKind<O, R>;
  workspaceId: string;
  importId: string;
  set: Updateable<ImportJobs>;
  before?: (trx: Transaction<DB>) => Promise<void>;
}) {
  const { workspaceId, importId } = options;
  const client = await options.database.pool.connect();
  try {
    await client.query('BEGIN');
    const trx = kyselyOn(client);
    await options.before?.(trx);
    await repo.updateJob(importDb(trx), workspaceId, importId, { ...options.set, status: 'queued' });
    await queueLeased(client, options.boss, leaseOf(options.kind), { workspaceId, id: importId });
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** The job stops between batches when the server shuts down (pg-boss hands it on and it resumes) or when another runner took its lease over. */
export class ImportInterrupted extends Error {}

export interface RunOptions {
  database: Database;
  workspaceId: string;
  importId: string;
  stopped?: () => boolean;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

/** Runs (or resumes) a queued job; nothing when it is finished or another live runner has it. */
export async function runImport<O, R>(kind: ImportKind<O, R>, options: RunOptions) {
  const { database, workspaceId, importId } = options;
  const queued = await loadImport(database.db, kind, workspaceId, importId);
  if (!queued || !['queued', 'running'].includes(queued.status)) return;
  await withLease(database.pool, leaseOf(kind), { workspaceId, id: importId }, (lease) => runLeased(kind, options, lease));
}

const isDone = (row: number, next: number, ranges: repo.Range[]) => row < next || ranges.some(([a, b]) => row >= a && row < b);

/**
 * Rows after the checkpoint are mapped in JS and written in batches of `tuning.batchSize` units; each batch commits
 * in one transaction with its rejected rows, its tallies and its checkpoint range, so a restart neither repeats
 * nor loses a row. Up to `writers` batches are written at once while the next is mapped; a resumed job skips
 * every committed range.
 */
async function runLeased<O, Row>(kind: ImportKind<O, Row>, options: RunOptions, lease: Lease) {
  const { database, workspaceId: ws, importId } = options;
  const { db } = database;
  const stopping = options.stopped ?? (() => false);
  const stopped = () => stopping() || lease.lost();
  // Read after the claim: the checkpoint is the one the last runner committed.
  const job = (await loadImport(db, kind, ws, importId)) as ImportJob<O>;
  // The job acts for its creator (audit, events), seeing the whole workspace as a system job does.
  const actor: Actor = { ...systemActor(ws), kind: 'user', userId: job.created_by };
  const next = Number(job.next_row);
  const ranges = job.done_ranges;
  let bytes = 0;
  const source = repo.fileStream(importDb(db), ws, importId, (n) => {
    bytes += n;
  });
  const inflight = new Set<Promise<void>>();
  let failure: unknown = null;
  let lastProgress = 0;
  let batch: Row[] = [];
  let units = 0;
  let batchStart = -1;
  let rowIndex = 0;

  const write = async (from: number, to: number, rows: Row[]) => {
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      // A batch commits without waiting for its WAL flush: lost in a database crash, it loses its checkpoint range
      // with it and is written again; anything committed later (pg-boss's job completion) flushes it.
      await client.query('SET LOCAL synchronous_commit = off');
      const trx = kyselyOn(client);
      const { counts, rejected } = await run.writeBatch({ client, trx, actor, importId, rows });
      if (rejected.length) await repo.insertErrors(client, ws, importId, rejected);
      const ok = await repo.commitChunk(client, { workspaceId: ws, id: importId, lease: lease.token }, from, to, {
        rejected: rejected.length,
        bytes,
        counts,
      });
      if (!ok) throw new ImportInterrupted('rows already committed: another worker has this import');
      if (Date.now() - lastProgress > PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        const current = (await loadImport(trx, kind, ws, importId)) as ImportJob<O>;
        await emitEvent(trx, actor, progressEvent(kind, current));
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    await kind.tuning.afterBatch?.({ importId, from, to, stopped });
  };

  const flush = async () => {
    if (batchStart < 0) return;
    while (inflight.size >= kind.writers) await Promise.race(inflight);
    if (failure) throw failure;
    if (stopped()) throw new ImportInterrupted(lease.lost() ? 'lease taken over' : 'server stopping');
    const task = write(batchStart, rowIndex, batch);
    batch = [];
    units = 0;
    batchStart = -1;
    // A module that locks shared rows (metrics, pairs) locks them in key order, so parallel batches never deadlock;
    // the job row is locked last (the checkpoint), which only serialises the commits.
    const tracked: Promise<void> = task
      .catch((err) => {
        failure ??= err;
      })
      .finally(() => inflight.delete(tracked));
    inflight.add(tracked);
  };

  const run = await kind.open({ db, job });
  try {
    let header = true;
    let lastUnit: string | null = null;
    for await (const cells of rowsOf(kind, source, job)) {
      if (header) {
        header = false;
        run.header?.(cells);
        continue;
      }
      const index = rowIndex;
      if (isDone(index, next, ranges)) {
        // A range committed before the restart: the batch being built must not span it.
        await flush();
        rowIndex++;
        lastUnit = null;
        continue;
      }
      const row = run.mapRow(cells, index + FIRST_DATA_ROW);
      const unit = run.unitOf?.(row) ?? null;
      const startsUnit = unit === null || unit !== lastUnit;
      if (startsUnit && units >= kind.tuning.batchSize) await flush();
      rowIndex++;
      lastUnit = unit;
      if (batchStart < 0) batchStart = index;
      if (startsUnit) units++;
      batch.push(row);
      // Let the pending writes make progress while this batch is being mapped.
      if (batch.length % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    await flush();
    await Promise.all(inflight);
    if (failure) throw failure;
    await finish(kind, database, actor, importId, rowIndex, lease.token);
  } catch (err) {
    await Promise.all(inflight);
    // Stopping, or the database went away: pg-boss retries and the job resumes from its checkpoint.
    if (err instanceof ImportInterrupted || lostConnection(err)) throw err;
    options.log?.('import failed', { importId, err: (err as Error).message });
    await fail(kind, database, actor, importId, lease.token, String((err as Error).message).slice(0, 1000));
  } finally {
    source.destroy();
  }
}

/**
 * Pushed to the browsers (realtime) at most every PROGRESS_EVERY_MS while the job runs, and when it fails: the
 * screens following a job refetch it on this event instead of polling. Seen by those who may see its creator.
 */
function progressEvent<O, R>(kind: ImportKind<O, R>, job: ImportJob<O>): DomainEvent {
  return {
    type: 'import.progress',
    entityType: 'import',
    entityId: job.id,
    ownerId: job.created_by,
    payload: { kind: kind.kind, ...kind.present(job) },
  };
}

/** Marks the job failed (if this runner still holds it) and pushes that, so a screen following it stops waiting. */
async function fail<O, R>(kind: ImportKind<O, R>, database: Database, actor: Actor, importId: string, token: string, failure: string) {
  const ws = actor.workspaceId;
  await (database.db as Kysely<DB>).transaction().execute(async (trx) => {
    await failLeased<DB>(trx, leaseOf(kind), { workspaceId: ws, id: importId }, token, failure);
    const job = await loadImport(trx, kind, ws, importId);
    if (job?.status === 'failed') await emitEvent(trx, actor, progressEvent(kind, job));
  });
}

function lostConnection(err: unknown): boolean {
  const code = String((err as { code?: unknown })?.code ?? '');
  return code.startsWith('08') || code.startsWith('57P') || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE';
}

async function finish<O, R>(kind: ImportKind<O, R>, database: Database, actor: Actor, importId: string, rows: number, token: string) {
  const ws = actor.workspaceId;
  await (database.db as Kysely<DB>).transaction().execute(async (trx) => {
    if (!(await holdsLease<DB>(trx, leaseOf(kind), { workspaceId: ws, id: importId }, token)))
      throw new ImportInterrupted('lease taken over');
    await repo.updateJob(importDb(trx), ws, importId, { status: 'completed', rows_total: rows, finished_at: new Date() });
    // The stored file is not needed any more: the report keeps the rejected rows' cells.
    await repo.deleteFile(importDb(trx), ws, importId);
    const job = (await loadImport(trx, kind, ws, importId)) as ImportJob<O>;
    await recordChange(trx, actor, kind.completed(job, actor));
  });
}
