import { type SelectQueryBuilder, sql } from 'kysely';
import type { Actor } from './actor.js';
import type { DbOrTx } from './db/database.js';

/**
 * Record visibility (own / team / all), the one policy every module applies to records that have an
 * owner and a team. `team` sees records owned by the actor, assigned to one of the actor's teams, or
 * owned by a member of one of those teams.
 */
export interface OwnedRecord {
  ownerId: string | null;
  teamId: string | null;
}

/** `teammateIds`: users in the actor's teams (see teammatesOf), for records a teammate owns. */
export function maySee(actor: Actor, record: OwnedRecord, teammateIds: readonly string[] = []): boolean {
  if (actor.visibility === 'all' || !record.ownerId) return true;
  if (record.ownerId === actor.userId) return true;
  if (actor.visibility !== 'team') return false;
  if (record.teamId && actor.teamIds.includes(record.teamId)) return true;
  return teammateIds.includes(record.ownerId);
}

/** Users who share a team with the actor: only needed under `team` visibility. */
export async function teammatesOf(db: DbOrTx, actor: Actor): Promise<string[]> {
  if (actor.visibility !== 'team' || actor.teamIds.length === 0) return [];
  const { rows } = await sql<{ user_id: string }>`SELECT DISTINCT user_id FROM team_members
    WHERE workspace_id = ${actor.workspaceId} AND team_id = ANY(${actor.teamIds}::uuid[])`.execute(db);
  return rows.map((r) => r.user_id);
}

/** The single-record form of whereVisible: the same answer as the list gives. */
export async function canSee(db: DbOrTx, actor: Actor, record: OwnedRecord): Promise<boolean> {
  if (maySee(actor, record)) return true;
  return actor.visibility === 'team' && maySee(actor, record, await teammatesOf(db, actor));
}

/**
 * Records that have a creator instead of an owner (import jobs, whose error reports hold the cells of the file):
 * visible to admins, to the creator, and to users whose visibility covers the creator; one without a creator
 * only to admins and `all`.
 */
export async function canSeeCreatedBy(db: DbOrTx, actor: Actor, createdBy: string | null): Promise<boolean> {
  if (actor.role === 'admin') return true;
  if (!createdBy) return actor.visibility === 'all';
  return canSee(db, actor, { ownerId: createdBy, teamId: null });
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
