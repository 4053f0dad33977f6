import type { Kysely } from 'kysely';
import { workspaceSettings } from '../../accounts/index.js';
import { activitiesDb } from '../activities.db.js';
import { findPreferences } from './tasks.repository.js';

/** The workspace's time zone (accounts' settings): the calendar days of due dates, digests and activity counts. */
export async function workspaceTimeZone<D>(db: Kysely<D>, workspaceId: string): Promise<string> {
  return (await workspaceSettings(db, workspaceId)).timeZone;
}

/** The user's own time zone, else the workspace's. */
export async function userTimeZone<D>(db: Kysely<D>, workspaceId: string, userId: string): Promise<string> {
  const own = (await findPreferences(activitiesDb(db), workspaceId, userId))?.time_zone;
  return own ?? workspaceTimeZone(db, workspaceId);
}
