import { type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { whereVisible } from '../../platform/policy.js';
import { customersDb } from './customers.db.js';

/**
 * Who sees which people and companies: the workspace's own / team / all visibility over each record's owner and
 * team. Applied inside the query of every list, search, lookup and export, never to rows already fetched: a page
 * or a lookup filtered afterwards would come back short, or empty, while visible matches exist further on.
 * `alias` names the people or companies table in the query.
 */
export function visibleTo<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>, actor: Actor, alias: string) {
  return whereVisible(qb, actor, alias);
}

/**
 * Read port (index.ts): "the actor may see this row's customer", as a condition for another module's query over
 * records that take their visibility from a person, else a company (orders). It runs inside the caller's query, so
 * a page of visible rows is never cut short by rows filtered out afterwards; each branch is one primary-key probe.
 */
export function customerVisible<D>(
  db: Kysely<D>,
  actor: Actor,
  personId: Expression<string | null>,
  companyId: Expression<string | null>,
): RawBuilder<boolean> {
  if (actor.visibility === 'all') return sql<boolean>`true`;
  const cdb = customersDb(db);
  const person = visibleTo(
    cdb
      .selectFrom('people as v')
      .select(sql`1`.as('one'))
      .where('v.workspace_id', '=', actor.workspaceId)
      .where(sql<boolean>`v.id = ${personId}`),
    actor,
    'v',
  );
  const company = visibleTo(
    cdb
      .selectFrom('companies as v')
      .select(sql`1`.as('one'))
      .where('v.workspace_id', '=', actor.workspaceId)
      .where(sql<boolean>`v.id = ${companyId}`),
    actor,
    'v',
  );
  return sql<boolean>`(CASE WHEN ${personId} IS NOT NULL THEN EXISTS (${person}) ELSE EXISTS (${company}) END)`;
}
