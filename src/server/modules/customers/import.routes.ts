import { Transform } from 'node:stream';
import { z } from 'zod';
import { idParams } from '../../../shared/contracts/accounts.js';
import type { Actor } from '../../platform/actor.js';
import type { Db } from '../../platform/db/database.js';
import { startLeaseSweep } from '../../platform/db/job-lease.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { AppError } from '../../platform/http/errors.js';
import { requestLocale } from '../../platform/http/locale.js';
import { chain } from '../../platform/streams.js';
import { sweepImports } from './import.repository.js';
import { getImport, IMPORT_LEASE, IMPORT_QUEUE, IMPORT_SWEEP_QUEUE, runImport, startImport, uploadImport } from './import.service.js';
import { importErrorsCsv } from './import-report.js';

/** Raw upload types: the body is streamed into PostgreSQL, never parsed or buffered by Fastify. */
const UPLOAD_TYPES = [
  'text/csv',
  'text/tab-separated-values',
  'text/plain',
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'text/vcard',
  'text/x-vcard',
];

const mode = z.enum(['create', 'update_matching', 'skip_duplicates']);
const matchOn = z.enum(['email', 'phone', 'id']);
const encoding = z.enum(['utf8', 'cp932']);
const jobSchema = z.object({
  id: z.string(),
  entityType: z.enum(['person', 'company']),
  filename: z.string(),
  format: z.enum(['csv', 'tsv', 'xlsx', 'vcf']),
  encoding,
  detectedEncoding: encoding,
  status: z.enum(['uploading', 'uploaded', 'queued', 'running', 'completed', 'failed']),
  mode: mode.nullable(),
  matchOn: matchOn.nullable(),
  mapping: z.record(z.string(), z.string()).nullable(),
  sizeBytes: z.number(),
  processed: z.number().describe('data rows done (the checkpoint)'),
  rowsTotal: z.number().nullable().describe('known when the job has read the whole file'),
  created: z.number(),
  updated: z.number(),
  skipped: z.number(),
  rejected: z.number(),
  companiesCreated: z.number(),
  progress: z.number().describe('0..1, from the bytes read'),
  failure: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
const uploadSchema = jobSchema.extend({
  header: z.array(z.string()),
  preview: z.array(z.array(z.string())).describe('the first 20 data rows'),
  suggestedMapping: z.record(z.string(), z.string()).describe('column index -> field'),
  savedMappings: z.array(z.object({ id: z.string(), name: z.string(), mapping: z.record(z.string(), z.string()) })),
});
const startBody = z.object({
  mapping: z
    .record(z.string().regex(/^\d+$/), z.string().min(1).max(60))
    .describe('column index -> field (familyName, email, custom.<key>, ...)'),
  mode: mode.default('create'),
  matchOn: matchOn.default('email'),
  encoding: encoding.optional(),
  saveMappingAs: z.string().trim().min(1).max(100).optional(),
});

export async function importRoutes(app: App, { database, bus, config }: ModuleDeps) {
  const { db } = database;
  const who = (a: Actor | null) => a as Actor;
  let stopping = false;
  let leaseSweep: { stop(): void } | undefined;

  // Started with pg-boss, not with the HTTP server: a restarted instance resumes its imports before any request.
  bus.onStart(async (boss, { workers }) => {
    await boss.createQueue(IMPORT_QUEUE);
    await boss.createQueue(IMPORT_SWEEP_QUEUE);
    if (!workers) return;
    await boss.work(IMPORT_SWEEP_QUEUE, { pollingIntervalSeconds: 30 }, async () => {
      const gone = await sweepImports(db);
      if (gone.jobs || gone.fileParts) app.log.info({ module: 'customers.import', ...gone }, 'old imports removed');
    });
    await boss.schedule(IMPORT_SWEEP_QUEUE, '23 * * * *');
    await boss.work<{ workspaceId: string; importId: string }>(
      IMPORT_QUEUE,
      { batchSize: 1, pollingIntervalSeconds: 0.5 },
      async ([job]) => {
        if (!job) return;
        await runImport({
          database,
          ...job.data,
          stopped: () => stopping,
          log: (msg, extra) => app.log.warn({ module: 'customers.import', ...extra }, msg),
        });
      },
    );
    // Imports whose runner died (this instance before its restart, another instance, a restored backup) resume now.
    leaseSweep = startLeaseSweep(database.pool, boss, IMPORT_LEASE, (msg, extra) =>
      app.log.info({ module: 'customers.import', ...extra }, msg),
    );
  });
  app.addHook('onClose', async () => {
    stopping = true;
    leaseSweep?.stop();
  });

  // The raw-body parsers live in a scope of their own: no other customers route accepts these types.
  await app.register(async (scope) => {
    scope.addContentTypeParser(UPLOAD_TYPES, (_req, payload, done) => done(null, payload));
    uploadRoute(scope as unknown as App, db, config.imports.maxBytes);
  });
  app.get(
    '/api/v1/imports/:id',
    { config: { access: 'records.write' }, schema: { tags: ['imports'], params: idParams, response: { 200: jobSchema } } },
    async (req) => getImport({ db, actor: who(req.actor), importId: req.params.id }),
  );
  app.post(
    '/api/v1/imports/:id/start',
    {
      config: { access: 'records.write' },
      schema: { tags: ['imports'], params: idParams, body: startBody, response: { 202: jobSchema } },
    },
    async (req, reply) =>
      reply
        .status(202)
        .send(await startImport({ database, boss: bus.jobs, actor: who(req.actor), importId: req.params.id, input: req.body })),
  );
  app.get(
    '/api/v1/imports/:id/errors.csv',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['imports'],
        params: idParams,
        description: 'Every rejected row: its cells, its row number and the reasons (UTF-8 with BOM).',
      },
    },
    async (req, reply) => {
      const stream = await importErrorsCsv({ db, actor: who(req.actor), importId: req.params.id, locale: requestLocale(req) });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="import-errors-${req.params.id}.csv"`)
        .send(stream);
    },
  );
}

/** The upload limit is IMPORT_MAX_MB (platform config, read and validated at start). */
function uploadRoute(app: App, db: Db, maxBytes: number) {
  const who = (a: Actor | null) => a as Actor;
  app.post(
    '/api/v1/imports',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['imports'],
        description:
          'Upload a CSV/TSV (UTF-8 with or without BOM, or Shift_JIS/CP932), XLSX or vCard file as the raw request body. ' +
          `Returns the detected format and encoding, the header, a preview and a suggested mapping. Limit ${maxBytes / 1024 / 1024} MB.`,
        querystring: z.object({
          entityType: z.enum(['person', 'company']).default('person'),
          filename: z.string().trim().min(1).max(255).default('import.csv'),
          encoding: encoding.optional().describe('override the detected encoding'),
        }),
        response: { 201: uploadSchema },
      },
    },
    async (req, reply) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBytes) throw new AppError('payload_too_large');
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
      const result = await uploadImport({ db, actor: who(req.actor), ...req.query, body: limited });
      return reply.status(201).send(result);
    },
  );
}
