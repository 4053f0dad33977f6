import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Locale } from '../../../shared/errors.js';
import type { Role } from '../../../shared/permissions.js';
import type { Actor } from '../../platform/actor.js';
import { AppError } from '../../platform/http/errors.js';
import { accountsDb } from './accounts.db.js';
import { actorForUser } from './auth.service.js';

/**
 * What other modules may read of accounts (through index.ts): each port takes any handle, so it runs in the caller's
 * transaction, and sees the accounts tables only through accountsDb.
 */

export interface WorkspaceSettings {
  id: string;
  name: string;
  /** IANA zone the workspace's calendar days are counted in (Asia/Tokyo unless changed). */
  timeZone: string;
  locale: Locale;
  /** ISO 4217 code. */
  currency: string;
}

export async function workspaceSettings<D>(db: Kysely<D>, workspaceId: string): Promise<WorkspaceSettings> {
  const row = await accountsDb(db)
    .selectFrom('workspaces')
    .select(['id', 'name', 'time_zone', 'locale', 'currency'])
    .where('id', '=', workspaceId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found');
  return { id: row.id, name: row.name, timeZone: row.time_zone, locale: row.locale as Locale, currency: row.currency.trim() };
}

export interface UserSummary {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: 'active' | 'disabled';
  /** The user's own language; null follows the workspace's. */
  locale: Locale | null;
}

/** Users of the workspace among ids (disabled ones included: a stored reference still shows its name), by id. */
export async function userSummaries<D>(db: Kysely<D>, workspaceId: string, ids: readonly string[]): Promise<Map<string, UserSummary>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await accountsDb(db)
    .selectFrom('users')
    .select(['id', 'name', 'email', 'role', 'status', 'locale'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', unique)
    .$narrowType<{ role: Role; status: UserSummary['status']; locale: Locale | null }>()
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Display names of the workspace's users among ids, by id: what lists show for an owner, author or actor. */
export async function userNames<D>(db: Kysely<D>, workspaceId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await accountsDb(db)
    .selectFrom('users')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', unique)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The addresses among these (lower-cased) that belong to the workspace's users. */
export async function userEmailsAmong<D>(db: Kysely<D>, workspaceId: string, addresses: readonly string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const lower = sql<string>`lower(email)`;
  const rows = await accountsDb(db)
    .selectFrom('users')
    .select(lower.as('email'))
    .where('workspace_id', '=', workspaceId)
    .where(
      lower,
      'in',
      addresses.map((a) => a.toLowerCase()),
    )
    .execute();
  return new Set(rows.map((r) => r.email));
}

/** Membership checks for when a record names a user or team. */
export async function userInWorkspace<D>(db: Kysely<D>, workspaceId: string, userId: string): Promise<boolean> {
  const row = await accountsDb(db)
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', userId)
    .executeTakeFirst();
  return !!row;
}
export async function teamInWorkspace<D>(db: Kysely<D>, workspaceId: string, teamId: string): Promise<boolean> {
  const row = await accountsDb(db)
    .selectFrom('teams')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', teamId)
    .executeTakeFirst();
  return !!row;
}

/** Every user id of the workspace, disabled ones included: what a stored reference to a user may name. */
export async function userIdsOf<D>(db: Kysely<D>, workspaceId: string): Promise<Set<string>> {
  const rows = await accountsDb(db).selectFrom('users').select('id').where('workspace_id', '=', workspaceId).execute();
  return new Set(rows.map((r) => r.id));
}

/** Active (not disabled) users for other modules' routing decisions, in id order: of a team, among ids, or with roles. */
export async function findActiveUsers<D>(
  db: Kysely<D>,
  workspaceId: string,
  where: { teamId?: string; ids?: string[]; roles?: Role[] },
): Promise<{ id: string; name: string; role: Role }[]> {
  if (where.ids?.length === 0 || where.roles?.length === 0) return [];
  let q = accountsDb(db)
    .selectFrom('users as u')
    .select(['u.id', 'u.name', 'u.role'])
    .where('u.workspace_id', '=', workspaceId)
    .where('u.status', '=', 'active')
    .$narrowType<{ role: Role }>();
  const { teamId, ids, roles } = where;
  if (teamId)
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('team_members as tm')
          .select('tm.user_id')
          .whereRef('tm.workspace_id', '=', 'u.workspace_id')
          .whereRef('tm.user_id', '=', 'u.id')
          .where('tm.team_id', '=', teamId),
      ),
    );
  if (ids) q = q.where('u.id', 'in', ids);
  if (roles) q = q.where('u.role', 'in', roles);
  return q.orderBy('u.id').execute();
}

/** Another user as an actor (role, teams, teammates, visibility), to decide what they may see; null if not an active user here. */
export function userActor<D>(db: Kysely<D>, workspaceId: string, userId: string): Promise<Actor | null> {
  return actorForUser(accountsDb(db), workspaceId, userId);
}
