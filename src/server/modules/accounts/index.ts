import type { Kysely } from 'kysely';
import { type AccountsDb, accountsDb } from './accounts.db.js';
import * as admin from './admin.service.js';
import * as auth from './auth.service.js';
import * as authenticator from './authenticator.js';
import * as tokens from './tokens.service.js';
import * as users from './users.service.js';

export {
  findActiveUsers,
  teamInWorkspace,
  type UserSummary,
  userActor,
  userEmailsAmong,
  userIdsOf,
  userInWorkspace,
  userNames,
  userSummaries,
  type WorkspaceSettings,
  workspaceSettings,
} from './accounts.ports.js';
export { accountsRoutes } from './accounts.routes.js';
export { type MoneyHolder, registerMoneyHolder } from './money-holders.js';

/**
 * An accounts use case for callers outside the module (the CLI, the server's wiring, tests, benchmarks): it takes the
 * caller's handle, whatever tables it is typed with, and views it through accounts' own.
 */
const entry =
  <O extends { db: AccountsDb }, R>(fn: (options: O) => R) =>
  <D>(options: Omit<O, 'db'> & { db: Kysely<D> }): R =>
    fn({ ...options, db: accountsDb(options.db) } as unknown as O);

export const createAdminUser = entry(admin.createAdminUser);
export const createWorkspaceForOperator = entry(admin.createWorkspaceForOperator);
export const listWorkspaces = entry(admin.listWorkspaces);
export const createWorkspace = entry(auth.createWorkspace);
export const resetPassword = entry(auth.resetPassword);
export const startSession = entry(auth.startSession);
export const createToken = entry(tokens.createToken);
export const acceptInvitation = entry(users.acceptInvitation);
export const createTeam = entry(users.createTeam);
export const inviteUser = entry(users.inviteUser);
export const actorForUser = <D>(db: Kysely<D>, workspaceId: string, userId: string) =>
  auth.actorForUser(accountsDb(db), workspaceId, userId);
export const makeAuthenticator = <D>(db: Kysely<D>, sessionDays: number) => authenticator.makeAuthenticator(accountsDb(db), sessionDays);
