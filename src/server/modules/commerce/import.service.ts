import type { Readable } from 'node:stream';
import type pg from 'pg';
import type PgBoss from 'pg-boss';
import type { OrderImportJob } from '../../../shared/contracts/commerce.js';
import type { Actor } from '../../platform/actor.js';
import type { Database, Db } from '../../platform/db/database.js';
import { failLeased, holdsLease, type Lease, type LeasedJobs, queueLeased, withLease } from '../../platform/db/job-lease.js';
import { storeInParts } from '../../platform/db/stored-file.js';
import { emitEvent, recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { canSeeCreatedBy } from '../../platform/policy.js';
import { kyselyOn, readRows } from '../customers/index.js';
import * as importRepo from './import.repository.js';
import * as jobs from './import-job.repository.js';
import { cellText, checkHeader, type ParsedLine, parseLine, prepareOrders, rejectedRow } from './import-rows.js';
import { workspaceCurrency } from './orders.repository.js';
import { orderTimeline } from './orders.service.js';

export const ORDER_IMPORT_QUEUE = 'commerce-order-import';
/** Hourly: interrupted uploads, failed jobs' files and month-old jobs are removed (IMPORT_RETENTION). */
export const ORDER_IMPORT_SWEEP_QUEUE = 'commerce-order-import-sweep';
/** The job row's lease (platform/db/job-lease.ts): one runner at a time, requeued within seconds when it dies. */
export const ORDER_IMPORT_LEASE: LeasedJobs = {
  table: 'order_imports',
  queue: ORDER_IMPORT_QUEUE,
  sendOptions: { retryLimit: 20, retryDelay: 1, expireInSeconds: 15 * 60 },
};
/** Batches being written at once, each on its own pooled connection, while the next one is parsed. */
const WRITERS = 2;
/**
 * Up to this file size every imported order gets its own `order.created` event with its timeline entry, as an
 * order saved in the UI does; a bigger file writes one `orders.imported` event per batch (see docs/commerce.md).
 */
export const TIMELINE_MAX_BYTES = 1024 * 1024;

/** Knobs for tests and the benchmark: orders per batch, and a hook after each committed batch. */
export const orderImportTuning: {
  batchOrders: number;
  afterChunk?: (info: { importId: string; from: number; to: number }) => Promise<void> | void;
} = { batchOrders: 5000 };

/** Spreadsheet row numbers: the header is row 1, the first data row is row 2. */
const FIRST_DATA_ROW = 2;

export function presentImport(r: jobs.OrderImportRow): OrderImportJob {
  const n = (v: unknown) => Number(v ?? 0);
  const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
  const size = n(r.size_bytes);
  return {
    id: r.id,
    filename: r.filename,
    format: r.format,
    encoding: r.encoding,
    status: r.status,
    sizeBytes: size,
    processed: n(r.processed_count),
    rowsTotal: r.rows_total === null || r.rows_total === undefined ? null : n(r.rows_total),
    inserted: n(r.inserted_count),
    skipped: n(r.skipped_count),
    rejected: n(r.rejected_count),
    progress: r.status === 'completed' ? 1 : size ? Math.min(0.99, n(r.bytes_done) / size) : 0,
    timeline: r.timeline,
    failure: r.failure ?? null,
    createdAt: iso(r.created_at) as string,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

/** The job if the actor may see it (its creator, visibility covering the creator, an admin); else not found, like an unknown id. */
export async function findVisibleImport(db: Db, actor: Actor, importId: string) {
  const job = await jobs.findJob(db, actor.workspaceId, importId);
  if (!job || !(await canSeeCreatedBy(db, actor, job.created_by))) throw new AppError('not_found');
  return job;
}

export async function getOrderImport(options: { db: Db; actor: Actor; importId: string }) {
  return presentImport(await findVisibleImport(options.db, options.actor, options.importId));
}

export async function listImportErrors(options: { db: Db; actor: Actor; importId: string; afterRow: number; limit: number }) {
  const job = await findVisibleImport(options.db, options.actor, options.importId);
  const page = await jobs.errorPage(options.db, job.workspace_id, job.id, options.afterRow, options.limit + 1);
  const data = page.slice(0, options.limit).map((r) => ({
    row: Number(r.row_number),
    orderNumber: (r.order_number as string | null) ?? null,
    reasons: r.reasons as string[],
  }));
  return { data, nextAfterRow: page.length > options.limit ? (data.at(-1)?.row ?? null) : null };
}

async function readHeader(db: Db, job: jobs.OrderImportRow) {
  const source = jobs.fileStream(db, job.workspace_id, job.id);
  try {
    for await (const row of readRows(source, job.format, job.encoding)) return row;
  } catch (err) {
    throw new AppError('validation_failed', { issues: [{ path: 'file', code: 'unreadable', message: (err as Error).message }] });
  } finally {
    source.destroy();
  }
  return null;
}

/**
 * Stores the uploaded bytes in PostgreSQL as they arrive, checks the header (400 and nothing kept when a
 * required column is missing), then queues the job in the same transaction as the status change (202).
 */
export async function uploadOrderImport(options: {
  database: Database;
  boss: PgBoss;
  actor: Actor;
  filename: string;
  format: 'csv' | 'tsv' | 'xlsx';
  encoding: 'utf8' | 'cp932';
  body: Readable;
}) {
  const { database, actor } = options;
  const { db } = database;
  const ws = actor.workspaceId;
  const id = newId();
  await jobs.insertJob(db, {
    workspace_id: ws,
    id,
    filename: options.filename,
    format: options.format,
    encoding: options.format === 'xlsx' ? 'utf8' : options.encoding,
    status: 'uploading',
    created_by: actor.userId,
  });
  let size = 0;
  let header: string[] = [];
  try {
    size = await storeInParts(options.body as AsyncIterable<Buffer>, (seq, data) => jobs.insertFilePart(db, ws, id, seq, data));
    if (!size) throw new AppError('validation_failed', { issues: [{ path: 'file', code: 'empty_file' }] });
    const job = (await jobs.findJob(db, ws, id)) as jobs.OrderImportRow;
    const first = await readHeader(db, job);
    if (!first) throw new AppError('validation_failed', { issues: [{ path: 'header', code: 'empty_file' }] });
    checkHeader(first);
    header = first.map(cellText);
  } catch (err) {
    await jobs.deleteJob(db, ws, id);
    throw err;
  }
  const client = await database.pool.connect();
  try {
    await client.query('BEGIN');
    await jobs.updateJob(kyselyOn(client), ws, id, {
      status: 'queued',
      size_bytes: size,
      header: JSON.stringify(header),
      timeline: size <= TIMELINE_MAX_BYTES,
    });
    await queueLeased(client, options.boss, ORDER_IMPORT_LEASE, { workspaceId: ws, id });
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return getOrderImport({ db, actor, importId: id });
}

/** The job stops between batches when the server shuts down (pg-boss hands it on and it resumes) or when another runner took its lease over. */
export class ImportInterrupted extends Error {}

const isDone = (row: number, next: number, ranges: [number, number][]) => row < next || ranges.some(([a, b]) => row >= a && row < b);

/**
 * Runs (or resumes) an import. Rows are grouped into orders by number and written in batches of
 * `batchOrders` orders; each batch commits in one transaction with its lines, product pairs, metric deltas,
 * rejected rows, events and its checkpoint range, so a restart neither repeats nor loses a row. Two batches
 * are written at once while the next is parsed; a resumed job skips every committed range.
 */
export async function runOrderImport(options: {
  database: Database;
  workspaceId: string;
  importId: string;
  stopped?: () => boolean;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}) {
  const { database, workspaceId: ws, importId } = options;
  const queued = await jobs.findJob(database.db, ws, importId);
  if (!queued || queued.status === 'completed' || queued.status === 'failed' || queued.status === 'uploading') return;
  // When another live runner has it, this pg-boss job has nothing to do.
  await withLease(database.pool, ORDER_IMPORT_LEASE, { workspaceId: ws, id: importId }, (lease) => runLeased({ ...options, lease }));
}

async function runLeased(options: {
  database: Database;
  workspaceId: string;
  importId: string;
  lease: Lease;
  stopped?: () => boolean;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}) {
  const { database, workspaceId: ws, importId, lease } = options;
  const { db } = database;
  const stopping = options.stopped ?? (() => false);
  const stopped = () => stopping() || lease.lost();
  // Read after the claim: the checkpoint is the one the last runner committed.
  const job = (await jobs.findJob(db, ws, importId)) as jobs.OrderImportRow;
  const actor: Actor = {
    kind: 'user',
    workspaceId: ws,
    userId: job.created_by,
    role: 'admin',
    teamIds: [],
    teammateIds: [],
    visibility: 'all',
    locale: 'ja',
  };
  const next = Number(job.next_row);
  const ranges = job.done_ranges;
  const currency = await workspaceCurrency(db, ws);
  const products = new Map<string, importRepo.ProductRef | null>();
  let bytes = 0;
  const source = jobs.fileStream(db, ws, importId, (n) => {
    bytes += n;
  });
  const inflight = new Set<Promise<void>>();
  let failure: unknown = null;
  let groups = new Map<string, ParsedLine[]>();
  let rejects: ReturnType<typeof rejectedRow>[] = [];
  let chunkStart = -1;
  let rowIndex = 0;

  const write = async (from: number, to: number, batch: Map<string, ParsedLine[]>, early: ReturnType<typeof rejectedRow>[]) => {
    const { orders, rejected } = await prepareOrders({ db, workspaceId: ws, currency, products, batch });
    rejected.push(...early);
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      // Per transaction, as the customers import does: a batch commits without waiting for its WAL flush; lost in
      // a database crash, it loses its checkpoint range with it and is written again (the next commit flushes it).
      await client.query('SET LOCAL synchronous_commit = off');
      const trx = kyselyOn(client);
      const inserted = orders.length ? await importRepo.writeOrders(client, trx, ws, actor.userId, orders) : [];
      if (rejected.length) await jobs.insertErrors(client, ws, importId, rejected);
      if (inserted.length) await announce(client, actor, importId, orders, inserted, job.timeline);
      const ok = await jobs.commitChunk(client, ws, importId, lease.token, from, to, {
        rows: to - from,
        inserted: inserted.length,
        skipped: orders.length - inserted.length,
        rejected: rejected.length,
        bytes,
      });
      if (!ok) throw new ImportInterrupted('rows already committed: another worker has this import');
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    await orderImportTuning.afterChunk?.({ importId, from, to });
  };

  const flush = async () => {
    if (chunkStart < 0) return;
    if (stopped()) throw new ImportInterrupted(lease.lost() ? 'lease taken over' : 'server stopping');
    const task = write(chunkStart, rowIndex, groups, rejects);
    groups = new Map();
    rejects = [];
    chunkStart = -1;
    // Metric and pair rows are locked in key order, so parallel batches never deadlock; the job row is locked
    // last (the checkpoint), which only serialises the commits.
    const tracked: Promise<void> = task
      .catch((err) => {
        failure ??= err;
      })
      .finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    if (inflight.size >= WRITERS) await Promise.race(inflight);
    if (failure) throw failure;
  };

  try {
    let cols: Record<string, number> | null = null;
    let lastNumber: string | null = null;
    for await (const cells of readRows(source, job.format, job.encoding)) {
      if (!cols) {
        cols = checkHeader(cells);
        continue;
      }
      const index = rowIndex;
      if (isDone(index, next, ranges)) {
        // A range committed before the restart: the batch being built must not span it.
        await flush();
        rowIndex++;
        lastNumber = null;
        continue;
      }
      const line = parseLine(cells, cols, index + FIRST_DATA_ROW);
      if (line.orderNumber !== lastNumber && groups.size >= orderImportTuning.batchOrders) await flush();
      rowIndex++;
      lastNumber = line.orderNumber;
      if (chunkStart < 0) chunkStart = index;
      if (!line.orderNumber) {
        rejects.push(rejectedRow(line, line.reasons));
        continue;
      }
      const group = groups.get(line.orderNumber);
      if (group) group.push(line);
      else groups.set(line.orderNumber, [line]);
    }
    await flush();
    await Promise.all(inflight);
    if (failure) throw failure;
    await finish(database, actor, importId, rowIndex, lease.token);
  } catch (err) {
    await Promise.all(inflight);
    // Stopping, or the database went away: pg-boss retries and the job resumes from its checkpoint.
    if (err instanceof ImportInterrupted || lostConnection(err)) throw err;
    options.log?.('order import failed', { importId, err: (err as Error).message });
    await failLeased(db, ORDER_IMPORT_LEASE, { workspaceId: ws, id: importId }, lease.token, String((err as Error).message).slice(0, 1000));
  } finally {
    source.destroy();
  }
}

/** A batch's audit row and events: `orders.imported`, and per order `order.created` with its timeline entry for a small file. */
async function announce(
  client: pg.PoolClient,
  actor: Actor,
  importId: string,
  orders: importRepo.ImportOrder[],
  inserted: string[],
  timeline: boolean,
) {
  const trx = kyselyOn(client);
  await recordChange(trx, actor, {
    audit: {
      action: 'orders.imported',
      entityType: 'order',
      after: { importId, orders: inserted.length, first: inserted[0], last: inserted.at(-1) },
    },
    event: { type: 'orders.imported', entityType: 'order', payload: { importId, count: inserted.length } },
  });
  if (!timeline) return;
  const written = new Set(inserted);
  for (const o of orders) {
    if (!written.has(o.id)) continue;
    const summary = { ...o, orderedAt: o.orderedAt.toISOString(), version: 1 };
    await emitEvent(trx, actor, {
      type: 'order.created',
      entityType: 'order',
      entityId: o.id,
      payload: { source: 'import', importId, timeline: orderTimeline(summary) },
    });
  }
}

function lostConnection(err: unknown): boolean {
  const code = String((err as { code?: unknown })?.code ?? '');
  return code.startsWith('08') || code.startsWith('57P') || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE';
}

async function finish(database: Database, actor: Actor, importId: string, rows: number, token: string) {
  await database.db.transaction().execute(async (trx) => {
    if (!(await holdsLease(trx, ORDER_IMPORT_LEASE, { workspaceId: actor.workspaceId, id: importId }, token)))
      throw new ImportInterrupted('lease taken over');
    await jobs.updateJob(trx, actor.workspaceId, importId, { status: 'completed', rows_total: rows, finished_at: new Date() });
    // The stored file is not needed any more: the report keeps the rejected rows' cells.
    await jobs.deleteFile(trx, actor.workspaceId, importId);
    const job = presentImport((await jobs.findJob(trx, actor.workspaceId, importId)) as jobs.OrderImportRow);
    await recordChange(trx, actor, {
      audit: {
        action: 'orders.import_completed',
        entityType: 'order_import',
        entityId: importId,
        after: { filename: job.filename, rows, inserted: job.inserted, skipped: job.skipped, rejected: job.rejected },
      },
      event: { type: 'orders.import_completed', entityType: 'order_import', entityId: importId, ownerId: actor.userId, payload: job },
    });
  });
}
