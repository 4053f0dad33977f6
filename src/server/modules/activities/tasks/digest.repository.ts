import { sql } from 'kysely';
import type { ActivitiesDb } from '../activities.db.js';
import type { TaskNarrowed, TaskRow } from './tasks.repository.js';

/** The SQL of the daily digest: whose digest is due, the claim of a day, the tasks it lists. */

/** The latest calendar day anywhere (UTC+14): a digest already sent on it is not due in any zone. */
const LATEST_ZONE = 'Etc/GMT-14';

/** Workspaces with a digest that may be due for a user who set no zone of their own: their zone decides. */
export async function workspacesDueByTheirZone(db: ActivitiesDb, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('notification_preferences')
    .select('workspace_id')
    .distinct()
    .where('digest_enabled', '=', true)
    .where('time_zone', 'is', null)
    .where((eb) =>
      eb.or([
        eb('last_digest_on', 'is', null),
        eb('last_digest_on', '<', sql<string>`(${now}::timestamptz AT TIME ZONE ${LATEST_ZONE})::date`),
      ]),
    )
    .execute();
  return rows.map((r) => r.workspace_id);
}

export interface DueDigest {
  workspace_id: string;
  user_id: string;
  local_day: string;
}

/**
 * Users whose digest hour has come in their zone (their own, else their workspace's, given in `zones`) and who have
 * not had today's. Served by notification_preferences_digest.
 */
export async function dueDigests(db: ActivitiesDb, now: Date, zones: Map<string, string>, limit: number): Promise<DueDigest[]> {
  const zone = sql`coalesce(p.time_zone, z.time_zone)`;
  const local = sql`(${now}::timestamptz AT TIME ZONE ${zone})`;
  const { rows } = await sql<DueDigest>`
    SELECT p.workspace_id, p.user_id, to_char(${local}, 'YYYY-MM-DD') AS local_day
    FROM notification_preferences p
    LEFT JOIN unnest(${[...zones.keys()]}::uuid[], ${[...zones.values()]}::text[]) AS z(workspace_id, time_zone)
      ON z.workspace_id = p.workspace_id
    WHERE p.digest_enabled AND ${zone} IS NOT NULL
      AND extract(hour FROM ${local}) >= p.digest_hour
      AND (p.last_digest_on IS NULL OR p.last_digest_on < ${local}::date)
    LIMIT ${limit}`.execute(db);
  return rows;
}

/** Claims the user's digest of a day: false when it was already sent (another run, another instance). */
export async function claimDigestDay(db: ActivitiesDb, workspaceId: string, userId: string, localDay: string): Promise<boolean> {
  const claimed = await db
    .updateTable('notification_preferences')
    .set({ last_digest_on: localDay })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('last_digest_on', 'is', null), eb('last_digest_on', '<', localDay)]))
    .returning('user_id')
    .executeTakeFirst();
  return Boolean(claimed);
}

/** A user's open tasks due before `to` (and from `from`), first due first: at most 50 in a digest. */
export async function openTasksDue(db: ActivitiesDb, workspaceId: string, userId: string, from: Date | null, to: Date): Promise<TaskRow[]> {
  let q = db
    .selectFrom('tasks')
    .selectAll()
    .$narrowType<TaskNarrowed>()
    .where('workspace_id', '=', workspaceId)
    .where('owner_id', '=', userId)
    .where('status', '=', 'open')
    .where('deleted_at', 'is', null)
    .where('due_at', '<', to);
  if (from) q = q.where('due_at', '>=', from);
  return q.orderBy('due_at').orderBy('id').limit(50).execute();
}
