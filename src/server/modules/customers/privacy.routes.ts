import { z } from 'zod';
import { idParams } from '../../../shared/contracts/accounts.js';
import { personSchema } from '../../../shared/contracts/customers.js';
import type { Actor } from '../../platform/actor.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { customersDb } from './customers.db.js';
import * as privacy from './privacy.service.js';

const requestSchema = z.object({
  id: z.string(),
  kind: z.enum(['export', 'erasure', 'correction']),
  personId: z.string(),
  requestedAt: z.string().describe('When the person made the request'),
  completedAt: z.string().nullable(),
  handledBy: z.string().nullable().describe('The user who carried it out'),
  reference: z.string().nullable().describe('Your reference for the request (受付番号, letter, ticket)'),
  reason: z.string().nullable(),
  createdAt: z.string(),
});
const purposeSchema = z.object({
  id: z.string(),
  personId: z.string(),
  purpose: z.string(),
  status: z.enum(['agreed', 'notified', 'withdrawn']),
  method: z.string(),
  wording: z.string().nullable(),
  recordedAt: z.string(),
  recordedBy: z.string().nullable(),
});
const exportedPerson = personSchema.extend({ mergedInto: z.string().nullable(), erasedAt: z.string().nullable() });
const exportSchema = z
  .object({
    exportedAt: z.string(),
    requestId: z.string().describe('The privacy request logged for this export'),
    person: exportedPerson,
    mergedRecords: z.array(exportedPerson).describe('Records merged into this person (kept in the trash)'),
    customFields: z.array(z.object({ key: z.string(), labelJa: z.string(), labelEn: z.string(), type: z.string() })),
    contactPoints: z.array(z.object({ kind: z.string(), value: z.string(), personId: z.string() })),
    consents: z.array(
      z.object({
        id: z.string(),
        personId: z.string(),
        channel: z.string(),
        status: z.string(),
        method: z.string(),
        purpose: z.string().nullable(),
        wording: z.string().nullable(),
        source: z.string().nullable(),
        recordedAt: z.string(),
        recordedBy: z.string().nullable(),
      }),
    ),
    purposes: z.array(purposeSchema),
    employments: z.array(
      z.object({
        id: z.string(),
        personId: z.string(),
        companyId: z.string(),
        departmentId: z.string().nullable(),
        title: z.string().nullable(),
        startedOn: z.string().nullable(),
        endedOn: z.string().nullable(),
      }),
    ),
    history: z.array(
      z.object({
        id: z.string(),
        personId: z.string(),
        action: z.string(),
        actorId: z.string().nullable(),
        actorType: z.string(),
        before: z.unknown(),
        after: z.unknown(),
        createdAt: z.string(),
      }),
    ),
    modules: z.record(z.string(), z.unknown()).describe('What other modules hold, by module (personal data providers)'),
  })
  .describe('Everything the CRM holds about the person (APPI 開示請求)');

/** APPI: purposes of use, export of everything held, erasure, and the log of requests. */
export async function privacyRoutes(app: App, { database }: ModuleDeps) {
  const db = customersDb(database.db);
  const who = (a: Actor | null) => a as Actor;

  app.get(
    '/api/v1/people/:id/purposes',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['privacy'],
        description: 'Purposes of use (利用目的) of the person: where each stands now, and the full history.',
        params: idParams,
        response: {
          200: z.object({
            current: z.array(z.object({ purpose: z.string(), status: z.enum(['agreed', 'notified', 'withdrawn']), since: z.string() })),
            history: z.array(purposeSchema),
          }),
        },
      },
    },
    async (req) => privacy.listPurposes({ db, actor: who(req.actor), personId: req.params.id }),
  );
  app.post(
    '/api/v1/people/:id/purposes',
    {
      config: { access: 'records.write' },
      schema: {
        tags: ['privacy'],
        description: 'Record that a purpose of use was notified to, agreed by, or withdrawn by the person.',
        params: idParams,
        body: z.object({
          purpose: z.string().trim().min(1).max(200).describe('e.g. `newsletter`, `商品の発送`, `アンケート分析`'),
          status: z.enum(['agreed', 'notified', 'withdrawn']),
          method: z.enum(['web_form', 'paper', 'verbal', 'email', 'import', 'other']),
          wording: z.string().trim().max(5000).nullish().describe('The text shown to the person'),
        }),
        response: { 201: purposeSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await privacy.recordPurpose({ db, actor: who(req.actor), personId: req.params.id, input: req.body })),
  );
  app.get(
    '/api/v1/people/:id/export',
    {
      config: { access: 'records.export' },
      schema: {
        tags: ['privacy'],
        description: 'Everything held about the person, as JSON. Logged as a privacy request and audited (`person.data_exported`).',
        params: idParams,
        querystring: z.object({ reference: z.string().trim().max(200).optional() }),
        response: { 200: exportSchema },
      },
    },
    async (req) => privacy.exportPersonalData({ db, actor: who(req.actor), personId: req.params.id, reference: req.query.reference }),
  );
  app.post(
    '/api/v1/people/:id/erase',
    {
      config: { access: 'workspace.manage' },
      schema: {
        tags: ['privacy'],
        description:
          'Irreversibly erase the person’s personal data (and of records merged into them), also from the audit trail’s values. The request itself is kept. Administrators only.',
        params: idParams,
        body: z.object({
          reason: z.string().trim().min(1).max(2000),
          requestedAt: z.iso.datetime({ offset: true }).describe('When the person asked'),
          requestReference: z.string().trim().max(200).nullish(),
        }),
        response: { 200: z.object({ request: requestSchema, erasedRecords: z.number() }) },
      },
    },
    async (req) => privacy.erasePerson({ db, actor: who(req.actor), personId: req.params.id, request: req.body }),
  );
  app.get(
    '/api/v1/privacy-requests',
    {
      config: { access: 'workspace.manage' },
      schema: {
        tags: ['privacy'],
        description: 'Privacy requests, newest first.',
        querystring: z.object({
          kind: z.enum(['export', 'erasure', 'correction']).optional(),
          personId: z.uuid().optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ data: z.array(requestSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => privacy.listPrivacyRequests({ db, actor: who(req.actor), ...req.query }),
  );
  app.post(
    '/api/v1/privacy-requests',
    {
      config: { access: 'workspace.manage' },
      schema: {
        tags: ['privacy'],
        description: 'Log a correction request (訂正請求). The correction itself is an ordinary edit of the record, kept in its history.',
        body: z.object({
          kind: z.literal('correction'),
          personId: z.uuid(),
          requestedAt: z.iso.datetime({ offset: true }),
          completed: z.boolean().default(false),
          reference: z.string().trim().max(200).nullish(),
          reason: z.string().trim().max(2000).nullish(),
        }),
        response: { 201: requestSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await privacy.logCorrectionRequest({ db, actor: who(req.actor), input: req.body })),
  );
}
