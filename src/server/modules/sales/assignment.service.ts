import type { AssignmentObjectType } from '../../../shared/contracts/assignment.js';
import type { Filter } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import { recordChange } from '../../platform/events/outbox.js';
import { compileFilter } from '../../platform/filter/compile.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { findActiveUsers } from '../accounts/index.js';
import { nextInRotation, pickLeastLoaded, territoryUser } from './assignment.choice.js';
import * as repo from './assignment.repository.js';
import { dealCatalog, leadCatalog } from './sales.catalogs.js';
import { handleOf, type SalesTx } from './sales.db.js';

export const catalogOf = (t: AssignmentObjectType) => (t === 'lead' ? leadCatalog : dealCatalog);

/** Schedules the escalation job in the caller's transaction; set by assignment.jobs.ts once pg-boss runs (the sweep covers its absence). */
export type EscalationScheduler = (trx: SalesTx, job: { workspaceId: string; leadId: string; at: Date }) => Promise<void>;
let scheduleEscalation: EscalationScheduler | undefined;
export function setEscalationScheduler(fn: EscalationScheduler | undefined) {
  scheduleEscalation = fn;
}

export interface Assignment {
  rule: repo.RuleRow;
  userId: string;
  previousUserId: string | null;
  reason: 'rule' | 'escalation';
  row: repo.AssignedRow;
}

/**
 * The rule's next assignee among active users, with the rule row locked (FOR UPDATE) so parallel creates take turns
 * one after another; null when nobody of the rule is available.
 */
export async function pickAssignee(
  trx: SalesTx,
  workspaceId: string,
  ruleId: string,
  record: { objectType: AssignmentObjectType; id: string },
  exclude: string[] = [],
): Promise<{ rule: repo.RuleRow; userId: string } | null> {
  const rule = await repo.findRule(trx, workspaceId, ruleId, { forUpdate: true });
  if (!rule?.active) return null;
  let userId: string | null = null;
  if (rule.method === 'user' && rule.user_id) {
    userId = (await findActiveUsers(handleOf(trx), workspaceId, { ids: [rule.user_id] })).find((u) => !exclude.includes(u.id))?.id ?? null;
  } else if (rule.method === 'territory') {
    const chosen = territoryUser(rule.territories, await repo.recordPrefecture(trx, record.objectType, workspaceId, record.id));
    if (chosen && !exclude.includes(chosen)) userId = (await findActiveUsers(handleOf(trx), workspaceId, { ids: [chosen] }))[0]?.id ?? null;
  } else if (rule.team_id && (rule.method === 'round_robin' || rule.method === 'least_loaded')) {
    const members = (await findActiveUsers(handleOf(trx), workspaceId, { teamId: rule.team_id })).map((u) => u.id);
    userId =
      rule.method === 'round_robin'
        ? nextInRotation(members, rule.rr_last_user_id, exclude)
        : pickLeastLoaded(members, await repo.openLoads(trx, workspaceId, members), rule.rr_last_user_id, exclude);
    if (userId) await repo.updateRule(trx, workspaceId, rule.id, { rr_last_user_id: userId }, { bump: false });
  }
  return userId ? { rule, userId } : null;
}

// Rules run inside the create transaction rather than in a lead.created consumer: the record is born on the right desk
// (no window where the creator owns it, the API answers with the real owner) and the rule's row lock orders parallel creates.
/** First matching active rule with an available rep wins; the record is updated, the history row written. */
export async function assignNewRecord(
  trx: SalesTx,
  actor: Actor,
  record: { objectType: AssignmentObjectType; row: { id: string; owner_id?: string | null } },
): Promise<Assignment | null> {
  const { objectType, row } = record;
  // Lock every rule in id order, then walk the active ones in position order: a create that falls through several
  // rules would otherwise take their locks in position order and deadlock with a reorder (which locks them by id).
  const rules = (await repo.lockRules(trx, actor.workspaceId, objectType))
    .filter((r) => r.active)
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1));
  for (const candidate of rules) {
    if (candidate.conditions) {
      let cond: ReturnType<typeof compileFilter>;
      try {
        cond = compileFilter(candidate.conditions as Filter, catalogOf(objectType), 'r');
      } catch (e) {
        if (e instanceof AppError) continue; // a condition on a field that no longer exists matches nothing
        throw e;
      }
      if (!(await repo.recordMatches(trx, objectType, actor.workspaceId, row.id, cond))) continue;
    }
    const picked = await pickAssignee(trx, actor.workspaceId, candidate.id, { objectType, id: row.id });
    if (!picked) continue;
    const updated = await repo.setOwner(trx, objectType, actor.workspaceId, row.id, picked.userId, picked.rule.team_id);
    const assignment: Assignment = {
      rule: picked.rule,
      userId: picked.userId,
      previousUserId: row.owner_id ?? null,
      reason: 'rule',
      row: updated,
    };
    await writeHistory(trx, actor.workspaceId, objectType, assignment);
    return assignment;
  }
  return null;
}

export async function writeHistory(trx: SalesTx, workspaceId: string, objectType: AssignmentObjectType, a: Assignment) {
  await repo.insertAssignment(trx, {
    workspace_id: workspaceId,
    id: newId(),
    entity_type: objectType,
    entity_id: a.row.id,
    rule_id: a.rule.id,
    rule_name: a.rule.name,
    method: a.rule.method,
    reason: a.reason,
    user_id: a.userId,
    previous_user_id: a.previousUserId,
  });
}

const snippet = (s: string | null, n = 120) => (s ? (s.length > n ? `${s.slice(0, n)}…` : s) : null);

/** What an assignment's timeline entry and notification say of the record: a lead's name and origin, a deal's title and customers. */
function assignedRecord(row: repo.AssignedRow) {
  if (repo.isLeadRow(row)) {
    const label = [row.family_name, row.given_name].filter(Boolean).join(' ');
    return {
      label,
      link: `/leads/${row.id}`,
      summary: { name: label, companyName: row.company_name },
      customers: [],
      facts: {
        source: row.source,
        channel: row.channel,
        companyName: row.company_name,
        prefecture: row.prefecture,
        notes: snippet(row.notes),
      },
    };
  }
  const customers = [
    ...(row.person_id ? [{ entityType: 'person', entityId: row.person_id }] : []),
    ...(row.company_id ? [{ entityType: 'company', entityId: row.company_id }] : []),
  ];
  return {
    label: row.title,
    link: `/deals/${row.id}`,
    summary: { title: row.title },
    customers,
    facts: { source: null, channel: null, companyName: null, prefecture: null, notes: null },
  };
}

/**
 * The audit row and `lead.assigned` / `deal.assigned` (timeline entry 「ルール X により割り当て」 + the assignee's
 * notification with the record's source, channel and notes); a lead assigned by a rule starts its response watch.
 */
export async function announceAssignment(trx: SalesTx, actor: Actor, objectType: AssignmentObjectType, a: Assignment) {
  const { row, rule } = a;
  const { label, link, summary, customers, facts } = assignedRecord(row);
  const assignee = (await findActiveUsers(handleOf(trx), actor.workspaceId, { ids: [a.userId] }))[0];
  const links: { entityType: string; entityId: string; ownerId?: string | null; teamId?: string | null; label?: string }[] = [
    { entityType: objectType, entityId: row.id, ownerId: row.owner_id, teamId: row.team_id, label },
    ...customers,
  ];
  const type = `${objectType}.assigned`;
  await recordChange(trx, actor, {
    audit: {
      action: type,
      entityType: objectType,
      entityId: row.id,
      before: { ownerId: a.previousUserId },
      after: { ownerId: a.userId, ruleId: rule.id, ruleName: rule.name, method: rule.method, reason: a.reason },
    },
    event: {
      type,
      entityType: objectType,
      entityId: row.id,
      ownerId: row.owner_id,
      teamId: row.team_id,
      payload: {
        ruleId: rule.id,
        userId: a.userId,
        previousUserId: a.previousUserId,
        reason: a.reason,
        timeline: {
          kind: objectType,
          occurredAt: new Date().toISOString(),
          links,
          summary: {
            ...summary,
            action: a.reason === 'escalation' ? 'reassigned' : 'assigned',
            ruleName: rule.name,
            reason: a.reason,
            assigneeId: a.userId,
            assigneeName: assignee?.name ?? null,
          },
        },
        notify: {
          userIds: [a.userId],
          kind: `${objectType}_assigned`,
          params: { label, ruleName: rule.name, reason: a.reason, ...facts },
          link,
        },
      },
    },
  });
  if (objectType === 'lead' && a.reason === 'rule') await watchResponse(trx, actor.workspaceId, row.id, rule.id);
}

/** Starts the 「未対応」 clock when escalation is on: the job at the window's end, the sweep as the safety net. */
async function watchResponse(trx: SalesTx, workspaceId: string, leadId: string, ruleId: string) {
  const settings = await repo.findSettings(trx, workspaceId);
  if (!settings?.escalation_enabled) return;
  const now = new Date();
  await repo.insertWatch(trx, { workspace_id: workspaceId, lead_id: leadId, rule_id: ruleId, assigned_at: now });
  await scheduleEscalation?.(trx, { workspaceId, leadId, at: new Date(now.getTime() + settings.escalation_minutes * 60_000) });
}
