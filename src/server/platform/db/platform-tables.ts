import type { Kysely } from 'kysely';
import { type DbOf, type Table, type TxOf, tablesOf } from './database.js';

/** The platform's own tables: the audit trail and its chain, the event outbox, the migration ledger, every import's job. */
export const platformTables = [
  'audit_chain_heads',
  'audit_log',
  'import_errors',
  'import_files',
  'import_jobs',
  'outbox',
  'schema_migrations',
] as const satisfies readonly Table[];

export type PlatformTable = (typeof platformTables)[number];
export type PlatformDb = DbOf<PlatformTable>;
export type PlatformTx = TxOf<PlatformTable>;

/** The platform's view of a handle that came from outside (the server's connection, a module's transaction). */
export const platformDb = <D>(db: Kysely<D>): PlatformDb => tablesOf<PlatformTable, D>(db);
