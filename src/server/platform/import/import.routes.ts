import { type Readable, Transform } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { importSummary } from '../../../shared/contracts/imports.js';
import type { Actor } from '../actor.js';
import { startLeaseSweep } from '../db/job-lease.js';
import type { App, ModuleDeps } from '../http/app.js';
import { AppError } from '../http/errors.js';
import { chain } from '../streams.js';
import { importDb, sweepImports } from './import.repository.js';
import { type ImportKind, leaseOf, listImports, presentImportBase, runImport } from './import.service.js';

/** Hourly: uploads never started, failed jobs' files and month-old jobs of every kind are removed (IMPORT_RETENTION). */
export const IMPORT_SWEEP_QUEUE = 'imports-sweep';

/** Raw upload types: the body is streamed into PostgreSQL, never parsed or buffered by Fastify. */
export const UPLOAD_TYPES = [
  'text/csv',
  'text/tab-separated-values',
  'text/plain',
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

/** Kinds differ in their options and rows; the list reads only what all of them share. */
type AnyKind = ImportKind<unknown, unknown>;
const kinds = new Map<string, AnyKind>();

/**
 * Runs a module's kind of import: its pg-boss queue and worker (started with pg-boss, not with the HTTP server: a
 * restarted instance resumes its imports before any request), the lease sweep that resumes jobs whose runner died,
 * and its place in the list of recent imports.
 */
export function serveImportKind<O, R>(app: App, { database, bus }: ModuleDeps, kind: ImportKind<O, R>) {
  kinds.set(kind.kind, kind as unknown as AnyKind);
  let stopping = false;
  let leaseSweep: { stop(): void } | undefined;
  bus.onStart(async (boss, { workers }) => {
    await boss.createQueue(kind.queue);
    if (!workers) return;
    await boss.work<{ workspaceId: string; importId: string }>(kind.queue, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
      if (!job) return;
      await runImport(kind, {
        database,
        ...job.data,
        stopped: () => stopping,
        log: (msg, extra) => app.log.warn({ module: kind.module, ...extra }, msg),
      });
    });
    // Imports whose runner died (this instance before its restart, another instance, a restored backup) resume now.
    leaseSweep = startLeaseSweep(database.pool, boss, leaseOf(kind), (msg, extra) => app.log.info({ module: kind.module, ...extra }, msg));
  });
  app.addHook('onClose', async () => {
    stopping = true;
    leaseSweep?.stop();
  });
}

/** Registers upload routes in a scope of their own: no other route of the module accepts raw file bodies. */
export async function uploadScope(app: App, types: readonly string[], routes: (scope: App) => void) {
  await app.register(async (scope) => {
    scope.addContentTypeParser([...types], (_req, payload, done) => done(null, payload));
    routes(scope as unknown as App);
  });
}

/** The request body as a stream that fails with 413 past `maxBytes` (IMPORT_MAX_MB), declared or not. */
export function limitedBody(req: FastifyRequest, maxBytes: number, tooLarge = () => new AppError('payload_too_large')): Readable {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const body = req.body as NodeJS.ReadableStream | undefined;
  if (!body || typeof body.pipe !== 'function') throw new AppError('unsupported_media_type');
  let seen = 0;
  return chain(
    body,
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        if (seen > maxBytes) cb(tooLarge());
        else cb(null, chunk);
      },
    }),
  );
}

/** Sends a rejected-rows report as a download. */
export const sendReport = (reply: FastifyReply, stream: NodeJS.ReadableStream, filename: string) =>
  reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(stream);

/** The platform's import routes: the list of recent imports of every kind, and the retention sweep. */
export async function importsRoutes(app: App, { database, bus }: ModuleDeps) {
  const { db } = database;
  bus.onStart(async (boss, { workers }) => {
    await boss.createQueue(IMPORT_SWEEP_QUEUE);
    if (!workers) return;
    await boss.work(IMPORT_SWEEP_QUEUE, { pollingIntervalSeconds: 30 }, async () => {
      const gone = await sweepImports(importDb(db));
      if (gone.jobs || gone.fileParts) app.log.info({ module: 'import', ...gone }, 'old imports removed');
    });
    await boss.schedule(IMPORT_SWEEP_QUEUE, '23 * * * *');
  });

  app.get(
    '/api/v1/imports',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['imports'],
        description:
          'The most recent imports the caller may see (their own, those their visibility covers; all for an admin), newest first.',
        querystring: z.object({
          kind: z.string().max(40).optional().describe('one kind only'),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ data: z.array(importSummary) }) },
      },
    },
    async (req) => {
      const actor = req.actor as Actor;
      const { kind, limit } = req.query;
      const chosen = kind ? [kinds.get(kind)].filter((k): k is AnyKind => !!k) : [...kinds.values()];
      const lists = await Promise.all(
        chosen.map(async (k) =>
          (await listImports(db, actor, k, limit)).map((job) => ({
            ...presentImportBase(job),
            kind: k.kind,
            counts: job.counts,
            createdBy: job.created_by,
          })),
        ),
      );
      return {
        data: lists
          .flat()
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .slice(0, limit),
      };
    },
  );
}
