/** Roles, the permissions each grants, and token scopes. Used by the server and the web app. */
export const roles = ['admin', 'manager', 'member', 'readonly'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'workspace.manage',
  'users.read',
  'users.manage',
  'teams.manage',
  'audit.read',
  'records.read',
  'records.write',
  'records.delete',
  'records.export',
  'tokens.own',
  /** sales targets (目標): managers and administrators */
  'sales.manage',
] as const;
export type Permission = (typeof permissions)[number];

const all = new Set<Permission>(permissions);
const memberSet = new Set<Permission>(['users.read', 'records.read', 'records.write', 'tokens.own']);

export const rolePermissions: Record<Role, ReadonlySet<Permission>> = {
  admin: all,
  manager: new Set<Permission>([...memberSet, 'teams.manage', 'records.delete', 'records.export', 'sales.manage']),
  member: memberSet,
  readonly: new Set<Permission>(['users.read', 'records.read']),
};

export function can(role: Role, permission: Permission): boolean {
  return rolePermissions[role].has(permission);
}

/** API token scopes: a token acts as its user, narrowed to these scopes. */
export const tokenScopes = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof tokenScopes)[number];

/** Which scope a permission needs when the caller is an API token. */
export function scopeFor(permission: Permission): TokenScope {
  if (permission === 'records.read' || permission === 'users.read') return 'read';
  if (permission === 'records.write' || permission === 'records.delete' || permission === 'records.export' || permission === 'tokens.own')
    return 'write';
  return 'admin';
}

/** Record visibility: which records of others a role may see. Modules apply it through the policy helper. */
export const visibilities = ['all', 'team', 'own'] as const;
export type Visibility = (typeof visibilities)[number];
export const defaultVisibility: Record<Role, Visibility> = {
  admin: 'all',
  manager: 'all',
  member: 'all',
  readonly: 'all',
};
