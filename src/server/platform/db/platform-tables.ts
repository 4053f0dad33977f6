import type { DbOf, Table, TxOf } from './database.js';

/** The platform's own tables: the audit trail and its chain, the event outbox, the migration ledger. */
export const platformTables = ['audit_chain_heads', 'audit_log', 'outbox', 'schema_migrations'] as const satisfies readonly Table[];

export type PlatformTable = (typeof platformTables)[number];
export type PlatformDb = DbOf<PlatformTable>;
export type PlatformTx = TxOf<PlatformTable>;
