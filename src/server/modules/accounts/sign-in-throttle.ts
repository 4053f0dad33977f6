import { isIPv6 } from 'node:net';
import type { AccountsDb } from './accounts.db.js';
import { type ThrottleRule, throttleRepo } from './throttle.repository.js';

/**
 * Sign-in back-off that an attacker cannot turn against the real user:
 * - per (account, source address): a few free failures, then a lock doubling per failure (a typo-prone user
 *   locks only their own address, briefly);
 * - per source address, over all accounts (one machine spraying many accounts);
 * - per account, a much higher bar (distributed guessing from many addresses);
 * - a known device (its cookie set by an earlier successful sign-in) is judged only by its own failures, so
 *   the right password from the user's own browser still works while the account is attacked from elsewhere.
 */
export const signInRules = {
  accountSource: { windowSec: 3600, free: 5, baseSec: 30, maxSec: 900 },
  source: { windowSec: 3600, free: 30, baseSec: 60, maxSec: 3600 },
  account: { windowSec: 3600, free: 50, baseSec: 3600, maxSec: 3600 },
  device: { windowSec: 3600, free: 10, baseSec: 60, maxSec: 900 },
  /** Second-factor codes per user, whichever challenge they come with. */
  code: { windowSec: 900, free: 5, baseSec: 30, maxSec: 900 },
} satisfies Record<string, ThrottleRule>;

/** An IPv6 client controls its whole /64: count it as one source. */
export function sourceOf(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4mapped) return v4mapped[1] as string;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const full = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return `${full
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export const throttleKeys = {
  account: (email: string) => `acct:${email}`,
  accountSource: (email: string, ip: string | undefined) => `acctip:${email}|${sourceOf(ip)}`,
  source: (ip: string | undefined) => `ip:${sourceOf(ip)}`,
  device: (deviceId: string) => `dev:${deviceId}`,
  code: (userId: string) => `code:${userId}`,
};

type Attempt = { email: string; ip?: string; deviceId?: string };

function keysFor(a: Attempt): [string, ThrottleRule][] {
  if (a.deviceId) return [[throttleKeys.device(a.deviceId), signInRules.device]];
  return [
    [throttleKeys.source(a.ip), signInRules.source],
    [throttleKeys.accountSource(a.email, a.ip), signInRules.accountSource],
    [throttleKeys.account(a.email), signInRules.account],
  ];
}

export async function signInBlocked(db: AccountsDb, a: Attempt): Promise<boolean> {
  return !!(await throttleRepo.blockedUntil(
    db,
    keysFor(a).map(([k]) => k),
  ));
}

/** Count a wrong password; true when this attempt reached a lock. */
export async function recordSignInFailure(db: AccountsDb, a: Attempt): Promise<boolean> {
  for (const [key, rule] of keysFor(a)) await throttleRepo.fail(db, key, rule);
  return signInBlocked(db, a);
}

/** The right password: forget this source's (or device's) failures for the account, not the account-wide count. */
export async function recordSignInSuccess(db: AccountsDb, a: Attempt): Promise<void> {
  await throttleRepo.clear(db, [throttleKeys.accountSource(a.email, a.ip), ...(a.deviceId ? [throttleKeys.device(a.deviceId)] : [])]);
}

export async function codeBlocked(db: AccountsDb, userId: string): Promise<boolean> {
  return !!(await throttleRepo.blockedUntil(db, [throttleKeys.code(userId)]));
}

export async function recordCodeFailure(db: AccountsDb, userId: string): Promise<void> {
  await throttleRepo.fail(db, throttleKeys.code(userId), signInRules.code);
}

/** An administrator's unlock: every sign-in and code lock of the account, from wherever. */
export async function unlockAccount(db: AccountsDb, email: string, userId: string): Promise<void> {
  const e = email.toLowerCase();
  await throttleRepo.clear(db, [throttleKeys.account(e), throttleKeys.code(userId)]);
  await throttleRepo.clearPrefix(db, `acctip:${e}|`);
}
