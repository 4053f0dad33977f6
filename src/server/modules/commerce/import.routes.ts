import { Transform } from 'node:stream';
import { z } from 'zod';
import { idParams } from '../../../shared/contracts/accounts.js';
import { orderImportErrors, orderImportJob } from '../../../shared/contracts/commerce.js';
import type { Actor } from '../../platform/actor.js';
import { startLeaseSweep } from '../../platform/db/job-lease.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { AppError } from '../../platform/http/errors.js';
import { requestLocale } from '../../platform/http/locale.js';
import { chain } from '../../platform/streams.js';
import {
  getOrderImport,
  listImportErrors,
  ORDER_IMPORT_LEASE,
  ORDER_IMPORT_QUEUE,
  ORDER_IMPORT_SWEEP_QUEUE,
  runOrderImport,
  uploadOrderImport,
} from './import.service.js';
import * as jobs from './import-job.repository.js';
import { orderImportErrorsCsv } from './import-report.js';

const RAW_TYPES = [
  'text/csv',
  'text/tab-separated-values',
  'text/plain',
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];
const uploadQuery = z.object({
  filename: z.string().trim().min(1).max(255).default('orders.csv'),
  format: z.enum(['csv', 'tsv', 'xlsx']).default('csv'),
  encoding: z.enum(['utf8', 'cp932']).default('utf8'),
});
const errorsQuery = z.object({
  afterRow: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Order import as a pg-boss job: upload (stored in PostgreSQL, queued), progress, rejected rows. */
export async function orderImportRoutes(app: App, { database, bus, config }: ModuleDeps) {
  const { db } = database;
  const who = (a: Actor | null) => a as Actor;
  let stopping = false;
  let leaseSweep: { stop(): void } | undefined;

  bus.onStart(async (boss, { workers }) => {
    await boss.createQueue(ORDER_IMPORT_QUEUE);
    await boss.createQueue(ORDER_IMPORT_SWEEP_QUEUE);
    if (!workers) return;
    await boss.work(ORDER_IMPORT_SWEEP_QUEUE, { pollingIntervalSeconds: 30 }, async () => {
      const gone = await jobs.sweepOrderImports(db);
      if (gone.jobs || gone.fileParts) app.log.info({ module: 'commerce.import', ...gone }, 'old order imports removed');
    });
    await boss.schedule(ORDER_IMPORT_SWEEP_QUEUE, '29 * * * *');
    await boss.work<{ workspaceId: string; importId: string }>(
      ORDER_IMPORT_QUEUE,
      { batchSize: 1, pollingIntervalSeconds: 0.5 },
      async ([job]) => {
        if (!job) return;
        await runOrderImport({
          database,
          ...job.data,
          stopped: () => stopping,
          log: (msg, extra) => app.log.warn({ module: 'commerce.import', ...extra }, msg),
        });
      },
    );
    // Imports whose runner died (this instance before its restart, another instance, a restored backup) resume now.
    leaseSweep = startLeaseSweep(database.pool, boss, ORDER_IMPORT_LEASE, (msg, extra) =>
      app.log.info({ module: 'commerce.import', ...extra }, msg),
    );
  });
  app.addHook('onClose', async () => {
    stopping = true;
    leaseSweep?.stop();
  });

  // The raw-body parser lives in a scope of its own: no other commerce route accepts these types.
  await app.register(async (plain) => {
    const scope = plain as unknown as App;
    const maxBytes = config.imports.maxBytes;
    scope.addContentTypeParser(RAW_TYPES, { bodyLimit: maxBytes }, (_req, payload, done) => done(null, payload));
    scope.post(
      '/api/v1/orders/imports',
      {
        bodyLimit: maxBytes,
        config: { access: 'records.write' },
        schema: {
          tags: ['orders'],
          description:
            'Upload a CSV/TSV (UTF-8 or Shift_JIS) or XLSX file of order lines as the raw body. The file is stored and ' +
            'imported by a background job (202); follow it with GET /orders/imports/:id.',
          querystring: uploadQuery,
          response: { 202: orderImportJob },
        },
      },
      async (req, reply) => {
        if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw new AppError('payload_too_large');
        if (!req.body || typeof (req.body as NodeJS.ReadableStream).pipe !== 'function') throw new AppError('unsupported_media_type');
        let seen = 0;
        const limited = chain(
          req.body as NodeJS.ReadableStream,
          new Transform({
            transform(chunk: Buffer, _enc, cb) {
              seen += chunk.length;
              if (seen > maxBytes) cb(new AppError('payload_too_large'));
              else cb(null, chunk);
            },
          }),
        );
        const job = await uploadOrderImport({ database, boss: bus.jobs, actor: who(req.actor), ...req.query, body: limited });
        return reply.status(202).send(job);
      },
    );
  });
  app.get(
    '/api/v1/orders/imports/:id',
    { config: { access: 'records.write' }, schema: { tags: ['orders'], params: idParams, response: { 200: orderImportJob } } },
    async (req) => getOrderImport({ db, actor: who(req.actor), importId: req.params.id }),
  );
  app.get(
    '/api/v1/orders/imports/:id/errors',
    {
      config: { access: 'records.write' },
      schema: { tags: ['orders'], params: idParams, querystring: errorsQuery, response: { 200: orderImportErrors } },
    },
    async (req) => listImportErrors({ db, actor: who(req.actor), importId: req.params.id, ...req.query }),
  );
  app.get(
    '/api/v1/orders/imports/:id/errors.csv',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['orders'],
        params: idParams,
        description: 'Every rejected row: its cells, its row number and the reasons (UTF-8 with BOM).',
      },
    },
    async (req, reply) => {
      const stream = await orderImportErrorsCsv({ db, actor: who(req.actor), importId: req.params.id, locale: requestLocale(req) });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="order-import-errors-${req.params.id}.csv"`)
        .send(stream);
    },
  );
}
