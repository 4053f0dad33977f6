export { findActiveUsers, teamInWorkspace, userIdsOf, userInWorkspace } from './accounts.repository.js';
export { accountsRoutes } from './accounts.routes.js';
export { createAdminUser, createWorkspaceForOperator, listWorkspaces } from './admin.service.js';
export { actorForUser, createWorkspace, resetPassword, startSession } from './auth.service.js';
export { makeAuthenticator } from './authenticator.js';
export { createToken } from './tokens.service.js';
export { acceptInvitation, createTeam, inviteUser } from './users.service.js';
