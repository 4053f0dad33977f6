import type { SelectQueryBuilder } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { whereVisible } from '../../platform/policy.js';

/**
 * Who sees which people and companies: the workspace's own / team / all visibility over each record's owner and
 * team. Applied inside the query of every list, search, lookup and export, never to rows already fetched: a page
 * or a lookup filtered afterwards would come back short, or empty, while visible matches exist further on.
 * `alias` names the people or companies table in the query.
 */
export function visibleTo<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>, actor: Actor, alias: string) {
  return whereVisible(qb, actor, alias);
}
