import { z } from 'zod';
import { idParams } from '../../../shared/contracts/accounts.js';
import {
  boardSchema,
  dealCreate,
  dealDetailSchema,
  dealMove,
  dealPatch,
  dealSchema,
  leadConversionSchema,
  leadConvert,
  leadCreate,
  leadPatch,
  leadSchema,
  leadStatuses,
  lineItemsPut,
  pipelineCreate,
  pipelineSchema,
  pipelineUpdate,
  productCreate,
  productPatch,
  productSchema,
  stageStaySchema,
} from '../../../shared/contracts/sales.js';
import { filterParam, sortParam } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { getBoard, getStagePage } from './board.service.js';
import * as deals from './deals.service.js';
import * as leads from './leads.service.js';
import * as pipelines from './pipelines.service.js';
import * as products from './products.service.js';
import { salesDb } from './sales.db.js';

const bool = z
  .enum(['true', 'false'])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true'));
const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });
const ok = z.object({ ok: z.literal(true) });
const dealScope = {
  filter: filterParam.optional(),
  ownerId: z.uuid().optional(),
  teamId: z.uuid().optional(),
  closeMonth: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')
    .optional(),
};
const boardQuery = z.object({ ...dealScope, limit: z.coerce.number().int().min(1).max(100).default(20) });
const stagePageQuery = boardQuery.extend({ cursor: z.string().max(500).optional() });
const stageParams = z.object({ id: z.uuid(), stageId: z.uuid() });
const dealListQuery = z.object({
  ...dealScope,
  pipelineId: z.uuid().optional(),
  sort: sortParam.default([]),
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  trash: bool,
});
const productListQuery = z.object({
  q: z.string().trim().max(100).optional(),
  active: bool,
  trash: bool,
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const leadListQuery = z.object({
  filter: filterParam.optional(),
  status: z.enum(leadStatuses).optional(),
  sort: sortParam.default([]),
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  trash: bool,
});

export async function salesRoutes(app: App, { database }: ModuleDeps) {
  const db = salesDb(database.db);
  const who = (a: Actor | null) => a as Actor;

  // Products (商品)
  app.get(
    '/api/v1/products',
    {
      config: { access: 'records.read' },
      schema: { tags: ['products'], querystring: productListQuery, response: { 200: page(productSchema) } },
    },
    async (req) => products.listProducts({ db, actor: who(req.actor), ...req.query }),
  );
  app.post(
    '/api/v1/products',
    { config: { access: 'records.write' }, schema: { tags: ['products'], body: productCreate, response: { 201: productSchema } } },
    async (req, reply) => reply.status(201).send(await products.createProduct({ db, actor: who(req.actor), input: req.body })),
  );
  app.get(
    '/api/v1/products/:id',
    { config: { access: 'records.read' }, schema: { tags: ['products'], params: idParams, response: { 200: productSchema } } },
    async (req) => products.getProduct({ db, actor: who(req.actor), productId: req.params.id }),
  );
  app.patch(
    '/api/v1/products/:id',
    {
      config: { access: 'records.write' },
      schema: { tags: ['products'], params: idParams, body: productPatch, response: { 200: productSchema } },
    },
    async (req) => products.updateProduct({ db, actor: who(req.actor), productId: req.params.id, patch: req.body }),
  );
  app.delete(
    '/api/v1/products/:id',
    { config: { access: 'records.delete' }, schema: { tags: ['products'], params: idParams, response: { 200: ok } } },
    async (req) => {
      await products.trashProduct({ db, actor: who(req.actor), productId: req.params.id });
      return { ok: true as const };
    },
  );
  app.post(
    '/api/v1/products/:id/restore',
    { config: { access: 'records.delete' }, schema: { tags: ['products'], params: idParams, response: { 200: ok } } },
    async (req) => {
      await products.trashProduct({ db, actor: who(req.actor), productId: req.params.id, restore: true });
      return { ok: true as const };
    },
  );

  // Pipelines and stages (パイプライン・ステージ): everyone reads them, administrators shape them.
  app.get(
    '/api/v1/pipelines',
    { config: { access: 'records.read' }, schema: { tags: ['pipelines'], response: { 200: z.object({ data: z.array(pipelineSchema) }) } } },
    async (req) => ({ data: await pipelines.listPipelines({ db, actor: who(req.actor) }) }),
  );
  app.post(
    '/api/v1/pipelines',
    { config: { access: 'workspace.manage' }, schema: { tags: ['pipelines'], body: pipelineCreate, response: { 201: pipelineSchema } } },
    async (req, reply) => reply.status(201).send(await pipelines.createPipeline({ db, actor: who(req.actor), input: req.body })),
  );
  app.get(
    '/api/v1/pipelines/:id',
    { config: { access: 'records.read' }, schema: { tags: ['pipelines'], params: idParams, response: { 200: pipelineSchema } } },
    async (req) => pipelines.getPipeline({ db, actor: who(req.actor), pipelineId: req.params.id }),
  );
  app.put(
    '/api/v1/pipelines/:id',
    {
      config: { access: 'workspace.manage' },
      schema: { tags: ['pipelines'], params: idParams, body: pipelineUpdate, response: { 200: pipelineSchema } },
    },
    async (req) => pipelines.updatePipeline({ db, actor: who(req.actor), pipelineId: req.params.id, input: req.body }),
  );
  app.get(
    '/api/v1/pipelines/:id/board',
    {
      config: { access: 'records.read' },
      schema: { tags: ['pipelines'], params: idParams, querystring: boardQuery, response: { 200: boardSchema } },
    },
    async (req) => {
      const { limit, ...scope } = req.query;
      return getBoard({ db, actor: who(req.actor), pipelineId: req.params.id, scope, limit });
    },
  );
  app.get(
    '/api/v1/pipelines/:id/stages/:stageId/deals',
    {
      config: { access: 'records.read' },
      schema: { tags: ['pipelines'], params: stageParams, querystring: stagePageQuery, response: { 200: page(dealSchema) } },
    },
    async (req) => {
      const { limit, cursor, ...scope } = req.query;
      return getStagePage({ db, actor: who(req.actor), pipelineId: req.params.id, stageId: req.params.stageId, scope, limit, cursor });
    },
  );

  // Deals (商談)
  app.get(
    '/api/v1/deals',
    { config: { access: 'records.read' }, schema: { tags: ['deals'], querystring: dealListQuery, response: { 200: page(dealSchema) } } },
    async (req) => deals.listDeals({ db, actor: who(req.actor), scope: req.query }),
  );
  app.post(
    '/api/v1/deals',
    { config: { access: 'records.write' }, schema: { tags: ['deals'], body: dealCreate, response: { 201: dealSchema } } },
    async (req, reply) => reply.status(201).send(await deals.createDeal({ db, actor: who(req.actor), input: req.body })),
  );
  app.get(
    '/api/v1/deals/:id',
    { config: { access: 'records.read' }, schema: { tags: ['deals'], params: idParams, response: { 200: dealDetailSchema } } },
    async (req) => deals.getDeal({ db, actor: who(req.actor), dealId: req.params.id }),
  );
  app.patch(
    '/api/v1/deals/:id',
    { config: { access: 'records.write' }, schema: { tags: ['deals'], params: idParams, body: dealPatch, response: { 200: dealSchema } } },
    async (req) => deals.updateDeal({ db, actor: who(req.actor), dealId: req.params.id, patch: req.body }),
  );
  app.post(
    '/api/v1/deals/:id/move',
    { config: { access: 'records.write' }, schema: { tags: ['deals'], params: idParams, body: dealMove, response: { 200: dealSchema } } },
    async (req) => deals.updateDeal({ db, actor: who(req.actor), dealId: req.params.id, patch: req.body }),
  );
  app.put(
    '/api/v1/deals/:id/line-items',
    {
      config: { access: 'records.write' },
      schema: { tags: ['deals'], params: idParams, body: lineItemsPut, response: { 200: dealDetailSchema } },
    },
    async (req) =>
      deals.setLineItems({ db, actor: who(req.actor), dealId: req.params.id, version: req.body.version, items: req.body.items }),
  );
  app.get(
    '/api/v1/deals/:id/stage-history',
    {
      config: { access: 'records.read' },
      schema: { tags: ['deals'], params: idParams, response: { 200: z.object({ data: z.array(stageStaySchema) }) } },
    },
    async (req) => ({ data: await deals.stageHistory({ db, actor: who(req.actor), dealId: req.params.id }) }),
  );
  app.delete(
    '/api/v1/deals/:id',
    { config: { access: 'records.delete' }, schema: { tags: ['deals'], params: idParams, response: { 200: ok } } },
    async (req) => {
      await deals.trashDeal({ db, actor: who(req.actor), dealId: req.params.id });
      return { ok: true as const };
    },
  );
  app.post(
    '/api/v1/deals/:id/restore',
    { config: { access: 'records.delete' }, schema: { tags: ['deals'], params: idParams, response: { 200: ok } } },
    async (req) => {
      await deals.trashDeal({ db, actor: who(req.actor), dealId: req.params.id, restore: true });
      return { ok: true as const };
    },
  );

  // Leads (見込み客)
  app.get(
    '/api/v1/leads',
    { config: { access: 'records.read' }, schema: { tags: ['leads'], querystring: leadListQuery, response: { 200: page(leadSchema) } } },
    async (req) => leads.listLeads({ db, actor: who(req.actor), ...req.query }),
  );
  app.post(
    '/api/v1/leads',
    { config: { access: 'records.write' }, schema: { tags: ['leads'], body: leadCreate, response: { 201: leadSchema } } },
    async (req, reply) => reply.status(201).send(await leads.createLead({ db, actor: who(req.actor), input: req.body })),
  );
  app.get(
    '/api/v1/leads/:id',
    { config: { access: 'records.read' }, schema: { tags: ['leads'], params: idParams, response: { 200: leadSchema } } },
    async (req) => leads.getLead({ db, actor: who(req.actor), leadId: req.params.id }),
  );
  app.patch(
    '/api/v1/leads/:id',
    { config: { access: 'records.write' }, schema: { tags: ['leads'], params: idParams, body: leadPatch, response: { 200: leadSchema } } },
    async (req) => leads.updateLead({ db, actor: who(req.actor), leadId: req.params.id, patch: req.body }),
  );
  app.delete(
    '/api/v1/leads/:id',
    { config: { access: 'records.delete' }, schema: { tags: ['leads'], params: idParams, response: { 200: ok } } },
    async (req) => {
      await leads.trashLead({ db, actor: who(req.actor), leadId: req.params.id });
      return { ok: true as const };
    },
  );
  app.post(
    '/api/v1/leads/:id/convert',
    {
      config: { access: 'records.write' },
      schema: { tags: ['leads'], params: idParams, body: leadConvert, response: { 200: leadConversionSchema } },
    },
    async (req) => leads.convertLead({ db, actor: who(req.actor), leadId: req.params.id, input: req.body }),
  );
}
