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
export { createAdminUser, createWorkspaceForOperator, listWorkspaces } from './admin.service.js';
export { actorForUser, createWorkspace, resetPassword, startSession } from './auth.service.js';
export { makeAuthenticator } from './authenticator.js';
export { type MoneyHolder, registerMoneyHolder } from './money-holders.js';
export { createToken } from './tokens.service.js';
export { acceptInvitation, createTeam, inviteUser } from './users.service.js';
