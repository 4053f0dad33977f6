import { systemActor } from '../../platform/actor.js';
import type { OutboxEvent } from '../../platform/events/outbox.js';
import { recordChange } from '../../platform/events/outbox.js';
import { findActiveUsers } from '../accounts/index.js';
import * as repo from './assignment.repository.js';
import { type Assignment, announceAssignment, pickAssignee, writeHistory } from './assignment.service.js';
import * as leads from './leads.repository.js';
import { handleOf, type SalesDb } from './sales.db.js';

export interface EscalationJob {
  workspaceId: string;
  leadId: string;
}

/** Team managers (managers/admins in the rule's team), the chosen user, and the workspace's admins when neither is there. */
async function escalationRecipients(trx: SalesDb, workspaceId: string, rule: repo.RuleRow | undefined): Promise<string[]> {
  if (rule?.escalation_target === 'none') return [];
  let ids: string[] = [];
  if (rule?.escalation_target === 'user' && rule.escalation_user_id)
    ids = (await findActiveUsers(trx, workspaceId, { ids: [rule.escalation_user_id] })).map((u) => u.id);
  else if (rule?.team_id)
    ids = (await findActiveUsers(trx, workspaceId, { teamId: rule.team_id, roles: ['manager', 'admin'] })).map((u) => u.id);
  if (!ids.length) ids = (await findActiveUsers(trx, workspaceId, { roles: ['admin'] })).map((u) => u.id);
  return ids;
}

/**
 * Escalates one unanswered lead, at most once: under the watch row's lock, only if escalation is on, its window (the
 * current setting) has passed and the lead is still 新規 with no activity. Returns false otherwise (a later sweep retries
 * a lead whose window was lengthened).
 */
export async function fireEscalation(db: SalesDb, job: EscalationJob, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const watch = await repo.lockOpenWatch(trx, job.workspaceId, job.leadId);
    if (!watch) return false;
    const settings = await repo.findSettings(trx, job.workspaceId);
    if (!settings?.escalation_enabled) return false;
    const minutes = settings.escalation_minutes;
    if (new Date(watch.assigned_at).getTime() + minutes * 60_000 > now.getTime()) return false;
    const lead = await leads.findLead(trx, job.workspaceId, job.leadId, { forUpdate: true });
    if (!lead || lead.deleted_at || lead.status !== 'new') {
      await repo.closeWatch(trx, job.workspaceId, [job.leadId], { contacted_at: now });
      return false;
    }
    await repo.closeWatch(trx, job.workspaceId, [job.leadId], { escalated_at: now });
    const actor = systemActor(job.workspaceId);
    const rule = watch.rule_id ? await repo.findRule(trx, job.workspaceId, watch.rule_id) : undefined;
    const previousOwner = lead.owner_id;
    let row: leads.LeadRow = lead;
    let reassigned: Assignment | null = null;
    if (settings.reassign_on_escalation && rule) {
      const picked = await pickAssignee(
        trx,
        job.workspaceId,
        rule.id,
        { objectType: 'lead', id: lead.id },
        previousOwner ? [previousOwner] : [],
      );
      if (picked) {
        row = await leads.updateLead(trx, job.workspaceId, lead.id, { owner_id: picked.userId, updated_by: null });
        reassigned = { rule: picked.rule, userId: picked.userId, previousUserId: previousOwner, reason: 'escalation', row };
        await writeHistory(trx, job.workspaceId, 'lead', reassigned);
      }
    }
    const label = [lead.family_name, lead.given_name].filter(Boolean).join(' ');
    const owner = previousOwner ? (await findActiveUsers(handleOf(trx), job.workspaceId, { ids: [previousOwner] }))[0] : undefined;
    const recipients = (await escalationRecipients(trx, job.workspaceId, rule)).filter((id) => id !== reassigned?.userId);
    const facts = {
      label,
      minutes,
      ownerName: owner?.name ?? null,
      source: lead.source,
      channel: lead.channel,
      companyName: lead.company_name,
    };
    await recordChange(trx, actor, {
      audit: { action: 'lead.escalated', entityType: 'lead', entityId: lead.id, after: { minutes, ruleId: rule?.id ?? null, recipients } },
      event: {
        type: 'lead.escalated',
        entityType: 'lead',
        entityId: lead.id,
        ownerId: row.owner_id,
        teamId: row.team_id,
        payload: {
          ruleId: rule?.id ?? null,
          minutes,
          timeline: {
            kind: 'lead',
            occurredAt: now.toISOString(),
            links: [{ entityType: 'lead', entityId: lead.id, ownerId: row.owner_id, teamId: row.team_id, label }],
            summary: { name: label, companyName: lead.company_name, action: 'escalated', minutes, ruleName: rule?.name ?? null },
          },
          ...(recipients.length
            ? { notify: { userIds: recipients, kind: 'lead_escalated', params: facts, link: `/leads/${lead.id}` } }
            : {}),
        },
      },
    });
    if (reassigned) await announceAssignment(trx, actor, 'lead', reassigned);
    return true;
  });
}

/** Every waiting lead whose window has passed, whether or not its job ran: a restart loses no escalation. */
export async function sweepEscalations(db: SalesDb, now = new Date()): Promise<number> {
  let fired = 0;
  // Each fired or closed watch leaves the due set; the bound only guards against a row that neither fires nor closes.
  for (let batch = 0; batch < 100; batch++) {
    const due = await repo.dueWatches(db, now, 200);
    for (const w of due) if (await fireEscalation(db, { workspaceId: w.workspace_id, leadId: w.lead_id }, now)) fired++;
    if (due.length < 200) break;
  }
  return fired;
}

/** The first touch stops the clock: an activity logged on the lead, or any status change, deletion or conversion. */
export async function markContacted(db: SalesDb, event: OutboxEvent): Promise<void> {
  let ids: string[] = [];
  if (event.type.startsWith('activity.')) {
    const links = ((event.payload?.timeline as { links?: { entityType: string; entityId: string }[] })?.links ?? []) as {
      entityType: string;
      entityId: string;
    }[];
    ids = links.filter((l) => l.entityType === 'lead').map((l) => l.entityId);
  } else if (event.entityId) ids = [event.entityId];
  await repo.closeWatch(db, event.workspaceId, ids, { contacted_at: new Date(event.createdAt) });
}
