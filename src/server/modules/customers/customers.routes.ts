import { z } from 'zod';
import { idParams } from '../../../shared/contracts/accounts.js';
import {
  bulkAction,
  companyCreate,
  companyPatch,
  companySchema,
  consentCreate,
  consentSchema,
  customFieldCreate,
  customFieldPatch,
  customFieldSchema,
  employmentSchema,
  personCreate,
  personPatch,
  personSchema,
  postalResultSchema,
} from '../../../shared/contracts/customers.js';
import { filterParam, sortParam } from '../../../shared/filter.js';
import { can } from '../../../shared/permissions.js';
import type { Actor } from '../../platform/actor.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { AppError } from '../../platform/http/errors.js';
import { auditTrail } from '../compliance/index.js';
import { createCustomField, listCustomFields, updateCustomField } from './custom-fields.js';
import { customersDb } from './customers.db.js';
import { findPostalAddresses } from './postal.js';
import { companyKind } from './records/company.kind.js';
import { listConsents, recordConsent } from './records/consents.service.js';
import { companyRelations, createDepartment, listEmploymentHistory } from './records/organisation.service.js';
import { personKind } from './records/person.kind.js';
import * as records from './records/records.service.js';
import { lookupByPhone, searchCustomers } from './records/search.service.js';

const listQuery = z.object({
  filter: filterParam.optional(),
  sort: sortParam.default([]),
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  trash: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
const countQuery = listQuery.pick({ filter: true, trash: true });
const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });
const ok = z.object({ ok: z.literal(true), count: z.number().optional() });
const historySchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      action: z.string(),
      actorId: z.string().nullable(),
      actorName: z.string().nullable(),
      before: z.unknown(),
      after: z.unknown(),
      createdAt: z.string(),
    }),
  ),
});

export async function customersRoutes(app: App, { database }: ModuleDeps) {
  const db = customersDb(database.db);
  const who = (a: Actor | null) => a as Actor;

  async function history(actor: Actor, entityType: string, entityId: string) {
    const rows = await auditTrail(db, { workspaceId: actor.workspaceId, entityType, entityId, limit: 200 });
    return {
      data: rows.map((r) => ({
        id: r.id,
        action: r.action,
        actorId: r.actorId,
        actorName: r.actorName,
        before: r.before,
        after: r.after,
        createdAt: r.createdAt,
      })),
    };
  }

  // People (個人)
  app.get(
    '/api/v1/people',
    { config: { access: 'records.read' }, schema: { tags: ['people'], querystring: listQuery, response: { 200: page(personSchema) } } },
    async (req) => records.listPage(personKind, { db, actor: who(req.actor), ...req.query }),
  );
  app.get(
    '/api/v1/people/count',
    {
      config: { access: 'records.read' },
      schema: { tags: ['people'], querystring: countQuery, response: { 200: z.object({ count: z.number() }) } },
    },
    async (req) => ({
      count: await records.countPage(personKind, { db, actor: who(req.actor), ...req.query }),
    }),
  );
  app.post(
    '/api/v1/people',
    { config: { access: 'records.write' }, schema: { tags: ['people'], body: personCreate, response: { 201: personSchema } } },
    async (req, reply) => reply.status(201).send(await records.createRecord(personKind, { db, actor: who(req.actor), input: req.body })),
  );
  app.post(
    '/api/v1/people/bulk',
    { config: { access: 'records.write' }, schema: { tags: ['people'], body: bulkAction, response: { 200: ok } } },
    async (req) => {
      if (req.body.action === 'delete') await assertDelete(req.actor);
      return { ok: true as const, count: await records.bulkRecords(personKind, { db, actor: who(req.actor), action: req.body }) };
    },
  );
  app.get(
    '/api/v1/people/:id',
    { config: { access: 'records.read' }, schema: { tags: ['people'], params: idParams, response: { 200: personSchema } } },
    async (req) => records.getRecord(personKind, { db, actor: who(req.actor), id: req.params.id, includeDeleted: true }),
  );
  app.patch(
    '/api/v1/people/:id',
    {
      config: { access: 'records.write' },
      schema: { tags: ['people'], params: idParams, body: personPatch, response: { 200: personSchema } },
    },
    async (req) => records.updateRecord(personKind, { db, actor: who(req.actor), id: req.params.id, patch: req.body }),
  );
  app.delete(
    '/api/v1/people/:id',
    { config: { access: 'records.delete' }, schema: { tags: ['people'], params: idParams, response: { 200: ok } } },
    async (req) => {
      await records.trashRecords(personKind, { db, actor: who(req.actor), target: { ids: [req.params.id] } });
      return { ok: true as const };
    },
  );
  app.post(
    '/api/v1/people/:id/restore',
    { config: { access: 'records.delete' }, schema: { tags: ['people'], params: idParams, response: { 200: ok } } },
    async (req) => {
      await records.trashRecords(personKind, { db, actor: who(req.actor), target: { ids: [req.params.id] }, restore: true });
      return { ok: true as const };
    },
  );
  app.get(
    '/api/v1/people/:id/history',
    { config: { access: 'records.read' }, schema: { tags: ['people'], params: idParams, response: { 200: historySchema } } },
    async (req) => {
      await records.getRecord(personKind, { db, actor: who(req.actor), id: req.params.id, includeDeleted: true });
      return history(who(req.actor), 'person', req.params.id);
    },
  );
  app.get(
    '/api/v1/people/:id/employments',
    {
      config: { access: 'records.read' },
      schema: { tags: ['people'], params: idParams, response: { 200: z.object({ data: z.array(employmentSchema) }) } },
    },
    async (req) => ({ data: await listEmploymentHistory({ db, actor: who(req.actor), personId: req.params.id }) }),
  );
  app.get(
    '/api/v1/people/:id/consents',
    {
      config: { access: 'records.read' },
      schema: { tags: ['people'], params: idParams, response: { 200: z.object({ data: z.array(consentSchema) }) } },
    },
    async (req) => ({ data: await listConsents({ db, actor: who(req.actor), personId: req.params.id }) }),
  );
  app.post(
    '/api/v1/people/:id/consents',
    {
      config: { access: 'records.write' },
      schema: { tags: ['people'], params: idParams, body: consentCreate, response: { 201: consentSchema } },
    },
    async (req, reply) =>
      reply.status(201).send(await recordConsent({ db, actor: who(req.actor), personId: req.params.id, consent: req.body })),
  );

  // Companies (法人)
  app.get(
    '/api/v1/companies',
    { config: { access: 'records.read' }, schema: { tags: ['companies'], querystring: listQuery, response: { 200: page(companySchema) } } },
    async (req) => records.listPage(companyKind, { db, actor: who(req.actor), ...req.query }),
  );
  app.get(
    '/api/v1/companies/count',
    {
      config: { access: 'records.read' },
      schema: { tags: ['companies'], querystring: countQuery, response: { 200: z.object({ count: z.number() }) } },
    },
    async (req) => ({ count: await records.countPage(companyKind, { db, actor: who(req.actor), ...req.query }) }),
  );
  app.post(
    '/api/v1/companies',
    { config: { access: 'records.write' }, schema: { tags: ['companies'], body: companyCreate, response: { 201: companySchema } } },
    async (req, reply) => reply.status(201).send(await records.createRecord(companyKind, { db, actor: who(req.actor), input: req.body })),
  );
  app.post(
    '/api/v1/companies/bulk',
    { config: { access: 'records.write' }, schema: { tags: ['companies'], body: bulkAction, response: { 200: ok } } },
    async (req) => {
      if (req.body.action === 'delete') await assertDelete(req.actor);
      return { ok: true as const, count: await records.bulkRecords(companyKind, { db, actor: who(req.actor), action: req.body }) };
    },
  );
  app.get(
    '/api/v1/companies/:id',
    { config: { access: 'records.read' }, schema: { tags: ['companies'], params: idParams, response: { 200: companySchema } } },
    async (req) => records.getRecord(companyKind, { db, actor: who(req.actor), id: req.params.id, includeDeleted: true }),
  );
  app.patch(
    '/api/v1/companies/:id',
    {
      config: { access: 'records.write' },
      schema: { tags: ['companies'], params: idParams, body: companyPatch, response: { 200: companySchema } },
    },
    async (req) => records.updateRecord(companyKind, { db, actor: who(req.actor), id: req.params.id, patch: req.body }),
  );
  app.delete(
    '/api/v1/companies/:id',
    { config: { access: 'records.delete' }, schema: { tags: ['companies'], params: idParams, response: { 200: ok } } },
    async (req) => {
      await records.trashRecords(companyKind, { db, actor: who(req.actor), target: { ids: [req.params.id] } });
      return { ok: true as const };
    },
  );
  app.post(
    '/api/v1/companies/:id/restore',
    { config: { access: 'records.delete' }, schema: { tags: ['companies'], params: idParams, response: { 200: ok } } },
    async (req) => {
      await records.trashRecords(companyKind, { db, actor: who(req.actor), target: { ids: [req.params.id] }, restore: true });
      return { ok: true as const };
    },
  );
  app.get(
    '/api/v1/companies/:id/history',
    { config: { access: 'records.read' }, schema: { tags: ['companies'], params: idParams, response: { 200: historySchema } } },
    async (req) => {
      await records.getRecord(companyKind, { db, actor: who(req.actor), id: req.params.id, includeDeleted: true });
      return history(who(req.actor), 'company', req.params.id);
    },
  );
  app.get(
    '/api/v1/companies/:id/relations',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['companies'],
        params: idParams,
        response: {
          200: z.object({
            people: z.array(personSchema),
            subsidiaries: z.array(z.object({ id: z.string(), name: z.string() })),
            departments: z.array(
              z.object({ id: z.string(), name: z.string(), parentId: z.string().nullable(), position: z.number(), version: z.number() }),
            ),
          }),
        },
      },
    },
    async (req) => companyRelations({ db, actor: who(req.actor), companyId: req.params.id }),
  );
  app.post(
    '/api/v1/companies/:id/departments',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['companies'],
        params: idParams,
        body: z.object({ name: z.string().trim().min(1).max(100), parentId: z.uuid().nullish() }),
        response: {
          201: z.object({ id: z.string(), name: z.string(), parentId: z.string().nullable(), position: z.number(), version: z.number() }),
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await createDepartment({ db, actor: who(req.actor), companyId: req.params.id, ...req.body })),
  );

  // Search and lookups
  app.get(
    '/api/v1/search',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['search'],
        querystring: z.object({ q: z.string().max(200), limit: z.coerce.number().int().min(1).max(50).default(10) }),
        response: {
          200: z.object({
            people: z.array(personSchema),
            companies: z.array(companySchema),
            more: z.object({ people: z.boolean(), companies: z.boolean() }),
          }),
        },
      },
    },
    async (req) => searchCustomers({ db, actor: who(req.actor), ...req.query }),
  );
  app.get(
    '/api/v1/lookup/phone',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['search'],
        querystring: z.object({ number: z.string().min(1).max(40) }),
        response: { 200: z.object({ e164: z.string().nullable(), people: z.array(personSchema), companies: z.array(companySchema) }) },
      },
    },
    async (req) => lookupByPhone({ db, actor: who(req.actor), phone: req.query.number }),
  );
  app.get(
    '/api/v1/postal-codes/:code',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['search'],
        description:
          'Addresses of a Japanese postal code (KEN_ALL; full-width digits, 〒 and hyphens accepted). 400 `invalid_postal_code` when it is not seven digits, 404 `postal_code_not_found` when no address has it (事業所 codes are not included).',
        params: z.object({ code: z.string().max(20) }),
        response: { 200: z.object({ data: z.array(postalResultSchema) }) },
      },
    },
    async (req) => ({ data: await findPostalAddresses(req.params.code) }),
  );

  // Custom fields (カスタム項目)
  app.get(
    '/api/v1/custom-fields',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['custom-fields'],
        querystring: z.object({
          entityType: z.enum(['person', 'company']).optional(),
          archived: z.enum(['true', 'false']).default('false'),
        }),
        response: { 200: z.object({ data: z.array(customFieldSchema) }) },
      },
    },
    async (req) => ({ data: await listCustomFields(db, who(req.actor).workspaceId, req.query.entityType, req.query.archived === 'true') }),
  );
  app.post(
    '/api/v1/custom-fields',
    {
      config: { access: 'workspace.manage' },
      schema: { tags: ['custom-fields'], body: customFieldCreate, response: { 201: customFieldSchema } },
    },
    async (req, reply) =>
      reply.status(201).send(
        await createCustomField({
          db,
          actor: who(req.actor),
          input: {
            ...req.body,
            helpJa: req.body.helpJa ?? null,
            helpEn: req.body.helpEn ?? null,
            defaultValue: req.body.defaultValue ?? null,
          },
        }),
      ),
  );
  app.patch(
    '/api/v1/custom-fields/:id',
    {
      config: { access: 'workspace.manage' },
      schema: {
        tags: ['custom-fields'],
        params: idParams,
        body: customFieldPatch.extend({ archived: z.boolean().optional() }),
        response: { 200: customFieldSchema },
      },
    },
    async (req) => {
      const { version, ...patch } = req.body;
      return updateCustomField({ db, actor: who(req.actor), id: req.params.id, version, patch });
    },
  );
}

/** Bulk delete goes through the bulk route (records.write): it needs the delete permission as well. */
async function assertDelete(actor: Actor | null) {
  if (!actor || !can(actor.role, 'records.delete')) throw new AppError('forbidden', { permission: 'records.delete' });
}
