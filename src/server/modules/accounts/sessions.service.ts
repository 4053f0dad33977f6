import type { Actor } from '../../platform/actor.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import type { AccountsDb } from './accounts.db.js';
import { sessionRepo, userRepo } from './accounts.repository.js';
import { invalidateActors } from './actor-cache.js';
import { challengeRepo, recoveryCodeRepo, sessionListRepo, totpRepo } from './security.repository.js';
import { unlockAccount } from './sign-in-throttle.js';

/** A user's own sessions (one per signed-in browser), and an administrator's hold on other users' sign-ins. */

function selfOf(actor: Actor): string {
  if (actor.kind !== 'user' || !actor.userId) throw new AppError('forbidden');
  return actor.userId;
}

export async function listMySessions(options: { db: AccountsDb; actor: Actor }) {
  const { actor } = options;
  const rows = await sessionListRepo.listForUser(options.db, actor.workspaceId, selfOf(actor));
  return rows.map((s) => ({
    id: s.id,
    userAgent: s.user_agent,
    ip: s.ip,
    createdAt: s.created_at.toISOString(),
    lastSeenAt: s.last_seen_at.toISOString(),
    remember: s.remember,
    current: s.id === actor.sessionId,
  }));
}

export async function revokeMySession(options: { db: AccountsDb; actor: Actor; sessionId: string }) {
  const { actor } = options;
  const userId = selfOf(actor);
  await options.db.transaction().execute(async (trx) => {
    if (!(await sessionListRepo.removeOwn(trx, actor.workspaceId, userId, options.sessionId))) throw new AppError('not_found');
    await invalidateActors(trx, actor.workspaceId);
    await recordChange(trx, actor, {
      audit: { action: 'session.revoked', entityType: 'user', entityId: userId, before: { sessionId: options.sessionId } },
    });
  });
}

async function targetUser(db: AccountsDb, actor: Actor, userId: string) {
  const user = await userRepo.find(db, actor.workspaceId, userId);
  if (!user) throw new AppError('not_found');
  return user;
}

/** Sign a user out everywhere (a lost laptop, someone leaving): every session and half-finished sign-in ends. */
export async function endUserSessions(options: { db: AccountsDb; actor: Actor; userId: string }) {
  const { actor, userId } = options;
  await targetUser(options.db, actor, userId);
  await options.db.transaction().execute(async (trx) => {
    const ended = await sessionRepo.removeForUser(trx, actor.workspaceId, userId);
    await challengeRepo.removeForUser(trx, actor.workspaceId, userId);
    await invalidateActors(trx, actor.workspaceId);
    await recordChange(trx, actor, {
      audit: {
        action: 'user.sessions_ended',
        entityType: 'user',
        entityId: userId,
        after: { sessions: ended.reduce((n, r) => n + Number(r.numDeletedRows), 0) },
      },
    });
  });
}

/**
 * A user lost both the phone and the recovery codes: turn their two-step verification off and sign them out
 * everywhere, so they set it up again at the next sign-in (if the workspace requires it, before any session).
 */
export async function resetUserTwoFactor(options: { db: AccountsDb; actor: Actor; userId: string }) {
  const { actor, userId } = options;
  if (userId === actor.userId) throw new AppError('forbidden', { reason: 'own account: use Settings → Security' });
  await targetUser(options.db, actor, userId);
  await options.db.transaction().execute(async (trx) => {
    await totpRepo.disable(trx, actor.workspaceId, userId);
    await recoveryCodeRepo.removeForUser(trx, actor.workspaceId, userId);
    await sessionRepo.removeForUser(trx, actor.workspaceId, userId);
    await challengeRepo.removeForUser(trx, actor.workspaceId, userId);
    await invalidateActors(trx, actor.workspaceId);
    await recordChange(trx, actor, {
      audit: { action: 'user.two_factor_reset', entityType: 'user', entityId: userId },
      event: { type: 'user.updated', entityType: 'user', entityId: userId },
    });
  });
}

/** Lift every sign-in and code lock of a user, from whichever address (after checking with them). */
export async function unlockUser(options: { db: AccountsDb; actor: Actor; userId: string }) {
  const { actor, userId } = options;
  const user = await targetUser(options.db, actor, userId);
  await options.db.transaction().execute(async (trx) => {
    await unlockAccount(trx, user.email, userId);
    await recordChange(trx, actor, {
      audit: {
        action: 'user.unlocked',
        entityType: 'user',
        entityId: userId,
        before: { lockedUntil: user.locked_until?.toISOString() ?? null },
      },
    });
  });
}
