import { sql } from 'kysely';
import type { Role, TokenScope, Visibility } from '../../../shared/permissions.js';
import type { AccountsDb } from './accounts.db.js';

/** The only place that touches the accounts tables. Every query names its workspace. */

export interface WorkspaceRow {
  id: string;
  name: string;
  time_zone: string;
  locale: 'ja' | 'en';
  currency: string;
  settings: { visibility?: Partial<Record<Role, Visibility>>; requireTwoFactor?: boolean };
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface UserRow {
  workspace_id: string;
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  locale: 'ja' | 'en' | null;
  theme: 'auto' | 'light' | 'dark';
  status: 'active' | 'disabled';
  last_login_at: Date | null;
  totp_enabled_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  team_ids: string[];
  /** The account-wide sign-in lock in force (distributed guessing), if any. */
  locked_until: Date | null;
}

export const workspaceRepo = {
  count: async (db: AccountsDb) =>
    Number((await db.selectFrom('workspaces').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()).n),
  find: (db: AccountsDb, id: string, opts: { forUpdate?: boolean } = {}) => {
    const q = db.selectFrom('workspaces').selectAll().where('id', '=', id);
    return (opts.forUpdate ? q.forUpdate() : q).executeTakeFirst() as Promise<WorkspaceRow | undefined>;
  },
  insert: (db: AccountsDb, row: Pick<WorkspaceRow, 'id' | 'name' | 'time_zone' | 'locale' | 'currency'>) =>
    db.insertInto('workspaces').values(row).returningAll().executeTakeFirstOrThrow() as Promise<WorkspaceRow>,
  update: (db: AccountsDb, id: string, version: number, patch: Partial<WorkspaceRow>) =>
    db
      .updateTable('workspaces')
      .set({
        ...patch,
        settings: patch.settings ? JSON.stringify(patch.settings) : undefined,
        version: version + 1,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst() as Promise<WorkspaceRow | undefined>,
};

function usersQuery(db: AccountsDb, workspaceId: string) {
  return db
    .selectFrom('users as u')
    .selectAll('u')
    .select(
      sql<string[]>`coalesce((SELECT array_agg(tm.team_id ORDER BY tm.team_id) FROM team_members tm
        WHERE tm.workspace_id = u.workspace_id AND tm.user_id = u.id), '{}')`.as('team_ids'),
    )
    .select(
      sql<Date | null>`(SELECT lt.locked_until FROM login_throttle lt
        WHERE lt.key = 'acct:' || lower(u.email) AND lt.locked_until > now())`.as('locked_until'),
    )
    .where('u.workspace_id', '=', workspaceId);
}

export const userRepo = {
  list: (db: AccountsDb, workspaceId: string) => usersQuery(db, workspaceId).orderBy('u.created_at').execute() as Promise<UserRow[]>,
  find: (db: AccountsDb, workspaceId: string, id: string) =>
    usersQuery(db, workspaceId).where('u.id', '=', id).executeTakeFirst() as Promise<UserRow | undefined>,
  findByEmail: (db: AccountsDb, workspaceId: string, email: string) =>
    usersQuery(db, workspaceId).where(sql`lower(u.email)`, '=', email.toLowerCase()).executeTakeFirst() as Promise<UserRow | undefined>,
  /** Login looks across workspaces: an address may have accounts in several. */
  findActiveForLogin: (db: AccountsDb, email: string) =>
    db
      .selectFrom('users')
      .select(['workspace_id', 'id', 'password_hash'])
      .where(sql`lower(email)`, '=', email.toLowerCase())
      .where('status', '=', 'active')
      .execute(),
  insert: (
    db: AccountsDb,
    row: Pick<UserRow, 'workspace_id' | 'id' | 'email' | 'name' | 'password_hash' | 'role'> & {
      locale?: 'ja' | 'en' | null;
      created_by?: string | null;
    },
  ) =>
    db
      .insertInto('users')
      .values({ ...row, updated_by: row.created_by ?? null })
      .execute(),
  update: (
    db: AccountsDb,
    workspaceId: string,
    id: string,
    version: number | null,
    patch: Partial<Pick<UserRow, 'name' | 'role' | 'status' | 'locale' | 'theme' | 'password_hash'>>,
    by: string | null,
  ) => {
    let q = db
      .updateTable('users')
      .set({ ...patch, version: sql`version + 1`, updated_at: new Date(), updated_by: by })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id);
    if (version !== null) q = q.where('version', '=', version);
    return q.returning('id').executeTakeFirst();
  },
  recordLogin: (db: AccountsDb, workspaceId: string, id: string) =>
    db.updateTable('users').set({ last_login_at: new Date() }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute(),
  countActiveAdmins: async (db: AccountsDb, workspaceId: string) =>
    Number(
      (
        await db
          .selectFrom('users')
          .select(sql<string>`count(*)`.as('n'))
          .where('workspace_id', '=', workspaceId)
          .where('role', '=', 'admin')
          .where('status', '=', 'active')
          .executeTakeFirstOrThrow()
      ).n,
    ),
};

export interface TeamRow {
  workspace_id: string;
  id: string;
  name: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  member_ids: string[];
}

function teamsQuery(db: AccountsDb, workspaceId: string) {
  return db
    .selectFrom('teams as t')
    .selectAll('t')
    .select(
      sql<string[]>`coalesce((SELECT array_agg(tm.user_id ORDER BY tm.user_id) FROM team_members tm
        WHERE tm.workspace_id = t.workspace_id AND tm.team_id = t.id), '{}')`.as('member_ids'),
    )
    .where('t.workspace_id', '=', workspaceId);
}

export const teamRepo = {
  list: (db: AccountsDb, workspaceId: string) => teamsQuery(db, workspaceId).orderBy('t.name').execute() as Promise<TeamRow[]>,
  find: (db: AccountsDb, workspaceId: string, id: string) =>
    teamsQuery(db, workspaceId).where('t.id', '=', id).executeTakeFirst() as Promise<TeamRow | undefined>,
  nameTaken: async (db: AccountsDb, workspaceId: string, name: string, exceptId?: string) => {
    let q = db.selectFrom('teams').select('id').where('workspace_id', '=', workspaceId).where(sql`lower(name)`, '=', name.toLowerCase());
    if (exceptId) q = q.where('id', '!=', exceptId);
    return !!(await q.executeTakeFirst());
  },
  insert: (db: AccountsDb, row: { workspace_id: string; id: string; name: string; created_by: string | null }) =>
    db
      .insertInto('teams')
      .values({ ...row, updated_by: row.created_by })
      .execute(),
  update: (db: AccountsDb, workspaceId: string, id: string, version: number, name: string, by: string | null) =>
    db
      .updateTable('teams')
      .set({ name, version: version + 1, updated_at: new Date(), updated_by: by })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .where('version', '=', version)
      .returning('id')
      .executeTakeFirst(),
  remove: (db: AccountsDb, workspaceId: string, id: string) =>
    db.deleteFrom('teams').where('workspace_id', '=', workspaceId).where('id', '=', id).execute(),
  setMembers: async (db: AccountsDb, workspaceId: string, teamId: string, userIds: string[]) => {
    await db.deleteFrom('team_members').where('workspace_id', '=', workspaceId).where('team_id', '=', teamId).execute();
    if (userIds.length) {
      await db
        .insertInto('team_members')
        .values(userIds.map((user_id) => ({ workspace_id: workspaceId, team_id: teamId, user_id })))
        .execute();
    }
  },
  addMember: (db: AccountsDb, workspaceId: string, teamId: string, userId: string) =>
    db
      .insertInto('team_members')
      .values({ workspace_id: workspaceId, team_id: teamId, user_id: userId })
      .onConflict((oc) => oc.doNothing())
      .execute(),
  countUsers: async (db: AccountsDb, workspaceId: string, ids: string[]) =>
    ids.length === 0
      ? 0
      : Number(
          (
            await db
              .selectFrom('users')
              .select(sql<string>`count(*)`.as('n'))
              .where('workspace_id', '=', workspaceId)
              .where('id', 'in', ids)
              .executeTakeFirstOrThrow()
          ).n,
        ),
};

export interface SessionActorRow {
  workspace_id: string;
  id: string;
  user_id: string;
  csrf_token: string;
  remember: boolean;
  expires_at: Date;
  last_seen_at: Date;
  role: Role;
  locale: 'ja' | 'en' | null;
  settings: WorkspaceRow['settings'];
  team_ids: string[];
  teammate_ids: string[];
}

/**
 * A user's teams, and everyone who shares one of them (the user included): what team visibility covers. Carried on
 * the actor, so it is as fresh as the actor cache, which every team or membership change clears.
 */
export function teamsOfUser(workspaceId: string, userId: string) {
  const ws = sql.ref(workspaceId);
  const user = sql.ref(userId);
  return [
    sql<string[]>`coalesce((SELECT array_agg(tm.team_id) FROM team_members tm
      WHERE tm.workspace_id = ${ws} AND tm.user_id = ${user}), '{}')`.as('team_ids'),
    sql<string[]>`coalesce((SELECT array_agg(DISTINCT mate.user_id) FROM team_members tm
      JOIN team_members mate ON mate.workspace_id = tm.workspace_id AND mate.team_id = tm.team_id
      WHERE tm.workspace_id = ${ws} AND tm.user_id = ${user}), '{}')`.as('teammate_ids'),
  ] as const;
}

/** What the actor queries' joined user and workspace columns hold (the schema types them as plain text and JSON). */
export type ActorColumns = Pick<SessionActorRow, 'role' | 'locale' | 'settings'>;

export const sessionRepo = {
  insert: (
    db: AccountsDb,
    row: {
      workspace_id: string;
      id: string;
      user_id: string;
      token_hash: string;
      csrf_token: string;
      remember: boolean;
      expires_at: Date;
      ip: string | null;
      user_agent: string | null;
    },
  ) => db.insertInto('sessions').values(row).execute(),
  /** One round trip resolves a cookie to everything the request needs to know about its user. */
  findActor: (db: AccountsDb, tokenHash: string) =>
    db
      .selectFrom('sessions as s')
      .innerJoin('users as u', (j) => j.onRef('u.workspace_id', '=', 's.workspace_id').onRef('u.id', '=', 's.user_id'))
      .innerJoin('workspaces as w', 'w.id', 's.workspace_id')
      .select([
        's.workspace_id',
        's.id',
        's.user_id',
        's.csrf_token',
        's.remember',
        's.expires_at',
        's.last_seen_at',
        'u.role',
        'u.locale',
        'w.settings',
      ])
      .select(teamsOfUser('s.workspace_id', 's.user_id'))
      .where('s.token_hash', '=', tokenHash)
      .where('s.expires_at', '>', new Date())
      .where('u.status', '=', 'active')
      .$narrowType<ActorColumns>()
      .executeTakeFirst(),
  touch: (db: AccountsDb, workspaceId: string, id: string, expiresAt: Date) =>
    db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(), expires_at: expiresAt })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute(),
  remove: (db: AccountsDb, workspaceId: string, id: string) =>
    db.deleteFrom('sessions').where('workspace_id', '=', workspaceId).where('id', '=', id).execute(),
  removeForUser: (db: AccountsDb, workspaceId: string, userId: string, exceptId?: string) => {
    let q = db.deleteFrom('sessions').where('workspace_id', '=', workspaceId).where('user_id', '=', userId);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return q.execute();
  },
};

export interface ApiTokenRow {
  workspace_id: string;
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

export const tokenRepo = {
  insert: (db: AccountsDb, row: Omit<ApiTokenRow, 'last_used_at' | 'revoked_at' | 'created_at'> & { token_hash: string }) =>
    db.insertInto('api_tokens').values(row).execute(),
  listForUser: (db: AccountsDb, workspaceId: string, userId: string) =>
    db
      .selectFrom('api_tokens')
      .select(['workspace_id', 'id', 'user_id', 'name', 'prefix', 'scopes', 'expires_at', 'last_used_at', 'revoked_at', 'created_at'])
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute() as Promise<ApiTokenRow[]>,
  find: (db: AccountsDb, workspaceId: string, id: string) =>
    db
      .selectFrom('api_tokens')
      .select(['workspace_id', 'id', 'user_id', 'name', 'prefix', 'scopes', 'expires_at', 'last_used_at', 'revoked_at', 'created_at'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst() as Promise<ApiTokenRow | undefined>,
  revoke: (db: AccountsDb, workspaceId: string, id: string) =>
    db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute(),
  findActor: (db: AccountsDb, tokenHash: string) =>
    db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', (j) => j.onRef('u.workspace_id', '=', 't.workspace_id').onRef('u.id', '=', 't.user_id'))
      .innerJoin('workspaces as w', 'w.id', 't.workspace_id')
      .select(['t.workspace_id', 't.id', 't.user_id', 't.scopes', 't.last_used_at', 'u.role', 'u.locale', 'w.settings'])
      .select(teamsOfUser('t.workspace_id', 't.user_id'))
      .where('t.token_hash', '=', tokenHash)
      .where('t.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', new Date())]))
      .where('u.status', '=', 'active')
      .$narrowType<ActorColumns & { scopes: TokenScope[] }>()
      .executeTakeFirst(),
  touch: (db: AccountsDb, workspaceId: string, id: string) =>
    db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute(),
};

export interface InvitationRow {
  workspace_id: string;
  id: string;
  email: string;
  role: Role;
  team_id: string | null;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  created_by: string;
}

const invitationColumns = [
  'workspace_id',
  'id',
  'email',
  'role',
  'team_id',
  'expires_at',
  'accepted_at',
  'revoked_at',
  'created_at',
  'created_by',
] as const;

export const invitationRepo = {
  insert: (db: AccountsDb, row: Omit<InvitationRow, 'accepted_at' | 'revoked_at' | 'created_at'> & { token_hash: string }) =>
    db.insertInto('invitations').values(row).execute(),
  listPending: (db: AccountsDb, workspaceId: string) =>
    db
      .selectFrom('invitations')
      .select(invitationColumns)
      .where('workspace_id', '=', workspaceId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .orderBy('created_at', 'desc')
      .execute() as Promise<InvitationRow[]>,
  find: (db: AccountsDb, workspaceId: string, id: string) =>
    db
      .selectFrom('invitations')
      .select(invitationColumns)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst() as Promise<InvitationRow | undefined>,
  findUsable: (db: AccountsDb, tokenHash: string) =>
    db
      .selectFrom('invitations')
      .select(invitationColumns)
      .where('token_hash', '=', tokenHash)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirst() as Promise<InvitationRow | undefined>,
  markAccepted: (db: AccountsDb, workspaceId: string, id: string, userId: string) =>
    db
      .updateTable('invitations')
      .set({ accepted_at: new Date(), accepted_user_id: userId })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .returning('id')
      .executeTakeFirst(),
  revoke: (db: AccountsDb, workspaceId: string, id: string) =>
    db
      .updateTable('invitations')
      .set({ revoked_at: new Date() })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .execute(),
};
