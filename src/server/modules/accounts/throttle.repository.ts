import { sql } from 'kysely';
import type { AccountsDb } from './accounts.db.js';

/** A back-off rule: `free` failures within `windowSec`, then a lock of `baseSec` doubling per further failure up to `maxSec`. */
export interface ThrottleRule {
  windowSec: number;
  free: number;
  baseSec: number;
  maxSec: number;
}

/** Failure counters of sign-in keys (table login_throttle). Keys are not workspace data: an address may be in several. */
export const throttleRepo = {
  /** The latest lock still in force among the keys, if any. */
  blockedUntil: async (db: AccountsDb, keys: string[]): Promise<Date | undefined> => {
    if (keys.length === 0) return undefined;
    const row = await db
      .selectFrom('login_throttle')
      .select(sql<Date | null>`max(locked_until)`.as('until'))
      .where('key', 'in', keys)
      .where('locked_until', '>', new Date())
      .executeTakeFirst();
    return row?.until ?? undefined;
  },
  /** Count a failure (a key's count starts again once its window has passed with no lock in force), then lock if due. */
  fail: async (db: AccountsDb, key: string, rule: ThrottleRule) => {
    const expired = sql`(t.window_start < now() - make_interval(secs => ${rule.windowSec}) AND coalesce(t.locked_until <= now(), true))`;
    await sql`INSERT INTO login_throttle AS t (key, failures, window_start, updated_at) VALUES (${key}, 1, now(), now())
        ON CONFLICT (key) DO UPDATE SET
          failures = CASE WHEN ${expired} THEN 1 ELSE t.failures + 1 END,
          window_start = CASE WHEN ${expired} THEN now() ELSE t.window_start END,
          updated_at = now()`.execute(db);
    await sql`UPDATE login_throttle SET locked_until = CASE WHEN failures >= ${rule.free}
          THEN now() + make_interval(secs => least(${rule.maxSec}::float8, ${rule.baseSec}::float8 * power(2, failures - ${rule.free})))
          ELSE NULL END
        WHERE key = ${key}`.execute(db);
  },
  clear: (db: AccountsDb, keys: string[]) => (keys.length ? db.deleteFrom('login_throttle').where('key', 'in', keys).execute() : undefined),
  /** Every key that starts with the prefix (all addresses an account was tried from). */
  clearPrefix: (db: AccountsDb, prefix: string) =>
    db.deleteFrom('login_throttle').where(sql`left(key, ${prefix.length})`, '=', prefix).execute(),
};
