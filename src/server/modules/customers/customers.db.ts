import type { Kysely } from 'kysely';
import { type DbOf, type Table, type TxOf, tablesOf } from '../../platform/db/database.js';

/** The tables the customers module owns: its repositories see these and no others (ARCHITECTURE: one owner per table). */
export const customersTables = [
  'companies',
  'people',
  'consents',
  'contact_points',
  'custom_field_defs',
  'departments',
  'duplicate_pairs',
  'duplicate_scans',
  'employments',
  'import_mappings',
  'person_purposes',
  'privacy_requests',
  'saved_views',
] as const satisfies readonly Table[];

export type CustomersTable = (typeof customersTables)[number];
export type CustomersDb = DbOf<CustomersTable>;
export type CustomersTx = TxOf<CustomersTable>;

/** The module's view of a handle that came from outside (the server's connection, another module's transaction). */
export const customersDb = <D>(db: Kysely<D>): CustomersDb => tablesOf<CustomersTable, D>(db);
