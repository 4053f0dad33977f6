import type { Readable } from 'node:stream';
import type { Kysely, Transaction } from 'kysely';
import type PgBoss from 'pg-boss';
import { z } from 'zod';
import type { OrderImportJob } from '../../../shared/contracts/commerce.js';
import type { Actor } from '../../platform/actor.js';
import type { Database } from '../../platform/db/database.js';
import type { DB } from '../../platform/db/schema.js';
import { emitEvent, recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import type { RejectedRow } from '../../platform/import/import.repository.js';
import {
  findVisibleImport,
  firstRows,
  type ImportJob,
  type ImportKind,
  type ImportTuning,
  presentImportBase,
  queueImport,
  receiveUpload,
} from '../../platform/import/import.service.js';
import { commerceDb } from './commerce.db.js';
import * as importRepo from './import.repository.js';
import type { ProductRef } from './import-lookups.js';
import { cellText, checkHeader, type ParsedLine, parseLine, prepareOrders, rejectedRow } from './import-rows.js';
import { workspaceCurrency } from './orders.repository.js';
import { orderTimeline } from './orders.service.js';

/**
 * Up to this file size every imported order gets its own `order.created` event with its timeline entry, as an
 * order saved in the UI does; a bigger file writes one `orders.imported` event per batch (see docs/commerce.md).
 */
export const TIMELINE_MAX_BYTES = 1024 * 1024;

const orderImportOptions = z.object({ timeline: z.boolean().default(false) });
type OrderImportOptions = z.infer<typeof orderImportOptions>;

/** Knobs for tests and the benchmark: orders per batch, and a hook after each committed batch. */
export const orderImportTuning: ImportTuning = { batchSize: 5000 };

export function presentImport(job: ImportJob<OrderImportOptions>): OrderImportJob {
  const base = presentImportBase(job);
  return {
    ...base,
    format: job.format as OrderImportJob['format'],
    status: base.status as OrderImportJob['status'],
    inserted: job.counts.inserted ?? 0,
    skipped: job.counts.skipped ?? 0,
    timeline: job.options.timeline,
  };
}

/**
 * Order imports: rows are grouped into orders by number (an order never spans two batches), matched to customers
 * and products, and written with their lines, product pairs and metric deltas. Two batches are written at once:
 * metric and pair rows are locked in key order, so they never deadlock.
 */
export const ordersImport: ImportKind<OrderImportOptions, ParsedLine> = {
  kind: 'orders',
  queue: 'commerce-order-import',
  module: 'commerce.import',
  options: orderImportOptions,
  tuning: orderImportTuning,
  writers: 2,
  async open({ db, job }) {
    const ws = job.workspace_id;
    const currency = await workspaceCurrency(db, ws);
    const products = new Map<string, ProductRef | null>();
    let cols: Record<string, number> = {};
    return {
      header: (cells) => {
        cols = checkHeader(cells);
      },
      mapRow: (cells, row) => parseLine(cells, cols, row),
      unitOf: (line) => line.orderNumber || null,
      async writeBatch({ client, trx, actor, importId, rows }) {
        const rejected: RejectedRow[] = [];
        const batch = new Map<string, ParsedLine[]>();
        for (const line of rows) {
          if (!line.orderNumber) rejected.push(rejectedRow(line, line.reasons));
          else batch.set(line.orderNumber, [...(batch.get(line.orderNumber) ?? []), line]);
        }
        const prepared = await prepareOrders({ db: trx, workspaceId: ws, currency, products, batch });
        rejected.push(...prepared.rejected);
        const { orders } = prepared;
        const inserted = orders.length ? await importRepo.writeOrders(client, commerceDb<DB>(trx), ws, actor.userId, orders) : [];
        if (inserted.length) await announce(trx, actor, importId, orders, inserted, job.options.timeline);
        return { counts: { inserted: inserted.length, skipped: orders.length - inserted.length }, rejected };
      },
    };
  },
  present: presentImport,
  completed(job, actor) {
    const p = presentImport(job);
    return {
      audit: {
        action: 'orders.import_completed',
        entityType: 'order_import',
        entityId: job.id,
        after: { filename: p.filename, rows: p.rowsTotal, inserted: p.inserted, skipped: p.skipped, rejected: p.rejected },
      },
      event: { type: 'orders.import_completed', entityType: 'order_import', entityId: job.id, ownerId: actor.userId, payload: p },
    };
  },
};

export async function getOrderImport(options: { db: Kysely<DB>; actor: Actor; importId: string }) {
  return presentImport(await findVisibleImport(options.db, options.actor, ordersImport, options.importId));
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
  const id = await receiveUpload(
    {
      db,
      actor,
      kind: ordersImport,
      filename: options.filename,
      format: options.format,
      encoding: options.format === 'xlsx' ? 'utf8' : options.encoding,
      jobOptions: { timeline: false },
      body: options.body,
    },
    async ({ job, size }) => {
      if (!size) throw new AppError('validation_failed', { issues: [{ path: 'file', code: 'empty_file' }] });
      const [first] = await firstRows(db, ordersImport, job, 1);
      if (!first) throw new AppError('validation_failed', { issues: [{ path: 'header', code: 'empty_file' }] });
      checkHeader(first);
      await queueImport({
        database,
        boss: options.boss,
        kind: ordersImport,
        workspaceId: actor.workspaceId,
        importId: job.id,
        set: { header: JSON.stringify(first.map(cellText)), options: JSON.stringify({ timeline: size <= TIMELINE_MAX_BYTES }) },
      });
    },
  );
  return getOrderImport({ db, actor, importId: id });
}

/** A batch's audit row and events: `orders.imported`, and per order `order.created` with its timeline entry for a small file. */
async function announce(
  trx: Transaction<DB>,
  actor: Actor,
  importId: string,
  orders: importRepo.ImportOrder[],
  inserted: string[],
  timeline: boolean,
) {
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
