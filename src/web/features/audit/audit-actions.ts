import { customerAuditActions, customerEntityTypes } from './customer-audit-actions';
import { moduleAuditActions, moduleEntityTypes } from './module-audit-actions';

const customerActions = new Set<string>(customerAuditActions);
const customerEntities = new Set<string>(customerEntityTypes);

/** Action label: a known action's translation (the customers module keeps its own), else the raw code. */
export function actionKey(action: string): string {
  const key = action.replace(/\./g, '_');
  return customerActions.has(action) ? `customers.audit.actions.${key}` : `audit.actions.${key}`;
}

/** Entity type label key, like actionKey. */
export function entityKey(entityType: string): string {
  return customerEntities.has(entityType) ? `customers.audit.entities.${entityType}` : `audit.entities.${entityType}`;
}

const platformActions = [
  'workspace.created',
  'workspace.updated',
  'user.created',
  'user.updated',
  'user.profile_updated',
  'user.password_changed',
  'user.password_reset',
  'invitation.created',
  'invitation.revoked',
  'team.created',
  'team.updated',
  'team.deleted',
  'api_token.created',
  'api_token.revoked',
];

export const knownActions: string[] = [...platformActions, ...customerAuditActions, ...moduleAuditActions];

export const knownEntityTypes: string[] = [
  'workspace',
  'user',
  'team',
  'invitation',
  'api_token',
  ...customerEntityTypes,
  ...moduleEntityTypes,
];
