import { type Expression, type Kysely, type RawBuilder, sql } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { whereVisible } from '../../platform/policy.js';
import { customersDb } from './customers.db.js';

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
  const person = whereVisible(
    cdb
      .selectFrom('people as v')
      .select(sql`1`.as('one'))
      .where('v.workspace_id', '=', actor.workspaceId)
      .where(sql<boolean>`v.id = ${personId}`),
    actor,
    'v',
  );
  const company = whereVisible(
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
