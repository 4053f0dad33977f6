import { type Insertable, type Selectable, sql } from 'kysely';
import type { Activities, ActivityLinks, JsonObject } from '../../../platform/db/schema.js';
import type { ActivitiesDb } from '../activities.db.js';

/** Details are a JSON object (a call's, a meeting's or a message's fields). */
type Narrowed = { details: JsonObject };
export type ActivityRow = Omit<Selectable<Activities>, 'details'> & Narrowed;
export type ActivityInsert = Omit<Insertable<Activities>, 'details' | 'updated_by'> & Narrowed;
export type LinkRow = Pick<Selectable<ActivityLinks>, 'entity_type' | 'entity_id'>;

export async function insertActivity(db: ActivitiesDb, row: ActivityInsert, links: LinkRow[]): Promise<ActivityRow> {
  const saved = await db
    .insertInto('activities')
    .values({ ...row, details: JSON.stringify(row.details), updated_by: row.created_by })
    .returningAll()
    .$narrowType<Narrowed>()
    .executeTakeFirstOrThrow();
  await db
    .insertInto('activity_links')
    .values(links.map((l) => ({ workspace_id: row.workspace_id, activity_id: row.id, ...l })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  return saved;
}

export async function findActivity(db: ActivitiesDb, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}) {
  let q = db
    .selectFrom('activities')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (options.forUpdate) q = q.forUpdate();
  return q.$narrowType<Narrowed>().executeTakeFirst();
}

export async function findLinks(db: ActivitiesDb, workspaceId: string, activityId: string): Promise<LinkRow[]> {
  return db
    .selectFrom('activity_links')
    .select(['entity_type', 'entity_id'])
    .where('workspace_id', '=', workspaceId)
    .where('activity_id', '=', activityId)
    .orderBy('entity_type', 'desc')
    .orderBy('entity_id')
    .execute();
}

export async function updateActivity(
  db: ActivitiesDb,
  workspaceId: string,
  id: string,
  version: number,
  set: Partial<Pick<ActivityRow, 'subject' | 'body' | 'occurred_at' | 'details'>> & { updated_by: string | null },
): Promise<ActivityRow | undefined> {
  return db
    .updateTable('activities')
    .set({
      ...set,
      ...(set.details ? { details: JSON.stringify(set.details) } : {}),
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('version', '=', version)
    .where('deleted_at', 'is', null)
    .returningAll()
    .$narrowType<Narrowed>()
    .executeTakeFirst();
}

export async function trashActivity(db: ActivitiesDb, workspaceId: string, id: string, actorId: string | null) {
  await db
    .updateTable('activities')
    .set({ deleted_at: sql`now()`, deleted_by: actorId, version: sql`version + 1`, updated_at: sql`now()`, updated_by: actorId })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

/** Erasure of a person: activities about nobody else go, the others lose the link. Returns the deleted ids. */
export async function eraseForPerson(db: ActivitiesDb, workspaceId: string, personId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`DELETE FROM activities a WHERE a.workspace_id = ${workspaceId}
    AND EXISTS (SELECT 1 FROM activity_links l WHERE l.workspace_id = a.workspace_id AND l.activity_id = a.id
      AND l.entity_type = 'person' AND l.entity_id = ${personId})
    AND NOT EXISTS (SELECT 1 FROM activity_links l WHERE l.workspace_id = a.workspace_id AND l.activity_id = a.id
      AND NOT (l.entity_type = 'person' AND l.entity_id = ${personId}))
    RETURNING a.id`.execute(db);
  await db
    .deleteFrom('activity_links')
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', 'person')
    .where('entity_id', '=', personId)
    .execute();
  return rows.map((r) => r.id);
}

/** Every activity about these people (APPI disclosure request), oldest first. */
export async function activitiesOfPeople(db: ActivitiesDb, workspaceId: string, personIds: string[]) {
  if (!personIds.length) return [];
  return db
    .selectFrom('activities as a')
    .selectAll('a')
    .$narrowType<Narrowed>()
    .where('a.workspace_id', '=', workspaceId)
    .where('a.deleted_at', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('activity_links as l')
          .select('l.activity_id')
          .whereRef('l.workspace_id', '=', 'a.workspace_id')
          .whereRef('l.activity_id', '=', 'a.id')
          .where('l.entity_type', '=', 'person')
          .where('l.entity_id', 'in', personIds),
      ),
    )
    .orderBy('a.occurred_at')
    .execute();
}

/** Merge: activities about the merged record are about the survivor now (a link already there is kept once). */
export async function moveLinks(db: ActivitiesDb, workspaceId: string, entityType: string, fromId: string, toId: string) {
  await sql`INSERT INTO activity_links (workspace_id, activity_id, entity_type, entity_id)
    SELECT workspace_id, activity_id, entity_type, ${toId}::uuid FROM activity_links
    WHERE workspace_id = ${workspaceId} AND entity_type = ${entityType} AND entity_id = ${fromId}
    ON CONFLICT DO NOTHING`.execute(db);
  await db
    .deleteFrom('activity_links')
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', fromId)
    .execute();
}
