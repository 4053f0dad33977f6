import { z } from 'zod';
import { auditEntrySchema, auditQuery } from '../../../shared/contracts/accounts.js';
import type { Actor } from '../../platform/actor.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { listAuditEntries, sealAuditChains, verifyAuditChain } from './compliance.service.js';

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
      sealing = sealAuditChains(database.db).catch((err) =>
        app.log.warn({ err, module: 'audit' }, 'sealing the audit chain failed; retried'),
      );
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
    async (request) => verifyAuditChain({ db: database.db, actor: request.actor as Actor }),
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
    async (request) => listAuditEntries({ db: database.db, actor: request.actor as Actor, filter: request.query }),
  );
}
