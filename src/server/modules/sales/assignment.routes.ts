import { z } from 'zod';
import { idParams } from '../../../shared/contracts/accounts.js';
import {
  assignmentObjectTypes,
  assignmentRuleCreate,
  assignmentRuleOrder,
  assignmentRulePatch,
  assignmentRuleSchema,
  assignmentSettingsPut,
  assignmentSettingsSchema,
  recordAssignmentSchema,
} from '../../../shared/contracts/assignment.js';
import type { Actor } from '../../platform/actor.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { registerAssignmentJobs } from './assignment.jobs.js';
import * as rules from './assignment-rules.service.js';
import { getDeal } from './deals.service.js';
import { getLead } from './leads.service.js';
import { salesDb } from './sales.db.js';

const listQuery = z.object({ objectType: z.enum(assignmentObjectTypes).optional() });
const list = z.object({ data: z.array(assignmentRuleSchema) });
const ok = z.object({ ok: z.literal(true) });
const history = z.object({ data: z.array(recordAssignmentSchema) });

/** 割り当てルール (admin) and escalation settings; a lead's or deal's automatic assignments for anyone who may see it. */
export async function assignmentRoutes(app: App, { database, bus }: ModuleDeps) {
  const db = salesDb(database.db);
  const who = (a: Actor | null) => a as Actor;
  registerAssignmentJobs(bus, db);
  const tags = ['assignment'];

  app.get(
    '/api/v1/assignment-rules',
    { config: { access: 'workspace.manage' }, schema: { tags, querystring: listQuery, response: { 200: list } } },
    async (req) => ({ data: await rules.listRules({ db, actor: who(req.actor), objectType: req.query.objectType }) }),
  );
  app.post(
    '/api/v1/assignment-rules',
    { config: { access: 'workspace.manage' }, schema: { tags, body: assignmentRuleCreate, response: { 201: assignmentRuleSchema } } },
    async (req, reply) => reply.status(201).send(await rules.createRule({ db, actor: who(req.actor), input: req.body })),
  );
  app.put(
    '/api/v1/assignment-rules/order',
    { config: { access: 'workspace.manage' }, schema: { tags, body: assignmentRuleOrder, response: { 200: list } } },
    async (req) => ({ data: await rules.reorderRules({ db, actor: who(req.actor), ...req.body }) }),
  );
  app.get(
    '/api/v1/assignment-rules/:id',
    { config: { access: 'workspace.manage' }, schema: { tags, params: idParams, response: { 200: assignmentRuleSchema } } },
    async (req) => rules.getRule({ db, actor: who(req.actor), ruleId: req.params.id }),
  );
  app.patch(
    '/api/v1/assignment-rules/:id',
    {
      config: { access: 'workspace.manage' },
      schema: { tags, params: idParams, body: assignmentRulePatch, response: { 200: assignmentRuleSchema } },
    },
    async (req) => rules.updateRule({ db, actor: who(req.actor), ruleId: req.params.id, patch: req.body }),
  );
  app.delete(
    '/api/v1/assignment-rules/:id',
    { config: { access: 'workspace.manage' }, schema: { tags, params: idParams, response: { 200: ok } } },
    async (req) => {
      await rules.deleteRule({ db, actor: who(req.actor), ruleId: req.params.id });
      return { ok: true as const };
    },
  );
  app.get(
    '/api/v1/assignment-settings',
    { config: { access: 'workspace.manage' }, schema: { tags, response: { 200: assignmentSettingsSchema } } },
    async (req) => rules.getSettings({ db, actor: who(req.actor) }),
  );
  app.put(
    '/api/v1/assignment-settings',
    { config: { access: 'workspace.manage' }, schema: { tags, body: assignmentSettingsPut, response: { 200: assignmentSettingsSchema } } },
    async (req) => rules.putSettings({ db, actor: who(req.actor), input: req.body }),
  );
  app.get(
    '/api/v1/leads/:id/assignments',
    { config: { access: 'records.read' }, schema: { tags: ['leads'], params: idParams, response: { 200: history } } },
    async (req) => {
      const actor = who(req.actor);
      await getLead({ db, actor, leadId: req.params.id });
      return { data: await rules.listRecordAssignments({ db, actor, objectType: 'lead', recordId: req.params.id }) };
    },
  );
  app.get(
    '/api/v1/deals/:id/assignments',
    { config: { access: 'records.read' }, schema: { tags: ['deals'], params: idParams, response: { 200: history } } },
    async (req) => {
      const actor = who(req.actor);
      await getDeal({ db, actor, dealId: req.params.id });
      return { data: await rules.listRecordAssignments({ db, actor, objectType: 'deal', recordId: req.params.id }) };
    },
  );
}
