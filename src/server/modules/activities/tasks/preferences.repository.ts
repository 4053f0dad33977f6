import { type Selectable, sql, type Updateable } from 'kysely';
import type { NotificationPreferences } from '../../../platform/db/schema.js';
import type { ActivitiesDb } from '../activities.db.js';

/** The only SQL on notification_preferences outside the digest: each user's own settings and calendar token. */

export type PreferencesRow = Selectable<NotificationPreferences>;

export async function findPreferences(db: ActivitiesDb, workspaceId: string, userId: string) {
  return db
    .selectFrom('notification_preferences')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export type PreferencesSet = Omit<Updateable<NotificationPreferences>, 'workspace_id' | 'user_id' | 'version'>;

export async function upsertPreferences(
  db: ActivitiesDb,
  workspaceId: string,
  userId: string,
  set: PreferencesSet,
): Promise<PreferencesRow> {
  return db
    .insertInto('notification_preferences')
    .values({ workspace_id: workspaceId, user_id: userId, ...set })
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'user_id'])
        .doUpdateSet({ ...set, version: sql`notification_preferences.version + 1`, updated_at: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findByCalendarToken(db: ActivitiesDb, tokenHash: string) {
  return db
    .selectFrom('notification_preferences')
    .select(['workspace_id', 'user_id', 'calendar_token_hash', 'time_zone'])
    .where('calendar_token_hash', '=', tokenHash)
    .executeTakeFirst();
}
