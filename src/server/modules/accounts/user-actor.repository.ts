import type { DbOrTx } from '../../platform/db/database.js';
import { type SessionActorRow, teamsOfUser } from './accounts.repository.js';

/** An active user's role, language, teams and the workspace settings: what an actor is built from. */
export function findUserActorRow(db: DbOrTx, workspaceId: string, userId: string) {
  return db
    .selectFrom('users as u')
    .innerJoin('workspaces as w', 'w.id', 'u.workspace_id')
    .select(['u.workspace_id', 'u.id as user_id', 'u.role', 'u.locale', 'w.settings'])
    .select(teamsOfUser('u.workspace_id', 'u.id'))
    .where('u.workspace_id', '=', workspaceId)
    .where('u.id', '=', userId)
    .where('u.status', '=', 'active')
    .executeTakeFirst() as Promise<
    Pick<SessionActorRow, 'workspace_id' | 'user_id' | 'role' | 'locale' | 'settings' | 'team_ids' | 'teammate_ids'> | undefined
  >;
}
