import type { Role, Visibility } from '../../../shared/permissions.js';
import type { Actor } from '../../platform/actor.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import type { AccountsDb } from './accounts.db.js';
import { presentInvitation, presentTeam, presentUser, presentWorkspace } from './accounts.presenter.js';
import { invitationRepo, sessionRepo, teamRepo, userRepo, workspaceRepo } from './accounts.repository.js';
import { invalidateActors } from './actor-cache.js';
import { moneyHeldIn } from './money-holders.js';
import { assertPasswordAllowed } from './password-policy.js';
import { hashPassword, hashSecret, newSecret } from './secrets.js';
import { challengeRepo } from './security.repository.js';

const INVITATION_DAYS = 7;

export async function getWorkspace(options: { db: AccountsDb; actor: Actor }) {
  const w = await workspaceRepo.find(options.db, options.actor.workspaceId);
  if (!w) throw new AppError('not_found');
  return { ...presentWorkspace(w), currencyLocked: (await moneyHeldIn(options.db, w.id)).length > 0 };
}

export async function updateWorkspace(options: {
  db: AccountsDb;
  actor: Actor;
  version: number;
  patch: {
    name?: string;
    timeZone?: string;
    locale?: 'ja' | 'en';
    currency?: string;
    visibility?: Partial<Record<Role, Visibility>>;
    requireTwoFactor?: boolean;
  };
}) {
  const { actor, patch } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await workspaceRepo.find(trx, actor.workspaceId, { forUpdate: true });
    if (!before) throw new AppError('not_found');
    if (patch.currency && patch.currency !== before.currency) {
      const held = await moneyHeldIn(trx, actor.workspaceId);
      if (held.length) throw new AppError('currency_in_use', { held, currency: before.currency });
    }
    const updated = await workspaceRepo.update(trx, actor.workspaceId, options.version, {
      name: patch.name,
      time_zone: patch.timeZone,
      locale: patch.locale,
      currency: patch.currency,
      settings:
        patch.visibility || patch.requireTwoFactor !== undefined
          ? {
              ...before.settings,
              ...(patch.visibility ? { visibility: { ...before.settings.visibility, ...patch.visibility } } : {}),
              ...(patch.requireTwoFactor !== undefined ? { requireTwoFactor: patch.requireTwoFactor } : {}),
            }
          : undefined,
    });
    if (!updated) throw new AppError('conflict', { current: presentWorkspace(before) });
    await invalidateActors(trx, actor.workspaceId);
    await recordChange(trx, actor, {
      audit: {
        action: 'workspace.updated',
        entityType: 'workspace',
        entityId: actor.workspaceId,
        before: presentWorkspace(before),
        after: presentWorkspace(updated),
      },
      event: { type: 'workspace.updated', entityType: 'workspace', entityId: actor.workspaceId },
    });
    return presentWorkspace(updated);
  });
}

export async function listUsers(options: { db: AccountsDb; actor: Actor }) {
  return (await userRepo.list(options.db, options.actor.workspaceId)).map(presentUser);
}

export async function getUser(options: { db: AccountsDb; actor: Actor; userId: string }) {
  const u = await userRepo.find(options.db, options.actor.workspaceId, options.userId);
  if (!u) throw new AppError('not_found');
  return presentUser(u);
}

/** An administrator changes a user's name, role or status; the last active admin cannot be removed. */
export async function updateUser(options: {
  db: AccountsDb;
  actor: Actor;
  userId: string;
  version: number;
  patch: { name?: string; role?: Role; status?: 'active' | 'disabled' };
}) {
  const { actor, userId, patch } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await userRepo.find(trx, actor.workspaceId, userId);
    if (!before) throw new AppError('not_found');
    const losesAdmin =
      before.role === 'admin' && before.status === 'active' && ((patch.role && patch.role !== 'admin') || patch.status === 'disabled');
    if (losesAdmin && (await userRepo.countActiveAdmins(trx, actor.workspaceId)) <= 1) throw new AppError('last_admin');
    const ok = await userRepo.update(trx, actor.workspaceId, userId, options.version, patch, actor.userId);
    if (!ok) throw new AppError('conflict', { current: presentUser(before) });
    // A disabled user's sessions and half-finished sign-ins end with it, not only stop working.
    if (patch.status === 'disabled') {
      await sessionRepo.removeForUser(trx, actor.workspaceId, userId);
      await challengeRepo.removeForUser(trx, actor.workspaceId, userId);
    }
    await invalidateActors(trx, actor.workspaceId);
    const after = (await userRepo.find(trx, actor.workspaceId, userId)) as NonNullable<typeof before>;
    await recordChange(trx, actor, {
      audit: { action: 'user.updated', entityType: 'user', entityId: userId, before: presentUser(before), after: presentUser(after) },
      event: { type: 'user.updated', entityType: 'user', entityId: userId },
    });
    return presentUser(after);
  });
}

/** A user's own preferences. */
export async function updateProfile(options: {
  db: AccountsDb;
  actor: Actor;
  patch: { name?: string; locale?: 'ja' | 'en' | null; theme?: 'auto' | 'light' | 'dark' };
}) {
  const { actor } = options;
  if (!actor.userId) throw new AppError('forbidden');
  const userId = actor.userId;
  return options.db.transaction().execute(async (trx) => {
    const before = await userRepo.find(trx, actor.workspaceId, userId);
    if (!before) throw new AppError('not_found');
    await userRepo.update(trx, actor.workspaceId, userId, null, options.patch, userId);
    await invalidateActors(trx, actor.workspaceId);
    const after = (await userRepo.find(trx, actor.workspaceId, userId)) as NonNullable<typeof before>;
    await recordChange(trx, actor, {
      audit: {
        action: 'user.profile_updated',
        entityType: 'user',
        entityId: userId,
        before: presentUser(before),
        after: presentUser(after),
      },
      event: { type: 'user.updated', entityType: 'user', entityId: userId },
    });
    return presentUser(after);
  });
}

export async function inviteUser(options: {
  db: AccountsDb;
  actor: Actor;
  email: string;
  role: Role;
  teamId?: string | null;
  publicUrl: string;
}) {
  const { actor } = options;
  const token = newSecret();
  return options.db.transaction().execute(async (trx) => {
    if (await userRepo.findByEmail(trx, actor.workspaceId, options.email)) throw new AppError('email_taken');
    if (options.teamId && !(await teamRepo.find(trx, actor.workspaceId, options.teamId))) {
      throw new AppError('validation_failed', { issues: [{ path: 'teamId', code: 'not_found' }] });
    }
    const row = {
      workspace_id: actor.workspaceId,
      id: newId(),
      email: options.email,
      role: options.role,
      team_id: options.teamId ?? null,
      expires_at: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
      created_by: actor.userId ?? '00000000-0000-0000-0000-000000000000',
      token_hash: hashSecret(token),
    };
    await invitationRepo.insert(trx, row);
    await recordChange(trx, actor, {
      audit: { action: 'invitation.created', entityType: 'invitation', entityId: row.id, after: { email: row.email, role: row.role } },
      event: { type: 'invitation.created', entityType: 'invitation', entityId: row.id },
    });
    const invitation = presentInvitation({ ...row, accepted_at: null, revoked_at: null, created_at: new Date() });
    // The link is shown once to the inviter to pass on; only its hash is kept.
    return { invitation, url: `${options.publicUrl}/invite/${token}` };
  });
}

export async function listInvitations(options: { db: AccountsDb; actor: Actor }) {
  return (await invitationRepo.listPending(options.db, options.actor.workspaceId)).map(presentInvitation);
}

export async function revokeInvitation(options: { db: AccountsDb; actor: Actor; invitationId: string }) {
  const { actor } = options;
  await options.db.transaction().execute(async (trx) => {
    const inv = await invitationRepo.find(trx, actor.workspaceId, options.invitationId);
    if (!inv) throw new AppError('not_found');
    await invitationRepo.revoke(trx, actor.workspaceId, inv.id);
    await recordChange(trx, actor, {
      audit: { action: 'invitation.revoked', entityType: 'invitation', entityId: inv.id, before: { email: inv.email } },
    });
  });
}

export async function describeInvitation(options: { db: AccountsDb; token: string }) {
  const inv = await invitationRepo.findUsable(options.db, hashSecret(options.token));
  if (!inv) throw new AppError('invitation_invalid');
  const w = await workspaceRepo.find(options.db, inv.workspace_id);
  return { email: inv.email, role: inv.role, workspaceName: w?.name ?? '' };
}

/** The invitee sets a name and password; the account joins the inviting workspace with the invited role. */
export async function acceptInvitation(options: { db: AccountsDb; token: string; name: string; password: string; locale?: 'ja' | 'en' }) {
  const inv = await invitationRepo.findUsable(options.db, hashSecret(options.token));
  if (!inv) throw new AppError('invitation_invalid');
  await assertPasswordAllowed(options.password, { field: 'password', email: inv.email });
  const passwordHash = await hashPassword(options.password);
  return options.db.transaction().execute(async (trx) => {
    const userId = newId();
    const claimed = await invitationRepo.markAccepted(trx, inv.workspace_id, inv.id, userId);
    if (!claimed) throw new AppError('invitation_invalid');
    if (await userRepo.findByEmail(trx, inv.workspace_id, inv.email)) throw new AppError('email_taken');
    await userRepo.insert(trx, {
      workspace_id: inv.workspace_id,
      id: userId,
      email: inv.email,
      name: options.name,
      password_hash: passwordHash,
      role: inv.role,
      locale: options.locale ?? null,
      created_by: inv.created_by,
    });
    if (inv.team_id) {
      await teamRepo.addMember(trx, inv.workspace_id, inv.team_id, userId);
      // The team's members see the newcomer's records from now on: their cached actors list teammates.
      await invalidateActors(trx, inv.workspace_id);
    }
    const actor: Actor = {
      kind: 'user',
      workspaceId: inv.workspace_id,
      userId,
      role: inv.role,
      teamIds: [],
      teammateIds: [],
      visibility: 'all',
      locale: 'ja',
    };
    await recordChange(trx, actor, {
      audit: {
        action: 'user.created',
        entityType: 'user',
        entityId: userId,
        after: { email: inv.email, role: inv.role, invitationId: inv.id },
      },
      event: { type: 'user.created', entityType: 'user', entityId: userId },
    });
    return { workspaceId: inv.workspace_id, userId };
  });
}

export async function listTeams(options: { db: AccountsDb; actor: Actor }) {
  return (await teamRepo.list(options.db, options.actor.workspaceId)).map(presentTeam);
}

async function checkMembers(db: AccountsDb, workspaceId: string, memberIds: string[]) {
  const unique = [...new Set(memberIds)];
  if ((await teamRepo.countUsers(db, workspaceId, unique)) !== unique.length) {
    throw new AppError('validation_failed', { issues: [{ path: 'memberIds', code: 'not_found' }] });
  }
  return unique;
}

export async function createTeam(options: { db: AccountsDb; actor: Actor; name: string; memberIds: string[] }) {
  const { actor } = options;
  return options.db.transaction().execute(async (trx) => {
    const members = await checkMembers(trx as unknown as AccountsDb, actor.workspaceId, options.memberIds);
    if (await teamRepo.nameTaken(trx, actor.workspaceId, options.name)) {
      throw new AppError('validation_failed', { issues: [{ path: 'name', code: 'taken' }] });
    }
    const id = newId();
    await teamRepo.insert(trx, { workspace_id: actor.workspaceId, id, name: options.name, created_by: actor.userId });
    await teamRepo.setMembers(trx, actor.workspaceId, id, members);
    await invalidateActors(trx, actor.workspaceId);
    const team = presentTeam((await teamRepo.find(trx, actor.workspaceId, id)) as NonNullable<Awaited<ReturnType<typeof teamRepo.find>>>);
    await recordChange(trx, actor, {
      audit: { action: 'team.created', entityType: 'team', entityId: id, after: team },
      event: { type: 'team.created', entityType: 'team', entityId: id },
    });
    return team;
  });
}

export async function updateTeam(options: {
  db: AccountsDb;
  actor: Actor;
  teamId: string;
  version: number;
  name?: string;
  memberIds?: string[];
}) {
  const { actor } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await teamRepo.find(trx, actor.workspaceId, options.teamId);
    if (!before) throw new AppError('not_found');
    const name = options.name ?? before.name;
    if (options.name && (await teamRepo.nameTaken(trx, actor.workspaceId, name, before.id))) {
      throw new AppError('validation_failed', { issues: [{ path: 'name', code: 'taken' }] });
    }
    const ok = await teamRepo.update(trx, actor.workspaceId, before.id, options.version, name, actor.userId);
    if (!ok) throw new AppError('conflict', { current: presentTeam(before) });
    await invalidateActors(trx, actor.workspaceId);
    if (options.memberIds) {
      await teamRepo.setMembers(
        trx,
        actor.workspaceId,
        before.id,
        await checkMembers(trx as unknown as AccountsDb, actor.workspaceId, options.memberIds),
      );
    }
    const after = presentTeam((await teamRepo.find(trx, actor.workspaceId, before.id)) as typeof before);
    await recordChange(trx, actor, {
      audit: { action: 'team.updated', entityType: 'team', entityId: before.id, before: presentTeam(before), after },
      event: { type: 'team.updated', entityType: 'team', entityId: before.id },
    });
    return after;
  });
}

export async function deleteTeam(options: { db: AccountsDb; actor: Actor; teamId: string }) {
  const { actor } = options;
  await options.db.transaction().execute(async (trx) => {
    const before = await teamRepo.find(trx, actor.workspaceId, options.teamId);
    if (!before) throw new AppError('not_found');
    await teamRepo.remove(trx, actor.workspaceId, before.id);
    await invalidateActors(trx, actor.workspaceId);
    await recordChange(trx, actor, {
      audit: { action: 'team.deleted', entityType: 'team', entityId: before.id, before: presentTeam(before) },
      event: { type: 'team.deleted', entityType: 'team', entityId: before.id },
    });
  });
}
