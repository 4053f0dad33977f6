import { type SelectQueryBuilder, sql } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { customerVisible } from '../customers/index.js';
import type { CommerceDb } from './commerce.db.js';

/**
 * Order visibility: an order is visible when its customer is (the person, else the company: owner/team policy of
 * customers). Applied inside the list query, over `orders` aliased `o`.
 */
export function whereOrderVisible<DB, TB extends keyof DB, O>(
  db: CommerceDb,
  qb: SelectQueryBuilder<DB, TB, O>,
  actor: Actor,
): SelectQueryBuilder<DB, TB, O> {
  if (actor.visibility === 'all') return qb;
  return qb.where(customerVisible(db, actor, sql.ref<string | null>('o.person_id'), sql.ref<string | null>('o.company_id')));
}
