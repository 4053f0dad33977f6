import type { SalesTarget, SalesTargetItem } from '../../../shared/contracts/forecast.js';
import { currencyDigits } from '../../../shared/contracts/sales.js';
import type { TargetInput } from '../../../shared/forecast-math.js';
import type { Actor } from '../../platform/actor.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { teamInWorkspace, userInWorkspace } from '../accounts/index.js';
import * as repo from './forecast.repository.js';
import { handleOf, type SalesDb } from './sales.db.js';

export function presentTarget(r: repo.TargetRow): SalesTarget {
  return {
    id: r.id,
    month: r.month,
    ownerId: r.owner_id,
    teamId: r.team_id,
    currency: String(r.currency).trim(),
    amount: Number(r.amount),
    version: r.version,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/**
 * Targets the caller may read: the workspace's, and under own/team visibility only their own and their
 * teammates' (team: also their teams'), like the deals those targets are measured against.
 */
export async function visibleTargets(
  db: SalesDb,
  actor: Actor,
  range: { start: string; end: string; scope?: 'owner' | 'team' | 'workspace' },
): Promise<SalesTarget[]> {
  return (await repo.targetRows(db, actor, range)).map(presentTarget);
}

export const targetInputs = (targets: SalesTarget[], groupOf: (t: SalesTarget) => string | null): TargetInput[] =>
  targets.map((t) => ({ month: t.month, groupId: groupOf(t), currency: t.currency, amount: t.amount }));

/** Sets or removes (amount null) many monthly targets in one transaction; each change is audited. */
export async function putTargets(options: { db: SalesDb; actor: Actor; items: SalesTargetItem[] }): Promise<SalesTarget[]> {
  const { actor, items } = options;
  const issues: { path: string; code: string }[] = [];
  items.forEach((item, i) => {
    if (currencyDigits(item.currency) === null) issues.push({ path: `items.${i}.currency`, code: 'unknown_currency' });
  });
  return options.db.transaction().execute(async (trx) => {
    const users = new Map<string, boolean>();
    const teams = new Map<string, boolean>();
    for (const [i, item] of items.entries()) {
      if (item.ownerId) {
        if (!users.has(item.ownerId)) users.set(item.ownerId, !!(await userInWorkspace(handleOf(trx), actor.workspaceId, item.ownerId)));
        if (!users.get(item.ownerId)) issues.push({ path: `items.${i}.ownerId`, code: 'not_found' });
      }
      if (item.teamId) {
        if (!teams.has(item.teamId)) teams.set(item.teamId, !!(await teamInWorkspace(handleOf(trx), actor.workspaceId, item.teamId)));
        if (!teams.get(item.teamId)) issues.push({ path: `items.${i}.teamId`, code: 'not_found' });
      }
    }
    if (issues.length) throw new AppError('validation_failed', { issues });
    const saved: SalesTarget[] = [];
    for (const item of items) {
      const key = { month: item.month, owner_id: item.ownerId ?? null, team_id: item.teamId ?? null, currency: item.currency };
      if (item.amount === null) {
        const id = await repo.deleteTargetByKey(trx, actor.workspaceId, key);
        if (id)
          await recordChange(trx, actor, {
            audit: { action: 'sales_target.deleted', entityType: 'sales_target', entityId: id, before: item },
            event: { type: 'sales_target.deleted', entityType: 'sales_target', entityId: id, ownerId: key.owner_id, teamId: key.team_id },
          });
        continue;
      }
      const row = presentTarget(
        await repo.upsertTarget(trx, { workspace_id: actor.workspaceId, id: newId(), ...key, amount: item.amount }, actor.userId),
      );
      saved.push(row);
      await recordChange(trx, actor, {
        audit: { action: 'sales_target.set', entityType: 'sales_target', entityId: row.id, after: row },
        event: { type: 'sales_target.set', entityType: 'sales_target', entityId: row.id, ownerId: row.ownerId, teamId: row.teamId },
      });
    }
    return saved;
  });
}

export async function deleteTarget(options: { db: SalesDb; actor: Actor; targetId: string }) {
  const { actor } = options;
  await options.db.transaction().execute(async (trx) => {
    if (!(await repo.deleteTargetById(trx, actor.workspaceId, options.targetId))) throw new AppError('not_found');
    await recordChange(trx, actor, {
      audit: { action: 'sales_target.deleted', entityType: 'sales_target', entityId: options.targetId },
      event: { type: 'sales_target.deleted', entityType: 'sales_target', entityId: options.targetId },
    });
  });
}
