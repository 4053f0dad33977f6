import type { Updateable } from 'kysely';
import type { z } from 'zod';
import { companyCreate, personCreate } from '../../../shared/contracts/customers.js';
import {
  dealCreate,
  type Lead,
  type LeadConvert,
  type LeadCreate,
  type LeadPatch,
  type LeadStatus,
} from '../../../shared/contracts/sales.js';
import type { Filter, Sort } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import type { Leads } from '../../platform/db/schema.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { teamInWorkspace, userInWorkspace } from '../accounts/index.js';
import { createCompany, createPerson, getCompany, getPerson } from '../customers/index.js';
import { isLeadRow } from './assignment.repository.js';
import { announceAssignment, assignNewRecord } from './assignment.service.js';
import { createDeal } from './deals.service.js';
import * as repo from './leads.repository.js';
import type { SalesDb } from './sales.db.js';
import { maySeeSalesRecord } from './sales.policy.js';
import { presentLead } from './sales.presenter.js';

/** The given fields as lead columns; what the caller left out is undefined, which Kysely leaves out of the statement. */
function toColumns(i: Omit<LeadPatch, 'version'>): Updateable<Leads> {
  return {
    family_name: i.familyName,
    given_name: i.givenName,
    family_name_kana: i.familyNameKana,
    given_name_kana: i.givenNameKana,
    company_name: i.companyName,
    title: i.title,
    email: i.email,
    phone: i.phone,
    source: i.source,
    channel: i.channel,
    prefecture: i.prefecture,
    industry: i.industry,
    employee_count: i.employeeCount,
    status: i.status,
    disqualified_reason: i.disqualifiedReason,
    notes: i.notes,
    owner_id: i.ownerId,
    team_id: i.teamId,
  };
}

async function checkRefs(trx: SalesDb, actor: Actor, input: { ownerId?: string | null; teamId?: string | null }) {
  const issues: { path: string; code: string }[] = [];
  if (input.ownerId && !(await userInWorkspace(trx, actor.workspaceId, input.ownerId))) issues.push({ path: 'ownerId', code: 'not_found' });
  if (input.teamId && !(await teamInWorkspace(trx, actor.workspaceId, input.teamId))) issues.push({ path: 'teamId', code: 'not_found' });
  if (issues.length) throw new AppError('validation_failed', { issues });
}

const leadTimeline = (lead: Lead, summary: Record<string, unknown>, extra: { entityType: string; entityId: string }[] = []) => ({
  kind: 'lead',
  occurredAt: new Date().toISOString(),
  links: [{ entityType: 'lead', entityId: lead.id, ownerId: lead.ownerId, teamId: lead.teamId, label: lead.displayName }, ...extra],
  summary: { name: lead.displayName, companyName: lead.companyName, source: lead.source, ...summary },
});

export async function createLead(options: { db: SalesDb; actor: Actor; input: LeadCreate }) {
  const { actor, input } = options;
  return options.db.transaction().execute(async (trx) => {
    await checkRefs(trx, actor, input);
    const row = await repo.insertLead(trx, {
      workspace_id: actor.workspaceId,
      id: newId(),
      ...toColumns(input),
      family_name: input.familyName,
      owner_id: input.ownerId ?? actor.userId,
      created_by: actor.userId,
      updated_by: actor.userId,
    });
    // Without an explicit owner the assignment rules choose one (assignment.service.ts says why in the transaction).
    const assignment = input.ownerId ? null : await assignNewRecord(trx, actor, { objectType: 'lead', row });
    const lead = presentLead(assignment && isLeadRow(assignment.row) ? assignment.row : row);
    await recordChange(trx, actor, {
      audit: { action: 'lead.created', entityType: 'lead', entityId: lead.id, after: lead },
      event: {
        type: 'lead.created',
        entityType: 'lead',
        entityId: lead.id,
        ownerId: lead.ownerId,
        teamId: lead.teamId,
        payload: { source: lead.source, channel: lead.channel, timeline: leadTimeline(lead, { action: 'created', channel: lead.channel }) },
      },
    });
    if (assignment) await announceAssignment(trx, actor, 'lead', assignment);
    return lead;
  });
}

async function visibleLead(db: SalesDb, actor: Actor, leadId: string, opts: { forUpdate?: boolean } = {}) {
  const row = await repo.findLead(db, actor.workspaceId, leadId, opts);
  if (!row || !maySeeSalesRecord(actor, row)) throw new AppError('not_found');
  return row;
}

export async function getLead(options: { db: SalesDb; actor: Actor; leadId: string }) {
  return presentLead(await visibleLead(options.db, options.actor, options.leadId));
}

export async function updateLead(options: { db: SalesDb; actor: Actor; leadId: string; patch: LeadPatch }) {
  const { actor, patch } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await visibleLead(trx, actor, options.leadId, { forUpdate: true });
    if (before.deleted_at) throw new AppError('not_found');
    const beforeView = presentLead(before);
    if (before.version !== patch.version) throw new AppError('conflict', { current: beforeView });
    if (before.status === 'converted') throw new AppError('lead_not_convertible', { reason: 'converted' });
    await checkRefs(trx, actor, patch);
    const { version: _version, ...changes } = patch;
    const after = presentLead(
      await repo.updateLead(trx, actor.workspaceId, before.id, { ...toColumns(changes), updated_by: actor.userId }),
    );
    const statusChanged = after.status !== beforeView.status;
    await recordChange(trx, actor, {
      audit: { action: 'lead.updated', entityType: 'lead', entityId: before.id, before: beforeView, after },
      event: {
        type: statusChanged ? 'lead.status_changed' : 'lead.updated',
        entityType: 'lead',
        entityId: before.id,
        ownerId: after.ownerId,
        teamId: after.teamId,
        payload: statusChanged
          ? {
              from: beforeView.status,
              to: after.status,
              timeline: leadTimeline(after, { action: 'status_changed', from: beforeView.status, to: after.status }),
            }
          : {},
      },
    });
    return after;
  });
}

export async function trashLead(options: { db: SalesDb; actor: Actor; leadId: string; restore?: boolean }) {
  const { actor } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await visibleLead(trx, actor, options.leadId, { forUpdate: true });
    if (!!before.deleted_at === !options.restore) throw new AppError('not_found');
    await repo.updateLead(trx, actor.workspaceId, before.id, {
      deleted_at: options.restore ? null : new Date(),
      deleted_by: options.restore ? null : actor.userId,
      updated_by: actor.userId,
    });
    const action = options.restore ? 'lead.restored' : 'lead.deleted';
    await recordChange(trx, actor, {
      audit: { action, entityType: 'lead', entityId: before.id, before: presentLead(before) },
      event: { type: action, entityType: 'lead', entityId: before.id, ownerId: before.owner_id, teamId: before.team_id },
    });
  });
}

export async function listLeads(options: {
  db: SalesDb;
  actor: Actor;
  filter?: Filter;
  status?: string;
  sort: Sort;
  cursor?: string;
  limit: number;
  trash?: boolean;
}) {
  const { rows, nextCursor } = await repo.listLeadRows(options.db, options.actor, options);
  return { data: rows.map(presentLead), nextCursor };
}

/** Open statuses: a rep converts when the customer is ready, without first marking the lead qualified. */
const CONVERTIBLE = new Set<LeadStatus>(['new', 'working', 'qualified']);

/**
 * 取引開始: an open lead (new, working or qualified) becomes a person (+ company) (+ deal) in one transaction; any failure
 * leaves nothing behind. The lead keeps the new ids, and `lead.converted` lets the timeline follow it.
 */
export async function convertLead(options: { db: SalesDb; actor: Actor; leadId: string; input: LeadConvert }) {
  const { actor, input } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await visibleLead(trx, actor, options.leadId, { forUpdate: true });
    if (before.deleted_at) throw new AppError('not_found');
    const lead = presentLead(before);
    if (before.version !== input.version) throw new AppError('conflict', { current: lead });
    if (!CONVERTIBLE.has(lead.status)) throw new AppError('lead_not_convertible', { status: lead.status });

    let companyId: string | null = null;
    if (input.company.mode === 'existing') {
      companyId = (await getCompany({ db: trx, actor, companyId: input.company.id }).catch(notFoundAt('company.id'))).id;
    } else if (input.company.mode === 'new') {
      const name = input.company.name ?? lead.companyName;
      if (!name) throw new AppError('validation_failed', { issues: [{ path: 'company.name', code: 'required' }] });
      const company = await createCompany({
        db: trx,
        actor,
        input: parseAt(companyCreate, 'company', {
          name,
          ownerId: lead.ownerId,
          teamId: lead.teamId,
          ignoreDuplicates: input.company.ignoreDuplicates,
        }),
      });
      companyId = company.id;
    }

    let personId: string;
    if (input.person.mode === 'existing') {
      personId = (await getPerson({ db: trx, actor, personId: input.person.id }).catch(notFoundAt('person.id'))).id;
    } else {
      const person = await createPerson({
        db: trx,
        actor,
        input: parseAt(personCreate, 'person', {
          familyName: lead.familyName,
          givenName: lead.givenName,
          familyNameKana: lead.familyNameKana,
          givenNameKana: lead.givenNameKana,
          emails: lead.email ? [{ label: 'work', address: lead.email }] : [],
          phones: lead.phone ? [{ label: 'work', number: lead.phone }] : [],
          title: lead.title,
          companyId,
          ownerId: lead.ownerId,
          teamId: lead.teamId,
          notes: lead.notes,
          ignoreDuplicates: input.person.ignoreDuplicates,
        }),
      });
      personId = person.id;
    }

    let dealId: string | null = null;
    if (input.deal) {
      const deal = await createDeal({
        db: trx,
        actor,
        leadId: lead.id,
        input: parseAt(dealCreate, 'deal', { ...input.deal, personId, companyId, ownerId: lead.ownerId, teamId: lead.teamId }),
      }).catch(prefixIssues('deal'));
      dealId = deal.id;
    }

    const after = presentLead(
      await repo.updateLead(trx, actor.workspaceId, lead.id, {
        status: 'converted',
        converted_at: new Date(),
        converted_by: actor.userId,
        converted_person_id: personId,
        converted_company_id: companyId,
        converted_deal_id: dealId,
        updated_by: actor.userId,
      }),
    );
    const links = [{ entityType: 'person', entityId: personId }];
    if (companyId) links.push({ entityType: 'company', entityId: companyId });
    if (dealId) links.push({ entityType: 'deal', entityId: dealId });
    await recordChange(trx, actor, {
      audit: { action: 'lead.converted', entityType: 'lead', entityId: lead.id, before: lead, after },
      event: {
        type: 'lead.converted',
        entityType: 'lead',
        entityId: lead.id,
        ownerId: after.ownerId,
        teamId: after.teamId,
        payload: {
          leadId: lead.id,
          personId,
          companyId,
          dealId,
          timeline: leadTimeline(after, { action: 'converted', personId, companyId, dealId }, links),
        },
      },
    });
    return { lead: after, personId, companyId, dealId };
  });
}

const notFoundAt = (path: string) => (e: unknown) => {
  if (e instanceof AppError && e.code === 'not_found') throw new AppError('validation_failed', { issues: [{ path, code: 'not_found' }] });
  throw e;
};

/** A deal input error during conversion names the field under `deal.`. */
const prefixIssues = (prefix: string) => (e: unknown) => {
  if (e instanceof AppError && e.code === 'validation_failed') {
    const issues = ((e.details as { issues?: { path: string }[] })?.issues ?? []).map((i) => ({ ...i, path: `${prefix}.${i.path}` }));
    throw new AppError('validation_failed', { issues });
  }
  throw e;
};

/** The lead's data through the target's own contract: what it refuses is a 400 naming the field, never a 500. */
function parseAt<T extends z.ZodType>(schema: T, prefix: string, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new AppError('validation_failed', {
    issues: r.error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), code: i.code, message: i.message })),
  });
}
