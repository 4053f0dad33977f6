import { systemActor } from '../../platform/actor.js';
import type { Db, DbOrTx } from '../../platform/db/database.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { userRepo, workspaceRepo } from './accounts.repository.js';
import { assertPasswordAllowed } from './password-policy.js';
import { hashPassword } from './secrets.js';

/** Operator tasks run from the CLI (`crm create-admin`): no signed-in actor, the system acts. */

export interface WorkspaceSummary {
  id: string;
  name: string;
  createdAt: Date;
}

// Belongs in workspaceRepo as `list`; kept here until accounts.repository.ts gains it.
function listWorkspaceRows(db: DbOrTx) {
  return db.selectFrom('workspaces').select(['id', 'name', 'created_at']).orderBy('created_at').execute() as Promise<
    { id: string; name: string; created_at: Date }[]
  >;
}

export async function listWorkspaces(options: { db: Db }): Promise<WorkspaceSummary[]> {
  return (await listWorkspaceRows(options.db)).map((w) => ({ id: w.id, name: w.name, createdAt: w.created_at }));
}

/** Add an administrator to an existing workspace, with its audit row and event in the same transaction. */
export async function createAdminUser(options: { db: Db; workspaceId: string; email: string; name: string; password: string }) {
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
