import type { Kysely, Transaction } from 'kysely';
import { type DbOf, type Table, type TxOf, tablesOf, txTablesOf } from '../../platform/db/database.js';

/** The tables the activities module owns: its repositories see these and no others (ARCHITECTURE: one owner per table). */
export const activitiesTables = [
  'activities',
  'activity_links',
  'attachment_parts',
  'attachments',
  'email_links',
  'email_messages',
  'email_templates',
  'mail_settings',
  'notification_preferences',
  'notifications',
  'task_links',
  'tasks',
  'timeline_entries',
] as const satisfies readonly Table[];

export type ActivitiesTable = (typeof activitiesTables)[number];
export type ActivitiesDb = DbOf<ActivitiesTable>;
export type ActivitiesTx = TxOf<ActivitiesTable>;

/** The module's view of a handle that came from outside (the server's connection, another module's transaction). */
export const activitiesDb = <D>(db: Kysely<D>): ActivitiesDb => tablesOf<ActivitiesTable, D>(db);
export const activitiesTx = <D>(trx: Transaction<D>): ActivitiesTx => txTablesOf<ActivitiesTable, D>(trx);
