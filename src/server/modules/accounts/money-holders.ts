import type { Kysely } from 'kysely';
import type { AccountsDb } from './accounts.db.js';

/**
 * Whether a module stores amounts in the workspace's currency. Accounts cannot read other modules' tables, so
 * each module whose amounts are in the workspace's currency registers a check at start (commerce: orders, whose
 * sums make the customers' purchase metrics); the currency may change only while none answers yes, else yen would
 * be added to dollars (issue 11). Sales needs none: deals, products and targets carry their own currency and the
 * forecast sums per currency.
 */
export type MoneyHolder = <D>(db: Kysely<D>, workspaceId: string) => Promise<boolean>;

const holders = new Map<string, MoneyHolder>();

/** Called once at start by a module; registering a name again replaces the check. */
export function registerMoneyHolder(name: string, holds: MoneyHolder): void {
  if (!/^[a-z][a-z_]{0,39}$/.test(name)) throw new Error(`invalid money holder name: ${name}`);
  holders.set(name, holds);
}

/** The names of what holds amounts in the workspace (empty: the currency may change). */
export async function moneyHeldIn(db: AccountsDb, workspaceId: string): Promise<string[]> {
  const held: string[] = [];
  for (const [name, holds] of holders) if (await holds(db, workspaceId)) held.push(name);
  return held.sort();
}
