import { userSummaries, workspaceSettings } from '../../accounts/index.js';
import type { ActivitiesDb } from '../activities.db.js';
import { findPreferences } from './preferences.repository.js';

/** The users and workspace settings tasks need (time zones, reminder recipients), read through accounts' ports. */

/** The workspace's time zone (accounts' settings): the calendar days of due dates, digests and activity counts. */
export async function workspaceTimeZone(db: ActivitiesDb, workspaceId: string): Promise<string> {
  return (await workspaceSettings(db, workspaceId)).timeZone;
}

/** The user's own time zone, else the workspace's. */
export async function userTimeZone(db: ActivitiesDb, workspaceId: string, userId: string): Promise<string> {
  const own = (await findPreferences(db, workspaceId, userId))?.time_zone;
  return own ?? workspaceTimeZone(db, workspaceId);
}

export interface Recipient {
  user_id: string;
  email: string;
  name: string;
  locale: 'ja' | 'en';
  status: string;
  time_zone: string;
  reminder_email: boolean;
}

/** Who a reminder or digest goes to: address, language and time zone (users' own settings, else the workspace's). */
export async function reminderRecipient(db: ActivitiesDb, workspaceId: string, userId: string): Promise<Recipient | undefined> {
  const user = (await userSummaries(db, workspaceId, [userId])).get(userId);
  if (!user) return undefined;
  const workspace = await workspaceSettings(db, workspaceId);
  const prefs = await findPreferences(db, workspaceId, userId);
  return {
    user_id: user.id,
    email: user.email,
    name: user.name,
    locale: user.locale ?? workspace.locale,
    status: user.status,
    time_zone: prefs?.time_zone ?? workspace.timeZone,
    reminder_email: prefs?.reminder_email ?? true,
  };
}
