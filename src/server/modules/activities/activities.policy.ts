import { type Expression, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { maySee, type OwnedRecord } from '../../platform/policy.js';

/**
 * Who sees what of activities: the workspace's own / team / all visibility over an owner and a team. Tasks and
 * timeline entries carry their record's owner and team, so lists apply the rule inside their query (a page filtered
 * afterwards would come back short); an email takes it from the people it is linked to; a notification goes only to
 * users who may see its record, and is read by its recipient alone. Notes, calls and meetings take theirs from their
 * linked records, through the owning modules' getters (timeline.records.ts).
 */

const NOBODY = '00000000-0000-0000-0000-000000000000';

/** The rule over an owner and a team expression; null when the actor sees everything. */
function ownedCondition(actor: Actor, owner: Expression<string | null>, team: Expression<string | null>): RawBuilder<boolean> | null {
  if (actor.visibility === 'all') return null;
  const me = actor.userId ?? NOBODY;
  if (actor.visibility === 'own') return sql<boolean>`(${owner} IS NULL OR ${owner} = ${me}::uuid)`;
  return sql<boolean>`(${owner} IS NULL OR ${owner} = ${me}::uuid OR ${team} = ANY(${actor.teamIds}::uuid[])
    OR ${owner} = ANY(${actor.teammateIds}::uuid[]))`;
}

/** Rows aliased `t` with owner_id and team_id columns. */
function whereOwnedVisible<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>, actor: Actor) {
  const condition = ownedCondition(actor, sql.ref<string | null>('t.owner_id'), sql.ref<string | null>('t.team_id'));
  return condition ? qb.where(condition) : qb;
}

/** Tasks the actor may see, over `tasks` aliased `t` (a task's assignee is its owner). */
export const whereTaskVisible = whereOwnedVisible;

/** The team feed: entries on records the actor may see (the record's owner and team, kept on each entry), over `t`. */
export const whereEntryVisible = whereOwnedVisible;

/**
 * A record's own timeline, over `timeline_entries` aliased `t`: roll-up copies on a company are a person's entries,
 * shown only when the actor may see that person (their owner and team, kept in the summary).
 */
export function whereRollupVisible<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>, actor: Actor) {
  const condition = ownedCondition(
    actor,
    sql<string | null>`(t.summary->>'viaOwnerId')::uuid`,
    sql<string | null>`(t.summary->>'viaTeamId')::uuid`,
  );
  return condition ? qb.where(sql<boolean>`(t.via_id IS NULL OR ${condition})`) : qb;
}

/** Authors whose activity counts the actor may see (own: themselves; team: their teammates); null: everyone's. */
export function visibleAuthors(actor: Actor): string[] | null {
  if (actor.visibility === 'all') return null;
  return [actor.userId ?? NOBODY, ...actor.teammateIds];
}

/** One record with an owner and a team, already fetched (a notification's record, a person linked to an email). */
export function maySeeOwned(actor: Actor, record: OwnedRecord): boolean {
  return maySee(actor, record);
}

/** A person an email is linked to, with the person's owner and team (from customers). */
export interface EmailPerson {
  email_id: string;
  owner_id: string | null;
  team_id: string | null;
}

/**
 * Record visibility carried over to mail: a message is visible when it is linked to nobody (the review list) or to
 * at least one person the actor may see. Lists need no filter of their own: a person's mail is listed only after
 * the person was found visible, and the review list holds only unlinked mail.
 */
export function visibleEmails(actor: Actor, links: readonly EmailPerson[]): (emailId: string) => boolean {
  const byEmail = new Map<string, EmailPerson[]>();
  for (const l of links) byEmail.set(l.email_id, [...(byEmail.get(l.email_id) ?? []), l]);
  return (emailId: string) => {
    const own = byEmail.get(emailId) ?? [];
    return own.length === 0 || own.some((l) => maySee(actor, { ownerId: l.owner_id, teamId: l.team_id }));
  };
}
