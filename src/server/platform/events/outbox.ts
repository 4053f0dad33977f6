import type { Transaction } from 'kysely';
import type { Actor } from '../actor.js';
import { type AuditEntry, writeAudit } from '../audit.js';
import { txTablesOf } from '../db/database.js';
import { newId } from '../ids.js';

/** A fact another module may react to, e.g. `user.created`, `deal.stage_changed`. */
export interface DomainEvent {
  type: string;
  entityType: string;
  entityId?: string | null;
  /** Owner and team of the record, when it has them: realtime uses them to decide who may see the event. */
  ownerId?: string | null;
  teamId?: string | null;
  payload?: Record<string, unknown>;
}

/** The event as consumers receive it. */
export interface OutboxEvent {
  id: string;
  eventId: string;
  workspaceId: string;
  type: string;
  entityType: string;
  entityId: string | null;
  actorId: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

export async function emitEvent<D>(trx: Transaction<D>, actor: Actor, event: DomainEvent): Promise<void> {
  await txTablesOf<'outbox', D>(trx)
    .insertInto('outbox')
    .values({
      workspace_id: actor.workspaceId,
      event_id: newId(),
      type: event.type,
      entity_type: event.entityType,
      entity_id: event.entityId ?? null,
      actor_id: actor.userId,
      payload: JSON.stringify({ ...event.payload, ownerId: event.ownerId ?? null, teamId: event.teamId ?? null }),
    })
    .execute();
}

/** The one way a service records a change: the audit row and the event in the caller's transaction. */
export async function recordChange<D>(
  trx: Transaction<D>,
  actor: Actor,
  change: { audit: AuditEntry; event?: DomainEvent },
): Promise<void> {
  await writeAudit(trx, actor, change.audit);
  if (change.event) await emitEvent(trx, actor, change.event);
}
