import { z } from 'zod';
import { idParams } from '../../../../shared/contracts/accounts.js';
import { companySchema, personSchema } from '../../../../shared/contracts/customers.js';
import type { Actor } from '../../../platform/actor.js';
import type { App, ModuleDeps } from '../../../platform/http/app.js';
import { customersDb } from '../customers.db.js';
import * as duplicates from './duplicates.service.js';
import { mergeCompanies, mergePeople } from './merge.service.js';
import { companyMergeFields, personMergeFields } from './merge-fields.js';

const reasons = z
  .array(z.enum(['email', 'phone', 'name_company', 'kana_company', 'name_phone', 'name', 'corporate_number']))
  .describe('Why the two records look like one customer: same normalised email, phone (E.164), name or kana at the same company, …');
const pairFields = {
  id: z.string(),
  aId: z.string(),
  bId: z.string(),
  reasons,
  status: z.enum(['open', 'merged', 'dismissed']),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
};
export const duplicatePairSchema = z
  .discriminatedUnion('entityType', [
    z.object({ entityType: z.literal('person'), ...pairFields, a: personSchema, b: personSchema }),
    z.object({ entityType: z.literal('company'), ...pairFields, a: companySchema, b: companySchema }),
  ])
  .describe('A suspected duplicate pair with both records side by side (a.id < b.id).');
const scanSchema = z.object({
  id: z.string(),
  entityType: z.enum(['person', 'company']),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  stepsTotal: z.number().describe('Progress: one step per kind of key (email, phone, name + company, …)'),
  stepsDone: z.number(),
  pairsFound: z.number().describe('Pairs inserted or given a new reason by this scan'),
  trigger: z.string().describe('`manual`, or `import:<import id>` when an import finished'),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
const entityType = z.enum(['person', 'company']);
const mergeBody = (fields: Record<string, unknown>) =>
  z.object({
    survivorId: z.uuid().describe('The record that stays'),
    mergedId: z.uuid().describe('The record that goes to the trash with `merged_into` set'),
    survivorVersion: z.number().int().describe('Version you looked at: a newer one is refused with 409 and both current records'),
    mergedVersion: z.number().int(),
    fields: z
      .partialRecord(z.enum(Object.keys(fields) as [string, ...string[]]), z.enum(['survivor', 'merged', 'union']))
      .default({})
      .describe(
        'Which record each field comes from; unnamed fields keep the survivor’s value. `union` (both) is allowed for emails, phones, tags, custom, notes, household and preferences.',
      ),
  });

/** Duplicate review queue: the event subscribers that fill it, and its routes. */
export async function duplicatesRoutes(app: App, { database, bus }: ModuleDeps) {
  const db = customersDb(database.db);
  const who = (a: Actor | null) => a as Actor;

  // Subscriptions are declared while the app is built, before the bus starts its workers.
  bus.subscribe('customers-dedup', duplicates.RECORD_EVENTS, async (event) => {
    await duplicates.checkRecordForDuplicates({ db, event });
  });
  // Whole-workspace scans get their own queue so a long scan never delays the per-record checks.
  bus.subscribe('customers-dedup-scan', duplicates.SCAN_EVENTS, async (event) => {
    await duplicates.runScanForEvent({ db, event });
  });

  app.get(
    '/api/v1/duplicates',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['duplicates'],
        description: 'Suspected duplicate pairs, newest first, where you may see both records. Open pairs of deleted records are left out.',
        querystring: z.object({
          entityType,
          status: z.enum(['open', 'merged', 'dismissed']).default('open'),
          recordId: z.uuid().optional().describe('Only the pairs this person or company is part of (either side)'),
          cursor: z.string().max(500).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ data: z.array(duplicatePairSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => duplicates.listDuplicates({ db, actor: who(req.actor), ...req.query }),
  );
  app.post(
    '/api/v1/duplicates/:id/dismiss',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['duplicates'],
        description: 'Not the same customer: the pair leaves the queue and is not suggested again. 409 when it is no longer open.',
        params: idParams,
        response: { 200: z.object({ id: z.string(), status: z.enum(['open', 'merged', 'dismissed']) }).passthrough() },
      },
    },
    async (req) => duplicates.dismissDuplicate({ db, actor: who(req.actor), pairId: req.params.id }),
  );
  app.post(
    '/api/v1/duplicates/scan',
    {
      config: { access: 'workspace.manage' },
      schema: {
        tags: ['duplicates'],
        description:
          'Scan the whole workspace for duplicates in the background (set-wise SQL). Poll `GET /api/v1/duplicates/scans/{id}` for progress.',
        querystring: z.object({ entityType }),
        response: { 202: scanSchema },
      },
    },
    async (req, reply) =>
      reply.status(202).send(await duplicates.requestScan({ db, actor: who(req.actor), entityType: req.query.entityType })),
  );
  app.post(
    '/api/v1/people/merge',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['duplicates', 'people'],
        description:
          'Merge two people into one, field by field, in one transaction: employments, consents and purposes move to the survivor, the other goes to the trash, and `person.merged` tells other modules. Needs records.delete too.',
        body: mergeBody(personMergeFields),
        response: { 200: personSchema },
      },
    },
    async (req) => mergePeople({ db, actor: who(req.actor), ...req.body }),
  );
  app.post(
    '/api/v1/companies/merge',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['duplicates', 'companies'],
        description:
          'Merge two companies into one, field by field: people, employment history, departments and subsidiaries move to the survivor; `company.merged` tells other modules. Needs records.delete too.',
        body: mergeBody(companyMergeFields),
        response: { 200: companySchema },
      },
    },
    async (req) => mergeCompanies({ db, actor: who(req.actor), ...req.body }),
  );
  app.get(
    '/api/v1/duplicates/scans/:id',
    {
      config: { access: 'records.read' },
      schema: { tags: ['duplicates'], description: 'Progress of a duplicate scan.', params: idParams, response: { 200: scanSchema } },
    },
    async (req) => duplicates.getScan({ db, actor: who(req.actor), scanId: req.params.id }),
  );
}
