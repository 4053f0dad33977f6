import { sql } from 'kysely';
import type { JsonObject } from '../../../platform/db/schema.js';
import { newId } from '../../../platform/ids.js';
import type { ActivitiesDb } from '../activities.db.js';

/** Params are a JSON object (what the bell's text is filled with). */
type Narrowed = { params: JsonObject };

export interface NewNotification {
  workspaceId: string;
  userId: string;
  kind: string;
  params: Record<string, unknown>;
  link: string | null;
  actorId: string | null;
  eventId: string;
}

/** Idempotent per (event, user): returns the users who got a new row. */
export async function insertNotifications(db: ActivitiesDb, rows: NewNotification[]): Promise<string[]> {
  if (!rows.length) return [];
  const inserted = await db
    .insertInto('notifications')
    .values(
      rows.map((r) => ({
        workspace_id: r.workspaceId,
        id: newId(),
        user_id: r.userId,
        kind: r.kind,
        params: JSON.stringify(r.params),
        link: r.link,
        actor_id: r.actorId,
        event_id: r.eventId,
      })),
    )
    .onConflict((oc) => oc.columns(['workspace_id', 'event_id', 'user_id']).doNothing())
    .returning('user_id')
    .execute();
  return inserted.map((r) => r.user_id);
}

/** A page of the user's own notifications, newest first (the actors' names come from accounts, in the service). */
export async function listNotifications(
  db: ActivitiesDb,
  q: { workspaceId: string; userId: string; unread: boolean; cursor: { at: Date; id: string } | null; limit: number },
) {
  let query = db
    .selectFrom('notifications as n')
    .select(['n.id', 'n.kind', 'n.params', 'n.link', 'n.actor_id', 'n.read_at', 'n.created_at'])
    .$narrowType<Narrowed>()
    .where('n.workspace_id', '=', q.workspaceId)
    .where('n.user_id', '=', q.userId);
  if (q.unread) query = query.where('n.read_at', 'is', null);
  if (q.cursor) query = query.where(sql<boolean>`(n.created_at, n.id) < (${q.cursor.at}, ${q.cursor.id}::uuid)`);
  return query
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id', 'desc')
    .limit(q.limit + 1)
    .execute();
}

export async function countUnread(db: ActivitiesDb, workspaceId: string, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Mark one (id given) or all of the user's unread notifications read; returns how many changed. */
export async function markRead(db: ActivitiesDb, workspaceId: string, userId: string, id?: string): Promise<number> {
  let query = db
    .updateTable('notifications')
    .set({ read_at: sql`now()` })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null);
  if (id) query = query.where('id', '=', id);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findNotification(db: ActivitiesDb, workspaceId: string, userId: string, id: string) {
  return db
    .selectFrom('notifications')
    .select(['id', 'kind', 'params', 'link', 'actor_id', 'read_at', 'created_at'])
    .$narrowType<Narrowed>()
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
}
