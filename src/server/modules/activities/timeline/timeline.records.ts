import { type Actor, systemActor } from '../../../platform/actor.js';
import { AppError } from '../../../platform/http/errors.js';
import { getCompany, getPerson } from '../../customers/index.js';
import { getDeal, getLead } from '../../sales/index.js';
import type { ActivitiesDb } from '../activities.db.js';

/** What the timeline needs to know about a record: who may see it, its label, a person's current company. */
export interface RecordInfo {
  entityType: string;
  entityId: string;
  label: string | null;
  ownerId: string | null;
  teamId: string | null;
  companyId: string | null;
}

/** The record as the actor may see it (through the customers module's own policy), or null. */
export async function findRecord(db: ActivitiesDb, actor: Actor, entityType: string, entityId: string): Promise<RecordInfo | null> {
  try {
    if (entityType === 'person') {
      const p = await getPerson({ db, actor, personId: entityId, includeDeleted: true });
      return { entityType, entityId, label: p.displayName, ownerId: p.ownerId, teamId: p.teamId, companyId: p.companyId };
    }
    if (entityType === 'company') {
      const c = await getCompany({ db, actor, companyId: entityId, includeDeleted: true });
      return { entityType, entityId, label: c.name, ownerId: c.ownerId, teamId: c.teamId, companyId: null };
    }
    // Deals and leads: their own module decides visibility; their entries link companies explicitly (no roll-up).
    if (entityType === 'deal') {
      const d = await getDeal({ db, actor, dealId: entityId });
      return { entityType, entityId, label: d.title, ownerId: d.ownerId, teamId: d.teamId, companyId: null };
    }
    if (entityType === 'lead') {
      const l = await getLead({ db, actor, leadId: entityId });
      return { entityType, entityId, label: l.displayName, ownerId: l.ownerId, teamId: l.teamId, companyId: null };
    }
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') return null;
    throw err;
  }
  return null;
}

/** One lookup per record per batch of work. */
export function recordCache(db: ActivitiesDb, workspaceId: string) {
  const actor = systemActor(workspaceId);
  const seen = new Map<string, Promise<RecordInfo | null>>();
  return (entityType: string, entityId: string) => {
    const key = `${entityType}:${entityId}`;
    let hit = seen.get(key);
    if (!hit) {
      hit = findRecord(db, actor, entityType, entityId);
      seen.set(key, hit);
    }
    return hit;
  };
}
