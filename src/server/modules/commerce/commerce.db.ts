import type { Kysely } from 'kysely';
import { type DbOf, type Table, type TxOf, tablesOf } from '../../platform/db/database.js';

/** The tables the commerce module owns: its repositories see these and no others (ARCHITECTURE: one owner per table). */
export const commerceTables = [
  'commerce_webhook_secrets',
  'company_metrics',
  'order_counters',
  'order_lines',
  'orders',
  'person_metrics',
  'product_pairs',
] as const satisfies readonly Table[];

export type CommerceTable = (typeof commerceTables)[number];
export type CommerceDb = DbOf<CommerceTable>;
export type CommerceTx = TxOf<CommerceTable>;

/** The module's view of a handle that came from outside (the server's connection, another module's transaction). */
export const commerceDb = <D>(db: Kysely<D>): CommerceDb => tablesOf<CommerceTable, D>(db);
