import type { Updateable } from 'kysely';
import type {
  AssignmentObjectType,
  AssignmentRule,
  AssignmentRuleCreate,
  AssignmentRulePatch,
  AssignmentSettings,
  RecordAssignment,
} from '../../../shared/contracts/assignment.js';
import type { Filter } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import type { AssignmentRules } from '../../platform/db/schema.js';
import { recordChange } from '../../platform/events/outbox.js';
import { compileFilter } from '../../platform/filter/compile.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { teamInWorkspace, userInWorkspace } from '../accounts/index.js';
import * as repo from './assignment.repository.js';
import { catalogOf } from './assignment.service.js';
import type { SalesDb } from './sales.db.js';

type Issue = { path: string; code: string; [k: string]: unknown };
const iso = (d: Date | string) => new Date(d).toISOString();

export function presentRule(r: repo.RuleRow): AssignmentRule {
  return {
    id: r.id,
    objectType: r.object_type,
    name: r.name,
    position: r.position,
    active: r.active,
    conditions: r.conditions,
    method: r.method,
    teamId: r.team_id,
    userId: r.user_id,
    territories: r.territories,
    escalationTarget: r.escalation_target,
    escalationUserId: r.escalation_user_id,
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/** What the method needs, and every named team/user in this workspace: a 400 naming the field otherwise. */
async function checkRule(trx: SalesDb, actor: Actor, r: Omit<AssignmentRule, 'id' | 'position' | 'version' | 'createdAt' | 'updatedAt'>) {
  const issues: Issue[] = [];
  const ws = actor.workspaceId;
  if ((r.method === 'round_robin' || r.method === 'least_loaded') && !r.teamId) issues.push({ path: 'teamId', code: 'required' });
  if (r.method === 'user' && !r.userId) issues.push({ path: 'userId', code: 'required' });
  if (r.method === 'territory' && !r.territories.length) issues.push({ path: 'territories', code: 'required' });
  if (r.escalationTarget === 'user' && !r.escalationUserId) issues.push({ path: 'escalationUserId', code: 'required' });
  if (r.teamId && !(await teamInWorkspace(trx, ws, r.teamId))) issues.push({ path: 'teamId', code: 'not_found' });
  if (r.userId && !(await userInWorkspace(trx, ws, r.userId))) issues.push({ path: 'userId', code: 'not_found' });
  if (r.escalationUserId && !(await userInWorkspace(trx, ws, r.escalationUserId)))
    issues.push({ path: 'escalationUserId', code: 'not_found' });
  for (const [i, t] of r.territories.entries())
    if (!(await userInWorkspace(trx, ws, t.userId))) issues.push({ path: `territories.${i}.userId`, code: 'not_found' });
  if (r.conditions) {
    try {
      compileFilter(r.conditions as Filter, catalogOf(r.objectType), 'r');
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const inner = ((e.details as { issues?: Issue[] })?.issues ?? []).map((i) => ({
        ...i,
        path: ['conditions', i.path].filter(Boolean).join('.'),
      }));
      issues.push(...(inner.length ? inner : [{ path: 'conditions', code: 'invalid' }]));
    }
  }
  if (issues.length) throw new AppError('validation_failed', { issues });
}

/** The given fields as rule columns (undefined ones stay out of the statement); JSON columns are sent as text. */
const columnsOf = (r: Partial<Omit<AssignmentRuleCreate, 'objectType'>>): Updateable<AssignmentRules> => ({
  name: r.name,
  active: r.active,
  method: r.method,
  team_id: r.teamId,
  user_id: r.userId,
  escalation_target: r.escalationTarget,
  escalation_user_id: r.escalationUserId,
  conditions: r.conditions === undefined ? undefined : r.conditions === null ? null : JSON.stringify(r.conditions),
  territories: r.territories === undefined ? undefined : JSON.stringify(r.territories),
});

export async function listRules(options: { db: SalesDb; actor: Actor; objectType?: AssignmentObjectType }) {
  return (await repo.listRules(options.db, options.actor.workspaceId, options.objectType)).map(presentRule);
}

export async function getRule(options: { db: SalesDb; actor: Actor; ruleId: string }) {
  const row = await repo.findRule(options.db, options.actor.workspaceId, options.ruleId);
  if (!row) throw new AppError('not_found');
  return presentRule(row);
}

export async function createRule(options: { db: SalesDb; actor: Actor; input: AssignmentRuleCreate }) {
  const { actor, input } = options;
  return options.db.transaction().execute(async (trx) => {
    await checkRule(trx, actor, input);
    await repo.lockRules(trx, actor.workspaceId, input.objectType);
    const row = await repo.insertRule(trx, {
      workspace_id: actor.workspaceId,
      id: newId(),
      object_type: input.objectType,
      position: await repo.nextPosition(trx, actor.workspaceId, input.objectType),
      ...columnsOf(input),
      name: input.name,
      method: input.method,
      created_by: actor.userId,
      updated_by: actor.userId,
    });
    const rule = presentRule(row);
    await recordChange(trx, actor, {
      audit: { action: 'assignment_rule.created', entityType: 'assignment_rule', entityId: rule.id, after: rule },
      event: { type: 'assignment_rule.created', entityType: 'assignment_rule', entityId: rule.id },
    });
    return rule;
  });
}

export async function updateRule(options: { db: SalesDb; actor: Actor; ruleId: string; patch: AssignmentRulePatch }) {
  const { actor, patch } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await repo.findRule(trx, actor.workspaceId, options.ruleId, { forUpdate: true });
    if (!before) throw new AppError('not_found');
    const beforeView = presentRule(before);
    if (before.version !== patch.version) throw new AppError('conflict', { current: beforeView });
    const { version: _v, ...changes } = patch;
    await checkRule(trx, actor, { ...beforeView, ...changes });
    const after = presentRule(
      await repo.updateRule(trx, actor.workspaceId, before.id, { ...columnsOf(changes), updated_by: actor.userId }),
    );
    await recordChange(trx, actor, {
      audit: { action: 'assignment_rule.updated', entityType: 'assignment_rule', entityId: before.id, before: beforeView, after },
      event: { type: 'assignment_rule.updated', entityType: 'assignment_rule', entityId: before.id },
    });
    return after;
  });
}

export async function deleteRule(options: { db: SalesDb; actor: Actor; ruleId: string }) {
  const { actor } = options;
  await options.db.transaction().execute(async (trx) => {
    const before = await repo.findRule(trx, actor.workspaceId, options.ruleId, { forUpdate: true });
    if (!before) throw new AppError('not_found');
    await repo.deleteRule(trx, actor.workspaceId, before.id);
    await recordChange(trx, actor, {
      audit: { action: 'assignment_rule.deleted', entityType: 'assignment_rule', entityId: before.id, before: presentRule(before) },
      event: { type: 'assignment_rule.deleted', entityType: 'assignment_rule', entityId: before.id },
    });
  });
}

/** The new order must name every rule of the object type exactly once. */
export async function reorderRules(options: { db: SalesDb; actor: Actor; objectType: AssignmentObjectType; ids: string[] }) {
  const { actor, objectType, ids } = options;
  return options.db.transaction().execute(async (trx) => {
    const current = await repo.lockRules(trx, actor.workspaceId, objectType);
    const known = new Set(current.map((r) => r.id));
    const issues: Issue[] = [];
    ids.forEach((id, i) => {
      if (!known.has(id)) issues.push({ path: `ids.${i}`, code: 'not_found' });
    });
    if (new Set(ids).size !== ids.length) issues.push({ path: 'ids', code: 'duplicate' });
    if (!issues.length && ids.length !== known.size) issues.push({ path: 'ids', code: 'incomplete', expected: known.size });
    if (issues.length) throw new AppError('validation_failed', { issues });
    for (const [position, id] of ids.entries()) await repo.updateRule(trx, actor.workspaceId, id, { position }, { bump: false });
    await recordChange(trx, actor, {
      audit: { action: 'assignment_rule.reordered', entityType: 'assignment_rule', after: { objectType, ids } },
      event: { type: 'assignment_rule.reordered', entityType: 'assignment_rule', payload: { objectType } },
    });
    return (await repo.listRules(trx, actor.workspaceId, objectType)).map(presentRule);
  });
}

const DEFAULT_SETTINGS = { escalation_enabled: false, escalation_minutes: 60, reassign_on_escalation: false, version: 0 };
const presentSettings = (
  r: Pick<repo.SettingsRow, 'escalation_enabled' | 'escalation_minutes' | 'reassign_on_escalation' | 'version'>,
): AssignmentSettings => ({
  escalationEnabled: r.escalation_enabled,
  escalationAfterMinutes: r.escalation_minutes,
  reassignOnEscalation: r.reassign_on_escalation,
  version: r.version,
});

export async function getSettings(options: { db: SalesDb; actor: Actor }) {
  return presentSettings((await repo.findSettings(options.db, options.actor.workspaceId)) ?? DEFAULT_SETTINGS);
}

export async function putSettings(options: { db: SalesDb; actor: Actor; input: AssignmentSettings }) {
  const { actor, input } = options;
  return options.db.transaction().execute(async (trx) => {
    const current = presentSettings((await repo.findSettings(trx, actor.workspaceId)) ?? DEFAULT_SETTINGS);
    if (current.version !== input.version) throw new AppError('conflict', { current });
    const after = presentSettings(
      await repo.upsertSettings(trx, actor.workspaceId, {
        escalation_enabled: input.escalationEnabled,
        escalation_minutes: input.escalationAfterMinutes,
        reassign_on_escalation: input.reassignOnEscalation,
        updated_by: actor.userId,
      }),
    );
    await recordChange(trx, actor, {
      audit: { action: 'assignment_settings.updated', entityType: 'assignment_settings', before: current, after },
      event: { type: 'assignment_settings.updated', entityType: 'assignment_settings' },
    });
    return after;
  });
}

export async function listRecordAssignments(options: { db: SalesDb; actor: Actor; objectType: AssignmentObjectType; recordId: string }) {
  const rows = await repo.listAssignments(options.db, options.actor.workspaceId, options.objectType, options.recordId);
  return rows.map(
    (r): RecordAssignment => ({
      id: r.id,
      ruleId: r.rule_id,
      ruleName: r.rule_name,
      method: r.method,
      reason: r.reason,
      userId: r.user_id,
      previousUserId: r.previous_user_id,
      createdAt: iso(r.created_at),
    }),
  );
}
