import type { Kysely } from 'kysely';
import { type DbOf, type Table, type TxOf, tablesOf } from '../../platform/db/database.js';

/** The tables the sales module owns: its repositories see these and no others (ARCHITECTURE: one owner per table). */
export const salesTables = [
  'assignment_rules',
  'assignment_settings',
  'deal_line_items',
  'deal_stage_history',
  'deal_stage_totals',
  'deals',
  'lead_response_watch',
  'leads',
  'pipeline_stages',
  'pipelines',
  'products',
  'record_assignments',
  'sales_settings',
  'sales_targets',
] as const satisfies readonly Table[];

export type SalesTable = (typeof salesTables)[number];
export type SalesDb = DbOf<SalesTable>;
export type SalesTx = TxOf<SalesTable>;

/** The module's view of a handle that came from outside (the server's connection, another module's transaction). */
export const salesDb = <D>(db: Kysely<D>): SalesDb => tablesOf<SalesTable, D>(db);

/**
 * A transaction as a plain handle, for other modules' ports: they take `Kysely<D>`, and TypeScript cannot infer D from a
 * `Transaction` (which is a Kysely, so nothing is converted).
 */
export const handleOf = (trx: SalesTx): SalesDb => trx;
