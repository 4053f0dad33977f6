import { type SelectQueryBuilder, sql } from 'kysely';
import type { Actor } from './actor.js';

/**
 * Record visibility (own / team / all), the one policy every module applies to records that have an
 * owner and a team. `team` sees records owned by the actor, assigned to one of the actor's teams, or
 * owned by a member of one of those teams.
 */
export interface OwnedRecord {
  ownerId: string | null;
  teamId: string | null;
}

export function maySee(actor: Actor, record: OwnedRecord, ownerTeamIds: string[] = []): boolean {
  if (actor.visibility === 'all' || !record.ownerId) return true;
  if (record.ownerId === actor.userId) return true;
  if (actor.visibility !== 'team') return false;
  if (record.teamId && actor.teamIds.includes(record.teamId)) return true;
  return ownerTeamIds.some((t) => actor.teamIds.includes(t));
}

/** Adds the visibility condition to a query over a table aliased `alias` with owner_id and team_id columns. */
export function whereVisible<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  actor: Actor,
  alias: string,
): SelectQueryBuilder<DB, TB, O> {
  if (actor.visibility === 'all') return qb;
  const owner = sql.ref(`${alias}.owner_id`);
  const team = sql.ref(`${alias}.team_id`);
  const me = actor.userId ?? '00000000-0000-0000-0000-000000000000';
  if (actor.visibility === 'own') return qb.where(sql<boolean>`(${owner} IS NULL OR ${owner} = ${me})`);
  const teams = actor.teamIds.length ? actor.teamIds : ['00000000-0000-0000-0000-000000000000'];
  return qb.where(
    sql<boolean>`(${owner} IS NULL OR ${owner} = ${me} OR ${team} = ANY(${teams}::uuid[]) OR ${owner} IN (
      SELECT tm.user_id FROM team_members tm WHERE tm.workspace_id = ${actor.workspaceId} AND tm.team_id = ANY(${teams}::uuid[])))`,
  );
}
