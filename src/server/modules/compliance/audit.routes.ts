import { z } from 'zod';
import { auditEntrySchema, auditQuery } from '../../../shared/contracts/accounts.js';
import type { Actor } from '../../platform/actor.js';
import { listAudit } from '../../platform/audit.js';
import { sealAudit, verifyAudit } from '../../platform/audit-chain.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { AppError } from '../../platform/http/errors.js';

function decodeCursor(cursor: string | undefined) {
  if (!cursor) return undefined;
  const [t, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(t ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !z.uuid().safeParse(id).success) {
    throw new AppError('validation_failed', { issues: [{ in: 'querystring', path: 'cursor', code: 'invalid' }] });
  }
  return { createdAt, id };
}

const chainProblem = z.object({
  kind: z.enum(['changed', 'missing', 'head_mismatch', 'unsealed']),
  seq: z.string().optional(),
  id: z.string().optional(),
  count: z.number().int().optional(),
});

/** How often an instance with workers seals new audit rows into the chain. */
const SEAL_INTERVAL_MS = 5_000;

export async function auditRoutes(app: App, { database, config }: ModuleDeps) {
  let sealer: NodeJS.Timeout | undefined;
  let sealing: Promise<unknown> = Promise.resolve();
  app.addHook('onReady', async () => {
    if (!config.workers) return;
    sealer = setInterval(() => {
      sealing = sealAudit(database.db).catch((err) => app.log.warn({ err, module: 'audit' }, 'sealing the audit chain failed; retried'));
    }, SEAL_INTERVAL_MS);
    sealer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(sealer);
    await sealing;
  });

  app.get(
    '/api/v1/audit/verify',
    {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        description:
          'Seal pending rows, then walk the workspace audit chain: a changed, deleted or re-ordered row breaks it (kind changed / missing / head_mismatch).',
        response: {
          200: z.object({ rows: z.number().int(), headSeq: z.string(), intact: z.boolean(), problems: z.array(chainProblem) }),
        },
      },
    },
    async (request) => {
      const { workspaceId: _ws, ...report } = await verifyAudit(database.db, (request.actor as Actor).workspaceId);
      return report;
    },
  );

  app.get(
    '/api/v1/audit',
    {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        querystring: auditQuery,
        response: { 200: z.object({ data: z.array(auditEntrySchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const q = request.query;
      const actor = request.actor as Actor;
      const rows = await listAudit(database.db, {
        workspaceId: actor.workspaceId,
        actorId: q.actorId,
        entityType: q.entityType,
        entityId: q.entityId,
        action: q.action,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        cursor: decodeCursor(q.cursor),
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        data: page.map((r) => ({
          id: r.id,
          actorId: r.actor_id,
          actorType: r.actor_type,
          actorName: r.actor_name,
          action: r.action,
          entityType: r.entity_type,
          entityId: r.entity_id,
          before: r.before,
          after: r.after,
          ip: r.ip,
          createdAt: new Date(r.created_at).toISOString(),
        })),
        nextCursor:
          rows.length > q.limit && last ? Buffer.from(`${new Date(last.created_at).toISOString()}|${last.id}`).toString('base64url') : null,
      };
    },
  );
}
