import { formatJapaneseName } from '../../../shared/jp-text.js';
import type { Actor } from '../../platform/actor.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { whereVisible } from '../../platform/policy.js';

export interface RecordRef {
  entityType: 'person' | 'company';
  entityId: string;
}

export interface RecordLabel extends RecordRef {
  name: string;
  deleted: boolean;
}

/**
 * Names of people and companies other modules link to (tasks, activities), in two queries whatever the
 * number of refs. Only records in the actor's workspace that the actor may see are returned; the key is
 * `<entityType>:<entityId>`.
 */
export async function describeRecords(db: DbOrTx, actor: Actor, refs: RecordRef[]): Promise<Map<string, RecordLabel>> {
  const out = new Map<string, RecordLabel>();
  const personIds = [...new Set(refs.filter((r) => r.entityType === 'person').map((r) => r.entityId))];
  const companyIds = [...new Set(refs.filter((r) => r.entityType === 'company').map((r) => r.entityId))];
  if (personIds.length) {
    const rows = await whereVisible(
      db
        .selectFrom('people as r')
        .select(['r.id', 'r.family_name', 'r.given_name', 'r.deleted_at'])
        .where('r.workspace_id', '=', actor.workspaceId)
        .where('r.id', 'in', personIds),
      actor,
      'r',
    ).execute();
    for (const r of rows) {
      const name = formatJapaneseName({ family: r.family_name, given: r.given_name ?? '' }, 'ja');
      out.set(`person:${r.id}`, { entityType: 'person', entityId: r.id, name, deleted: r.deleted_at !== null });
    }
  }
  if (companyIds.length) {
    const rows = await whereVisible(
      db
        .selectFrom('companies as r')
        .select(['r.id', 'r.name', 'r.deleted_at'])
        .where('r.workspace_id', '=', actor.workspaceId)
        .where('r.id', 'in', companyIds),
      actor,
      'r',
    ).execute();
    for (const r of rows)
      out.set(`company:${r.id}`, { entityType: 'company', entityId: r.id, name: r.name, deleted: r.deleted_at !== null });
  }
  return out;
}
