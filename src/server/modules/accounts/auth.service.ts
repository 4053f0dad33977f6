import { sql } from 'kysely';
import type { Locale } from '../../../shared/errors.js';
import { defaultVisibility, type Role } from '../../../shared/permissions.js';
import { type Actor, systemActor } from '../../platform/actor.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import type { AccountsDb } from './accounts.db.js';
import { type SessionActorRow, sessionRepo, tokenRepo, userRepo, type WorkspaceRow, workspaceRepo } from './accounts.repository.js';
import { actorCache, invalidateActors, toCached } from './actor-cache.js';
import { assertPasswordAllowed } from './password-policy.js';
import { hashPassword, hashSecret, newSecret, verifyPassword } from './secrets.js';
import { challengeRepo } from './security.repository.js';
import { unlockAccount } from './sign-in-throttle.js';
import { findUserActorRow } from './user-actor.repository.js';

const SHORT_SESSION_HOURS = 12;
const TOUCH_EVERY_MS = 5 * 60_000;

export interface NewWorkspace {
  name: string;
  timeZone: string;
  locale: Locale;
  currency: string;
}

export interface NewAdmin {
  name: string;
  email: string;
  password: string;
}

/** Create a workspace and its first administrator in one transaction. */
export async function createWorkspace(options: { db: AccountsDb; workspace: NewWorkspace; admin: NewAdmin; onlyIfFirst?: boolean }) {
  await assertPasswordAllowed(options.admin.password, { field: 'password', email: options.admin.email });
  const passwordHash = await hashPassword(options.admin.password);
  return options.db.transaction().execute(async (trx) => {
    if (options.onlyIfFirst) {
      await sql`SELECT pg_advisory_xact_lock(7300002)`.execute(trx);
      if ((await workspaceRepo.count(trx)) > 0) throw new AppError('already_set_up');
    }
    const workspaceId = newId();
    const userId = newId();
    const w = options.workspace;
    const workspace = await workspaceRepo.insert(trx, {
      id: workspaceId,
      name: w.name,
      time_zone: w.timeZone,
      locale: w.locale,
      currency: w.currency,
    });
    await userRepo.insert(trx, {
      workspace_id: workspaceId,
      id: userId,
      email: options.admin.email,
      name: options.admin.name,
      password_hash: passwordHash,
      role: 'admin',
      locale: w.locale,
    });
    const actor: Actor = { ...systemActor(workspaceId), kind: 'user', userId };
    await recordChange(trx, actor, {
      audit: { action: 'workspace.created', entityType: 'workspace', entityId: workspaceId, after: { name: w.name } },
      event: { type: 'workspace.created', entityType: 'workspace', entityId: workspaceId },
    });
    await recordChange(trx, actor, {
      audit: { action: 'user.created', entityType: 'user', entityId: userId, after: { email: options.admin.email, role: 'admin' } },
      event: { type: 'user.created', entityType: 'user', entityId: userId },
    });
    return { workspace, userId };
  });
}

export interface SessionResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  remember: boolean;
  workspaceId: string;
  userId: string;
}

export async function startSession(options: {
  db: AccountsDb;
  workspaceId: string;
  userId: string;
  remember: boolean;
  sessionDays: number;
  ip?: string;
  userAgent?: string;
}): Promise<SessionResult> {
  const token = newSecret();
  const csrfToken = newSecret();
  const expiresAt = sessionExpiry(options.remember, options.sessionDays);
  await options.db.transaction().execute(async (trx) => {
    await sessionRepo.insert(trx, {
      workspace_id: options.workspaceId,
      id: newId(),
      user_id: options.userId,
      token_hash: hashSecret(token),
      csrf_token: csrfToken,
      remember: options.remember,
      expires_at: expiresAt,
      ip: options.ip ?? null,
      user_agent: options.userAgent?.slice(0, 400) ?? null,
    });
    await userRepo.recordLogin(trx, options.workspaceId, options.userId);
  });
  return { token, csrfToken, expiresAt, remember: options.remember, workspaceId: options.workspaceId, userId: options.userId };
}

function sessionExpiry(remember: boolean, sessionDays: number): Date {
  return new Date(Date.now() + (remember ? sessionDays * 24 : SHORT_SESSION_HOURS) * 3_600_000);
}

export async function logout(options: { db: AccountsDb; actor: Actor }): Promise<void> {
  const { actor } = options;
  if (!actor.sessionId) return;
  const sessionId = actor.sessionId;
  await options.db.transaction().execute(async (trx) => {
    await sessionRepo.remove(trx, actor.workspaceId, sessionId);
    await invalidateActors(trx, actor.workspaceId);
  });
}

/** Administrators see every record whatever the setting says (they manage the workspace and its data). */
function visibilityFor(role: Role, settings: WorkspaceRow['settings']) {
  if (role === 'admin') return 'all';
  return settings.visibility?.[role] ?? defaultVisibility[role];
}

function actorFromRow(
  row: Pick<SessionActorRow, 'workspace_id' | 'user_id' | 'role' | 'locale' | 'settings' | 'team_ids' | 'teammate_ids'>,
  fallbackLocale: Locale,
): Actor {
  const visibility = visibilityFor(row.role, row.settings);
  return {
    kind: 'user',
    workspaceId: row.workspace_id,
    userId: row.user_id,
    role: row.role,
    teamIds: row.team_ids,
    teammateIds: visibility === 'team' ? row.teammate_ids : [],
    visibility,
    locale: row.locale ?? fallbackLocale,
  };
}

/** Another user as an actor (role, teams, visibility), to decide what they may see; null if not an active user here. */
export async function actorForUser(db: AccountsDb, workspaceId: string, userId: string): Promise<Actor | null> {
  const row = await findUserActorRow(db, workspaceId, userId);
  return row ? actorFromRow(row, row.locale ?? 'ja') : null;
}

export async function resolveSession(options: { db: AccountsDb; token: string; sessionDays: number; fallbackLocale: Locale; ip?: string }) {
  const key = `s:${hashSecret(options.token)}`;
  const hit = actorCache.get(key);
  if (hit) return { ...hit, locale: hit.userLocale ?? options.fallbackLocale, ip: options.ip } as Actor;
  const row = await sessionRepo.findActor(options.db, key.slice(2));
  if (!row) return null;
  // Sliding expiry, written at most every few minutes so reads stay reads.
  if (Date.now() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await sessionRepo.touch(options.db, row.workspace_id, row.id, sessionExpiry(row.remember, options.sessionDays));
  }
  const actor: Actor = { ...actorFromRow(row, options.fallbackLocale), sessionId: row.id, csrfToken: row.csrf_token, ip: options.ip };
  actorCache.set(key, toCached(actor, row.locale));
  return actor;
}

export async function resolveApiToken(options: { db: AccountsDb; token: string; fallbackLocale: Locale; ip?: string }) {
  if (!options.token.startsWith('crm_')) return null;
  const key = `t:${hashSecret(options.token)}`;
  const hit = actorCache.get(key);
  if (hit) return { ...hit, locale: hit.userLocale ?? options.fallbackLocale, ip: options.ip } as Actor;
  const row = await tokenRepo.findActor(options.db, key.slice(2));
  if (!row) return null;
  if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > TOUCH_EVERY_MS) {
    await tokenRepo.touch(options.db, row.workspace_id, row.id);
  }
  const actor: Actor = {
    ...actorFromRow(row, options.fallbackLocale),
    kind: 'token',
    scopes: row.scopes,
    ip: options.ip,
  };
  actorCache.set(key, toCached(actor, row.locale));
  return actor;
}

export async function changePassword(options: { db: AccountsDb; actor: Actor; currentPassword: string; newPassword: string }) {
  const { actor } = options;
  if (!actor.userId) throw new AppError('forbidden');
  const userId = actor.userId;
  const user = await userRepo.find(options.db, actor.workspaceId, userId);
  if (!user) throw new AppError('not_found');
  if (!(await verifyPassword(user.password_hash, options.currentPassword))) throw new AppError('wrong_password');
  await assertPasswordAllowed(options.newPassword, { field: 'newPassword', email: user.email });
  const passwordHash = await hashPassword(options.newPassword);
  await options.db.transaction().execute(async (trx) => {
    await userRepo.update(trx, actor.workspaceId, userId, null, { password_hash: passwordHash }, userId);
    // Every other session of this user ends: a stolen session does not outlive a password change.
    await sessionRepo.removeForUser(trx, actor.workspaceId, userId, actor.sessionId);
    await invalidateActors(trx, actor.workspaceId);
    await recordChange(trx, actor, { audit: { action: 'user.password_changed', entityType: 'user', entityId: userId } });
  });
}

/** Operator's reset from the CLI: sets the password and ends every session of that user. */
export async function resetPassword(options: { db: AccountsDb; email: string; password: string; workspaceId?: string }) {
  const matches = (await userRepo.findActiveForLogin(options.db, options.email)).filter(
    (u) => !options.workspaceId || u.workspace_id === options.workspaceId,
  );
  if (matches.length === 0) throw new AppError('not_found');
  if (matches.length > 1) throw new AppError('bad_request', { reason: 'email exists in several workspaces: pass --workspace' });
  const u = matches[0] as { workspace_id: string; id: string };
  await assertPasswordAllowed(options.password, { field: 'password', email: options.email });
  const passwordHash = await hashPassword(options.password);
  await options.db.transaction().execute(async (trx) => {
    await userRepo.update(trx, u.workspace_id, u.id, null, { password_hash: passwordHash }, null);
    await sessionRepo.removeForUser(trx, u.workspace_id, u.id);
    await challengeRepo.removeForUser(trx, u.workspace_id, u.id);
    await invalidateActors(trx, u.workspace_id);
    await unlockAccount(trx, options.email, u.id);
    await recordChange(trx, systemActor(u.workspace_id), { audit: { action: 'user.password_reset', entityType: 'user', entityId: u.id } });
  });
  return { workspaceId: u.workspace_id, userId: u.id };
}
