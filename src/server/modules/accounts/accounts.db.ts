import type { Kysely } from 'kysely';
import { type DbOf, type Table, type TxOf, tablesOf } from '../../platform/db/database.js';

/** The tables the accounts module owns: its repositories see these and no others (ARCHITECTURE: one owner per table). */
export const accountsTables = [
  'api_tokens',
  'invitations',
  'known_devices',
  'login_challenges',
  'login_throttle',
  'recovery_codes',
  'sessions',
  'team_members',
  'teams',
  'users',
  'workspaces',
] as const satisfies readonly Table[];

export type AccountsTable = (typeof accountsTables)[number];
export type AccountsDb = DbOf<AccountsTable>;
export type AccountsTx = TxOf<AccountsTable>;

/** The module's view of a handle that came from outside (the server's connection, another module's transaction). */
export const accountsDb = <D>(db: Kysely<D>): AccountsDb => tablesOf<AccountsTable, D>(db);
