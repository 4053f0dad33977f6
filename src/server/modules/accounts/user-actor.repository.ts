import type { AccountsDb } from './accounts.db.js';
import { type ActorColumns, teamsOfUser } from './accounts.repository.js';

/** An active user's role, language, teams and the workspace settings: what an actor is built from. */
export function findUserActorRow(db: AccountsDb, workspaceId: string, userId: string) {
  return db
    .selectFrom('users as u')
    .innerJoin('workspaces as w', 'w.id', 'u.workspace_id')
    .select(['u.workspace_id', 'u.id as user_id', 'u.role', 'u.locale', 'w.settings'])
    .select(teamsOfUser('u.workspace_id', 'u.id'))
    .where('u.workspace_id', '=', workspaceId)
    .where('u.id', '=', userId)
    .where('u.status', '=', 'active')
    .$narrowType<ActorColumns>()
    .executeTakeFirst();
}
