import { z } from 'zod';
import { idParams } from '../../../shared/contracts/accounts.js';
import { savedViewCreate } from '../../../shared/contracts/customers.js';
import { filterSchema, sortSchema } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { customersDb } from './customers.db.js';
import * as views from './views.service.js';

const viewFields = {
  name: savedViewCreate.shape.name,
  shared: z.boolean().describe('Shared: everyone in the workspace sees it; only its owner or an administrator changes it'),
  filter: filterSchema
    .nullish()
    .describe(
      'Filter language (as `?filter=` of the list); compiled against the entity’s fields when saved: a filter the list would refuse is a 400',
    ),
  sort: sortSchema.describe('Up to three sort keys, as in the list'),
  columns: z
    .array(z.string().max(100))
    .max(60)
    .describe('Field keys of the entity’s list (`familyName`, `company.name`, `custom.<key>`, …)'),
};
const createBody = z.object({
  entityType: z.enum(['person', 'company']),
  ...viewFields,
  shared: viewFields.shared.default(false),
  sort: viewFields.sort.default([]),
  columns: viewFields.columns.default([]),
});
const patchBody = z.object(viewFields).partial().extend({ version: z.number().int() });
const viewSchema = z.object({
  id: z.string(),
  entityType: z.enum(['person', 'company']),
  name: z.string(),
  ownerId: z.string(),
  shared: z.boolean(),
  filter: z.unknown().describe('Filter language, or null'),
  sort: z.array(z.object({ field: z.string(), dir: z.enum(['asc', 'desc']) })),
  columns: z.array(z.string()),
  canEdit: z.boolean().describe('Whether you may change or delete it'),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/**
 * Saved views are personal settings: every signed-in user may keep their own (read-only users too),
 * so writes need only `authenticated` (API tokens still need the write scope).
 */
export async function viewsRoutes(app: App, { database }: ModuleDeps) {
  const db = customersDb(database.db);
  const who = (a: Actor | null) => a as Actor;

  app.get(
    '/api/v1/views',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['views'],
        description: 'Your private views and every shared view of the entity, by name.',
        querystring: z.object({ entityType: z.enum(['person', 'company']) }),
        response: { 200: z.object({ data: z.array(viewSchema) }) },
      },
    },
    async (req) => ({ data: await views.listViews({ db, actor: who(req.actor), entityType: req.query.entityType }) }),
  );
  app.get(
    '/api/v1/views/:id',
    { config: { access: 'records.read' }, schema: { tags: ['views'], params: idParams, response: { 200: viewSchema } } },
    async (req) => views.getView({ db, actor: who(req.actor), viewId: req.params.id }),
  );
  app.post(
    '/api/v1/views',
    { config: { access: 'authenticated' }, schema: { tags: ['views'], body: createBody, response: { 201: viewSchema } } },
    async (req, reply) => {
      const { entityType, ...input } = req.body;
      return reply.status(201).send(await views.createView({ db, actor: who(req.actor), entityType, input }));
    },
  );
  app.patch(
    '/api/v1/views/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['views'],
        description: 'Change a view (owner, or an administrator for a shared one). A stale version is a 409 with the current view.',
        params: idParams,
        body: patchBody,
        response: { 200: viewSchema },
      },
    },
    async (req) => views.updateView({ db, actor: who(req.actor), viewId: req.params.id, patch: req.body }),
  );
  app.delete(
    '/api/v1/views/:id',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['views'], params: idParams, response: { 200: z.object({ ok: z.literal(true) }) } },
    },
    async (req) => {
      await views.deleteView({ db, actor: who(req.actor), viewId: req.params.id });
      return { ok: true as const };
    },
  );
}
