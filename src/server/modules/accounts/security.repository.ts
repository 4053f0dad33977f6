import { sql } from 'kysely';
import type { AccountsDb } from './accounts.db.js';

/** SQL of sign-in security: known devices, sign-in challenges, TOTP columns, recovery codes, session lists. */

export interface ChallengeRow {
  workspace_id: string;
  id: string;
  user_id: string;
  kind: 'totp' | 'enrol';
  remember: boolean;
  attempts: number;
  pending_secret: string | null;
  expires_at: Date;
}

export interface TotpRow {
  email: string;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | null;
}

export interface SessionListRow {
  id: string;
  ip: string | null;
  user_agent: string | null;
  remember: boolean;
  created_at: Date;
  last_seen_at: Date;
}

export const deviceRepo = {
  /** The device's id when the cookie's hash belongs to an active user with this address. */
  findForEmail: async (db: AccountsDb, tokenHash: string, email: string) =>
    (
      await db
        .selectFrom('known_devices as d')
        .innerJoin('users as u', (j) => j.onRef('u.workspace_id', '=', 'd.workspace_id').onRef('u.id', '=', 'd.user_id'))
        .select('d.id')
        .where('d.token_hash', '=', tokenHash)
        .where(sql`lower(u.email)`, '=', email)
        .where('u.status', '=', 'active')
        .executeTakeFirst()
    )?.id as string | undefined,
  findForUser: async (db: AccountsDb, tokenHash: string, workspaceId: string, userId: string) =>
    (
      await db
        .selectFrom('known_devices')
        .select('id')
        .where('token_hash', '=', tokenHash)
        .where('workspace_id', '=', workspaceId)
        .where('user_id', '=', userId)
        .executeTakeFirst()
    )?.id as string | undefined,
  insert: (db: AccountsDb, row: { workspace_id: string; id: string; user_id: string; token_hash: string }) =>
    db.insertInto('known_devices').values(row).execute(),
  touch: (db: AccountsDb, workspaceId: string, id: string) =>
    db
      .updateTable('known_devices')
      .set({ last_used_at: new Date() })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute(),
};

export const challengeRepo = {
  insert: (
    db: AccountsDb,
    row: Omit<ChallengeRow, 'attempts' | 'pending_secret'> & { token_hash: string; pending_secret?: string | null },
  ) => db.insertInto('login_challenges').values(row).execute(),
  findUsable: (db: AccountsDb, tokenHash: string) =>
    db
      .selectFrom('login_challenges')
      .select(['workspace_id', 'id', 'user_id', 'kind', 'remember', 'attempts', 'pending_secret', 'expires_at'])
      .where('token_hash', '=', tokenHash)
      .where('expires_at', '>', new Date())
      .executeTakeFirst() as Promise<ChallengeRow | undefined>,
  countAttempt: (db: AccountsDb, workspaceId: string, id: string) =>
    db
      .updateTable('login_challenges')
      .set({ attempts: sql`attempts + 1` })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute(),
  setPendingSecret: (db: AccountsDb, workspaceId: string, id: string, sealed: string) =>
    db
      .updateTable('login_challenges')
      .set({ pending_secret: sealed })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute(),
  /** Consume: returns false when another request used it first. */
  remove: async (db: AccountsDb, workspaceId: string, id: string) =>
    Number(
      (await db.deleteFrom('login_challenges').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst())
        .numDeletedRows,
    ) > 0,
  removeForUser: (db: AccountsDb, workspaceId: string, userId: string) =>
    db.deleteFrom('login_challenges').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute(),
};

export const totpRepo = {
  find: (db: AccountsDb, workspaceId: string, userId: string) =>
    db
      .selectFrom('users')
      .select(['email', 'totp_secret', 'totp_pending_secret', 'totp_enabled_at', 'totp_last_step'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', userId)
      .executeTakeFirst() as Promise<TotpRow | undefined>,
  setPending: (db: AccountsDb, workspaceId: string, userId: string, sealed: string | null) =>
    db.updateTable('users').set({ totp_pending_secret: sealed }).where('workspace_id', '=', workspaceId).where('id', '=', userId).execute(),
  enable: (db: AccountsDb, workspaceId: string, userId: string, sealed: string, step: number) =>
    db
      .updateTable('users')
      .set({ totp_secret: sealed, totp_pending_secret: null, totp_enabled_at: new Date(), totp_last_step: step })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', userId)
      .execute(),
  disable: (db: AccountsDb, workspaceId: string, userId: string) =>
    db
      .updateTable('users')
      .set({ totp_secret: null, totp_pending_secret: null, totp_enabled_at: null, totp_last_step: null })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', userId)
      .execute(),
  /** Record the time step of an accepted code; false when that step (or a later one) was used already: a replay. */
  claimStep: async (db: AccountsDb, workspaceId: string, userId: string, step: number) =>
    !!(await db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', userId)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
      .returning('id')
      .executeTakeFirst()),
};

export const recoveryCodeRepo = {
  replace: async (db: AccountsDb, workspaceId: string, userId: string, hashes: string[]) => {
    await db.deleteFrom('recovery_codes').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute();
    await db
      .insertInto('recovery_codes')
      .values(hashes.map((code_hash) => ({ workspace_id: workspaceId, user_id: userId, code_hash })))
      .execute();
  },
  /** Use a code once: false when it is unknown or was used before. */
  use: async (db: AccountsDb, workspaceId: string, userId: string, hash: string) =>
    !!(await db
      .updateTable('recovery_codes')
      .set({ used_at: new Date() })
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .returning('code_hash')
      .executeTakeFirst()),
  countUnused: async (db: AccountsDb, workspaceId: string, userId: string) =>
    Number(
      (
        await db
          .selectFrom('recovery_codes')
          .select(sql<string>`count(*)`.as('n'))
          .where('workspace_id', '=', workspaceId)
          .where('user_id', '=', userId)
          .where('used_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    ),
  removeForUser: (db: AccountsDb, workspaceId: string, userId: string) =>
    db.deleteFrom('recovery_codes').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute(),
};

export const sessionListRepo = {
  listForUser: (db: AccountsDb, workspaceId: string, userId: string) =>
    db
      .selectFrom('sessions')
      .select(['id', 'ip', 'user_agent', 'remember', 'created_at', 'last_seen_at'])
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('expires_at', '>', new Date())
      .orderBy('last_seen_at', 'desc')
      .execute() as Promise<SessionListRow[]>,
  /** Remove one of the user's sessions; false when it is not theirs or already gone. */
  removeOwn: async (db: AccountsDb, workspaceId: string, userId: string, id: string) =>
    Number(
      (
        await db
          .deleteFrom('sessions')
          .where('workspace_id', '=', workspaceId)
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .executeTakeFirst()
      ).numDeletedRows,
    ) > 0,
};

/**
 * Forget what sign-in security no longer needs: failure counters quiet for a day (no lock in force), expired
 * sign-in challenges, and device cookies unused for longer than they live. Keys are cross-workspace by nature.
 */
export async function sweepSignInState(db: AccountsDb, deviceDays: number) {
  const throttle = await db
    .deleteFrom('login_throttle')
    .where('updated_at', '<', sql<Date>`now() - interval '1 day'`)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<Date>`now()`)]))
    .executeTakeFirst();
  const challenges = await db.deleteFrom('login_challenges').where('expires_at', '<', sql<Date>`now()`).executeTakeFirst();
  const devices = await db
    .deleteFrom('known_devices')
    .where('last_used_at', '<', sql<Date>`now() - make_interval(days => ${deviceDays})`)
    .executeTakeFirst();
  return {
    throttle: Number(throttle.numDeletedRows),
    challenges: Number(challenges.numDeletedRows),
    devices: Number(devices.numDeletedRows),
  };
}
