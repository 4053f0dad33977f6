import { z } from 'zod';
import { idParams } from '../../../../shared/contracts/accounts.js';
import type { Actor } from '../../../platform/actor.js';
import type { App, ModuleDeps } from '../../../platform/http/app.js';
import { requestLocale } from '../../../platform/http/locale.js';
import { limitedBody, sendReport, serveImportKind, UPLOAD_TYPES, uploadScope } from '../../../platform/import/import.routes.js';
import { customersImport, getImport, startImport, uploadImport } from './import.service.js';
import { customersErrorsCsv } from './import-report.js';

const mode = z.enum(['create', 'update_matching', 'skip_duplicates']);
const matchOn = z.enum(['email', 'phone', 'id']);
const encoding = z.enum(['utf8', 'cp932']);
const jobSchema = z.object({
  id: z.string(),
  entityType: z.enum(['person', 'company']),
  filename: z.string(),
  format: z.enum(['csv', 'tsv', 'xlsx', 'vcf']),
  encoding: encoding.nullable().describe('the text encoding read; null for xlsx'),
  detectedEncoding: encoding.nullable().describe('null for xlsx'),
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

export async function importRoutes(app: App, deps: ModuleDeps) {
  const { database, bus, config } = deps;
  const { db } = database;
  const who = (a: Actor | null) => a as Actor;
  serveImportKind(app, deps, customersImport);

  const maxBytes = config.imports.maxBytes;
  await uploadScope(app, [...UPLOAD_TYPES, 'text/vcard', 'text/x-vcard'], (scope) =>
    scope.post(
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
        const body = limitedBody(req, maxBytes);
        return reply.status(201).send(await uploadImport({ db, actor: who(req.actor), ...req.query, body }));
      },
    ),
  );
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
    async (req, reply) =>
      sendReport(
        reply,
        await customersErrorsCsv({ db, actor: who(req.actor), importId: req.params.id, locale: requestLocale(req) }),
        `import-errors-${req.params.id}.csv`,
      ),
  );
}
