import { z } from 'zod';
import { idParams } from '../../../shared/contracts/accounts.js';
import {
  crossSellSchema,
  customerMetricsSchema,
  orderCreate,
  orderPatch,
  orderSchema,
  orderStatuses,
  webhookSecretSchema,
} from '../../../shared/contracts/commerce.js';
import type { Actor } from '../../platform/actor.js';
import { secretKey } from '../../platform/crypto.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { commerceDb } from './commerce.db.js';
import { orderImportRoutes } from './import.routes.js';
import { getAlsoBought, getCrossSell, getCustomerMetrics, getMetricsOf } from './metrics.service.js';
import * as orders from './orders.service.js';
import { receiveWebhookOrder, rotateWebhookSecret, webhookStatus } from './webhook.service.js';

const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });
const ok = z.object({ ok: z.literal(true) });
const listQuery = z.object({
  personId: z.uuid().optional(),
  companyId: z.uuid().optional(),
  status: z.enum(orderStatuses).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const metricsQuery = z.object({
  entityType: z.enum(['person', 'company']),
  ids: z
    .string()
    .max(200 * 37)
    .transform((v) => [...new Set(v.split(',').filter(Boolean))])
    .pipe(z.array(z.uuid()).min(1).max(200)),
});
const suggestQuery = z.object({ limit: z.coerce.number().int().min(1).max(20).default(5) });
export async function commerceRoutes(app: App, deps: ModuleDeps) {
  const { database, config } = deps;
  const db = commerceDb(database.db);
  const who = (a: Actor | null) => a as Actor;
  const key = () => secretKey(config);

  // Orders (購買履歴)
  app.get(
    '/api/v1/orders',
    { config: { access: 'records.read' }, schema: { tags: ['orders'], querystring: listQuery, response: { 200: page(orderSchema) } } },
    async (req) => orders.listOrders({ db, actor: who(req.actor), ...req.query }),
  );
  app.post(
    '/api/v1/orders',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['orders'],
        description: 'Creates an order. With an `externalId` already stored, answers 200 with that order and stores nothing.',
        body: orderCreate,
        response: { 200: orderSchema, 201: orderSchema },
      },
    },
    async (req, reply) => {
      const actor = who(req.actor);
      const { order, created } = await orders.createOrder({ db, actor, input: req.body, source: actor.kind === 'token' ? 'api' : 'ui' });
      return reply.status(created ? 201 : 200).send(order);
    },
  );
  app.get(
    '/api/v1/orders/:id',
    { config: { access: 'records.read' }, schema: { tags: ['orders'], params: idParams, response: { 200: orderSchema } } },
    async (req) => orders.getOrder({ db, actor: who(req.actor), orderId: req.params.id }),
  );
  app.patch(
    '/api/v1/orders/:id',
    {
      config: { access: 'records.write' },
      schema: { tags: ['orders'], params: idParams, body: orderPatch, response: { 200: orderSchema } },
    },
    async (req) => orders.updateOrder({ db, actor: who(req.actor), orderId: req.params.id, patch: req.body }),
  );
  app.delete(
    '/api/v1/orders/:id',
    { config: { access: 'records.delete' }, schema: { tags: ['orders'], params: idParams, response: { 200: ok } } },
    async (req) => {
      await orders.trashOrder({ db, actor: who(req.actor), orderId: req.params.id });
      return { ok: true as const };
    },
  );

  await orderImportRoutes(app, deps);

  // Customer metrics and cross-sell (always current; read by the record pages and the list columns)
  app.get(
    '/api/v1/commerce/metrics',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['orders'],
        description: 'Purchase metrics of up to 200 people or companies (list columns); records the caller may not see are left out.',
        querystring: metricsQuery,
        response: { 200: z.object({ data: z.record(z.string(), customerMetricsSchema) }) },
      },
    },
    async (req) => getMetricsOf({ db, actor: who(req.actor), kind: req.query.entityType, ids: req.query.ids }),
  );
  for (const [path, kind] of [
    ['people', 'person'],
    ['companies', 'company'],
  ] as const) {
    app.get(
      `/api/v1/${path}/:id/metrics`,
      { config: { access: 'records.read' }, schema: { tags: ['orders'], params: idParams, response: { 200: customerMetricsSchema } } },
      async (req) => getCustomerMetrics({ db, actor: who(req.actor), kind, id: req.params.id }),
    );
    app.get(
      `/api/v1/${path}/:id/cross-sell`,
      {
        config: { access: 'records.read' },
        schema: { tags: ['orders'], params: idParams, querystring: suggestQuery, response: { 200: crossSellSchema } },
      },
      async (req) => getCrossSell({ db, actor: who(req.actor), kind, id: req.params.id, limit: req.query.limit }),
    );
  }
  app.get(
    '/api/v1/products/:id/also-bought',
    {
      config: { access: 'records.read' },
      schema: { tags: ['orders'], params: idParams, querystring: suggestQuery, response: { 200: crossSellSchema } },
    },
    async (req) => getAlsoBought({ db, actor: who(req.actor), productId: req.params.id, limit: req.query.limit }),
  );

  // Incoming EC webhook: secret for administrators, the signed endpoint for the EC site.
  app.get(
    '/api/v1/commerce/webhook-secret',
    { config: { access: 'workspace.manage' }, schema: { tags: ['orders'], response: { 200: webhookSecretSchema } } },
    async (req) => webhookStatus({ db, actor: who(req.actor), baseUrl: config.publicUrl }),
  );
  app.post(
    '/api/v1/commerce/webhook-secret/rotate',
    { config: { access: 'workspace.manage' }, schema: { tags: ['orders'], response: { 200: webhookSecretSchema } } },
    async (req) => rotateWebhookSecret({ db, actor: who(req.actor), key: key(), baseUrl: config.publicUrl }),
  );
  await app.register(async (plain) => {
    const scope = plain as unknown as App;
    // The signature covers the exact bytes sent: keep the body raw, parse it only after verifying.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/v1/commerce/webhook/:workspaceId/orders',
      {
        config: { access: 'public' },
        schema: {
          tags: ['orders'],
          description:
            'Orders from an EC site. Headers: `X-CRM-Timestamp` (Unix seconds, ±5 min) and `X-CRM-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`.',
          params: z.object({ workspaceId: z.string().max(64) }),
          response: { 200: orderSchema, 201: orderSchema },
        },
      },
      async (req, reply) => {
        const header = (n: string) => {
          const v = req.headers[n];
          return Array.isArray(v) ? v[0] : v;
        };
        const { order, created } = await receiveWebhookOrder({
          db,
          key: key(),
          workspaceId: req.params.workspaceId,
          rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          timestamp: header('x-crm-timestamp'),
          signature: header('x-crm-signature'),
        });
        return reply.status(created ? 201 : 200).send(order);
      },
    );
  });
}
