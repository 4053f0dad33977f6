import { type SelectQueryBuilder, sql } from 'kysely';
import type { Actor } from './actor.js';

/**
 * Record visibility (own / team / all), the one policy every module applies to records that have an
 * owner and a team. `team` sees records owned by the actor, assigned to one of the actor's teams, or
 * owned by a member of one of those teams (the actor's teammateIds, resolved with the actor by accounts).
 */
export interface OwnedRecord {
  ownerId: string | null;
  teamId: string | null;
}

/** `teammateIds` defaults to the actor's own; pass others only to decide for a set resolved elsewhere. */
export function maySee(actor: Actor, record: OwnedRecord, teammateIds: readonly string[] = actor.teammateIds): boolean {
  if (actor.visibility === 'all' || !record.ownerId) return true;
  if (record.ownerId === actor.userId) return true;
  if (actor.visibility !== 'team') return false;
  if (record.teamId && actor.teamIds.includes(record.teamId)) return true;
  return teammateIds.includes(record.ownerId);
}

/**
 * Records that have a creator instead of an owner (import jobs, whose error reports hold the cells of the file):
 * visible to admins, to the creator, and to users whose visibility covers the creator; one without a creator
 * only to admins and `all`.
 */
export function maySeeCreatedBy(actor: Actor, createdBy: string | null): boolean {
  if (actor.role === 'admin') return true;
  if (!createdBy) return actor.visibility === 'all';
  return maySee(actor, { ownerId: createdBy, teamId: null });
}

const NOBODY = '00000000-0000-0000-0000-000000000000';

/** Adds the visibility condition to a query over a table aliased `alias` with owner_id and team_id columns. */
export function whereVisible<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  actor: Actor,
  alias: string,
): SelectQueryBuilder<DB, TB, O> {
  if (actor.visibility === 'all') return qb;
  const owner = sql.ref(`${alias}.owner_id`);
  const team = sql.ref(`${alias}.team_id`);
  const me = actor.userId ?? NOBODY;
  if (actor.visibility === 'own') return qb.where(sql<boolean>`(${owner} IS NULL OR ${owner} = ${me})`);
  return qb.where(
    sql<boolean>`(${owner} IS NULL OR ${owner} = ${me} OR ${team} = ANY(${actor.teamIds}::uuid[])
      OR ${owner} = ANY(${actor.teammateIds}::uuid[]))`,
  );
}
