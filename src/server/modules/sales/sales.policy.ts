import { type SelectQueryBuilder, sql } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { maySee, whereVisible } from '../../platform/policy.js';

/**
 * Who sees which leads, deals and targets: the workspace's own / team / all visibility over a record's owner and team
 * (a record without an owner is everyone's; `team` adds the actor's teams and teammates, resolved with the actor).
 * Lists, the board, its totals, the forecast and the targets apply it inside the query, never to rows already
 * fetched: a page filtered afterwards would come back short while visible records exist further on.
 */

const NOBODY = '00000000-0000-0000-0000-000000000000';

/** Leads or deals the actor may see, over the table aliased `alias` (its owner_id and team_id): the platform's rule. */
export const whereSalesVisible = whereVisible;

/** The same rule for one row already read (a record page, a write's lock): no query. */
export function maySeeSalesRecord(actor: Actor, row: { owner_id: string | null; team_id: string | null }): boolean {
  return maySee(actor, { ownerId: row.owner_id, teamId: row.team_id });
}

/**
 * Targets like the deals they measure: the workspace's target always; under own/team an owner's only when the owner is
 * the actor or (team) a teammate, and a team's only under team visibility for the actor's own teams.
 */
export function whereTargetVisible<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  actor: Actor,
  alias: string,
): SelectQueryBuilder<DB, TB, O> {
  if (actor.visibility === 'all') return qb;
  const owner = sql.ref<string | null>(`${alias}.owner_id`);
  const team = sql.ref<string | null>(`${alias}.team_id`);
  const owners = [actor.userId ?? NOBODY, ...actor.teammateIds];
  const teams = actor.visibility === 'team' ? actor.teamIds : [];
  return qb.where(
    sql<boolean>`(CASE WHEN ${owner} IS NOT NULL THEN ${owner} = ANY(${owners}::uuid[])
      WHEN ${team} IS NOT NULL THEN ${team} = ANY(${teams}::uuid[]) ELSE true END)`,
  );
}
