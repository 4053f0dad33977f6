import { makeTeam, makeToken, makeUser, makeWorkspace, type TestUser, type TestWorkspace } from '../../../../test/factories.js';
import { anonymous, type TestClient } from '../../../../test/helpers.js';
import type { Role, TokenScope, Visibility } from '../../../shared/permissions.js';
import type { RunningServer } from '../../server.js';
import { type Kind, models } from './access-matrix.table.js';

/**
 * Who calls in the access matrix (access-matrix.int.test.ts): four roles with sessions, API tokens of three scope
 * sets and a member's token, anonymous, and the administrator of another workspace; and what each may see.
 */

/** Users: in workspace A a team T = {manager, member, mate}; outsider in no team; bAdmin and bVictim in workspace B. */
export type UserKey = 'admin' | 'manager' | 'member' | 'mate' | 'outsider' | 'readonly' | 'bAdmin' | 'bVictim';
const teamT = new Set<UserKey>(['manager', 'member', 'mate']);
export const wsOf = (u: UserKey) => (u === 'bAdmin' || u === 'bVictim' ? 'B' : 'A');
/** The owners of workspace A's owned records (workspace B's are all bAdmin's). */
export const OWNERS_A: UserKey[] = ['admin', 'manager', 'member', 'mate', 'outsider'];

export interface Principal {
  name: string;
  client: TestClient;
  kind: 'session' | 'token' | 'anonymous';
  user?: UserKey;
  role?: Role;
  visibility?: Visibility;
  scopes?: TokenScope[];
}

export interface Callers {
  server: RunningServer;
  workspaces: Record<'A' | 'B', TestWorkspace>;
  users: Record<UserKey, TestUser>;
  principals: Principal[];
}

/** Whether `p` may see a record of `kind` owned by `owner` (for `workspace` kinds, owned by its administrator). */
export function sees(p: Principal, kind: Kind, owner: UserKey): boolean {
  const user = p.user as UserKey;
  if (wsOf(user) !== wsOf(owner)) return false;
  switch (models[kind]) {
    case 'workspace':
      return true;
    case 'personal':
      // An administrator may revoke anyone's API token, but through a token only with the admin scope.
      if (kind === 'token' && p.role === 'admin' && (p.kind === 'session' || p.scopes?.includes('admin'))) return true;
      return owner === user;
    case 'owned':
      if (p.visibility === 'all' || owner === user) return true;
      return p.visibility === 'team' && teamT.has(user) && teamT.has(owner);
    default:
      return false;
  }
}

export async function makeCallers(server: RunningServer): Promise<Callers> {
  const A = await makeWorkspace(server, { name: '甲株式会社', visibility: { member: 'own', manager: 'team' } });
  const B = await makeWorkspace(server, { name: '乙株式会社' });
  const user = (ws: TestWorkspace, role: Role, name: string) => makeUser(ws, role, { name });
  const users: Record<UserKey, TestUser> = {
    admin: A.admin,
    manager: await user(A, 'manager', 'manager 様'),
    member: await user(A, 'member', 'member 様'),
    mate: await user(A, 'member', 'mate 様'),
    outsider: await user(A, 'member', 'outsider 様'),
    readonly: await user(A, 'readonly', 'readonly 様'),
    bAdmin: B.admin,
    bVictim: await user(B, 'member', '乙 社員'),
  };
  await makeTeam(
    A,
    [...teamT].map((k) => users[k]),
    'T',
  );

  const session = (name: string, key: UserKey, visibility: Visibility): Principal => ({
    name,
    client: users[key].client,
    kind: 'session',
    user: key,
    role: users[key].role,
    visibility,
  });
  const principals: Principal[] = [
    session('admin', 'admin', 'all'),
    session('manager (team)', 'manager', 'team'),
    session('member (own)', 'member', 'own'),
    session('read-only', 'readonly', 'all'),
  ];
  const tokens: Record<string, TokenScope[]> = {
    'token:read': ['read'],
    'token:read+write': ['read', 'write'],
    'token:admin': ['read', 'write', 'admin'],
  };
  for (const [name, scopes] of Object.entries(tokens)) {
    const { client } = await makeToken(A, users.admin, scopes, name);
    principals.push({ name, client, kind: 'token', user: 'admin', role: 'admin', visibility: 'all', scopes });
  }
  // A member's token sees what the member sees (own records only), whatever its scopes.
  const memberToken = await makeToken(A, users.member, ['read', 'write'], 'member');
  principals.push({
    name: 'token:read+write of member (own)',
    client: memberToken.client,
    kind: 'token',
    user: 'member',
    role: 'member',
    visibility: 'own',
    scopes: ['read', 'write'],
  });
  principals.push({ name: 'anonymous', client: anonymous(server), kind: 'anonymous' });
  principals.push(session('admin of workspace B', 'bAdmin', 'all'));
  return { server, workspaces: { A, B }, users, principals };
}
