import { systemActor } from '../../platform/actor.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import type { AccountsDb } from './accounts.db.js';
import { invitationRepo, userRepo, workspaceRepo } from './accounts.repository.js';
import { createWorkspace, type NewWorkspace } from './auth.service.js';
import { assertPasswordAllowed } from './password-policy.js';
import { hashPassword, hashSecret, newSecret } from './secrets.js';

/** Operator tasks run from the CLI (`crm create-admin`): no signed-in actor, the system acts. */

export interface WorkspaceSummary {
  id: string;
  name: string;
  createdAt: Date;
}

// Belongs in workspaceRepo as `list`; kept here until accounts.repository.ts gains it.
function listWorkspaceRows(db: AccountsDb) {
  return db.selectFrom('workspaces').select(['id', 'name', 'created_at']).orderBy('created_at').execute() as Promise<
    { id: string; name: string; created_at: Date }[]
  >;
}

export async function listWorkspaces(options: { db: AccountsDb }): Promise<WorkspaceSummary[]> {
  return (await listWorkspaceRows(options.db)).map((w) => ({ id: w.id, name: w.name, createdAt: w.created_at }));
}

/** Add an administrator to an existing workspace, with its audit row and event in the same transaction. */
export async function createAdminUser(options: { db: AccountsDb; workspaceId: string; email: string; name: string; password: string }) {
  await assertPasswordAllowed(options.password, { field: 'password', email: options.email });
  const passwordHash = await hashPassword(options.password);
  return options.db.transaction().execute(async (trx) => {
    const workspace = await workspaceRepo.find(trx, options.workspaceId);
    if (!workspace) throw new AppError('not_found');
    if (await userRepo.findByEmail(trx, options.workspaceId, options.email)) throw new AppError('email_taken');
    const userId = newId();
    await userRepo.insert(trx, {
      workspace_id: options.workspaceId,
      id: userId,
      email: options.email,
      name: options.name,
      password_hash: passwordHash,
      role: 'admin',
      locale: workspace.locale,
    });
    await recordChange(trx, systemActor(options.workspaceId), {
      audit: { action: 'user.created', entityType: 'user', entityId: userId, after: { email: options.email, role: 'admin', via: 'cli' } },
      event: { type: 'user.created', entityType: 'user', entityId: userId },
    });
    return { workspaceId: options.workspaceId, workspaceName: workspace.name, userId };
  });
}

const SETUP_LINK_DAYS = 7;
const SYSTEM_USER = '00000000-0000-0000-0000-000000000000';

/**
 * Another workspace on this server (`crm create-workspace`). With a password, its administrator can sign in at
 * once; without one, the workspace gets an administrator invitation instead, whose one-time link is returned
 * (shown once, only its hash kept): the operator never learns the customer's password.
 */
export async function createWorkspaceForOperator(options: {
  db: AccountsDb;
  workspace: NewWorkspace;
  admin: { email: string; name: string; password?: string };
  publicUrl: string;
}): Promise<{ workspaceId: string; userId?: string; setupUrl?: string; expiresAt?: Date }> {
  const { admin } = options;
  if (admin.password !== undefined) {
    const { workspace, userId } = await createWorkspace({
      db: options.db,
      workspace: options.workspace,
      admin: { email: admin.email, name: admin.name, password: admin.password },
    });
    return { workspaceId: workspace.id, userId };
  }
  const token = newSecret();
  const expiresAt = new Date(Date.now() + SETUP_LINK_DAYS * 86_400_000);
  const w = options.workspace;
  return options.db.transaction().execute(async (trx) => {
    const workspaceId = newId();
    await workspaceRepo.insert(trx, { id: workspaceId, name: w.name, time_zone: w.timeZone, locale: w.locale, currency: w.currency });
    const invitationId = newId();
    await invitationRepo.insert(trx, {
      workspace_id: workspaceId,
      id: invitationId,
      email: admin.email,
      role: 'admin',
      team_id: null,
      expires_at: expiresAt,
      created_by: SYSTEM_USER,
      token_hash: hashSecret(token),
    });
    const actor = systemActor(workspaceId);
    await recordChange(trx, actor, {
      audit: { action: 'workspace.created', entityType: 'workspace', entityId: workspaceId, after: { name: w.name, via: 'cli' } },
      event: { type: 'workspace.created', entityType: 'workspace', entityId: workspaceId },
    });
    await recordChange(trx, actor, {
      audit: {
        action: 'invitation.created',
        entityType: 'invitation',
        entityId: invitationId,
        after: { email: admin.email, role: 'admin' },
      },
      event: { type: 'invitation.created', entityType: 'invitation', entityId: invitationId },
    });
    return { workspaceId, setupUrl: `${options.publicUrl}/invite/${token}`, expiresAt };
  });
}
