import { sql } from 'kysely';
import type { Actor } from '../../../platform/actor.js';
import type { JsonObject } from '../../../platform/db/schema.js';
import { newId } from '../../../platform/ids.js';
import type { ActivitiesDb } from '../activities.db.js';
import { whereEntryVisible, whereRollupVisible } from '../activities.policy.js';

export interface EntryRow {
  workspace_id: string;
  entity_type: string;
  entity_id: string;
  occurred_at: Date;
  kind: string;
  actor_id: string | null;
  source_type: string | null;
  source_id: string | null;
  event_id: string;
  is_primary: boolean;
  via_type: string | null;
  via_id: string | null;
  owner_id: string | null;
  team_id: string | null;
  /** What the entry shows (a JSON object), with the record's label and a roll-up's visibility keys. */
  summary: Record<string, unknown>;
}

/** Idempotent: an (event, record) pair is written once however often the event is delivered. */
export async function insertEntries(db: ActivitiesDb, rows: EntryRow[]): Promise<number> {
  if (!rows.length) return 0;
  const result = await db
    .insertInto('timeline_entries')
    .values(rows.map((r) => ({ ...r, id: newId(), summary: JSON.stringify(r.summary) })))
    .onConflict((oc) => oc.columns(['workspace_id', 'event_id', 'entity_type', 'entity_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** A record's own entries (not roll-ups), as the consumer writes them: to copy a history elsewhere. */
export async function entriesOf(db: ActivitiesDb, workspaceId: string, entityType: string, entityId: string) {
  const rows = await db
    .selectFrom('timeline_entries')
    .select(['workspace_id', 'occurred_at', 'kind', 'actor_id', 'source_type', 'source_id', 'event_id', 'summary'])
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .where('via_id', 'is', null)
    // The consumer writes an object there (EntryRow.summary).
    .$narrowType<{ summary: JsonObject }>()
    .execute();
  return rows;
}

export async function deleteBySource(db: ActivitiesDb, workspaceId: string, sourceType: string, sourceId: string) {
  await db
    .deleteFrom('timeline_entries')
    .where('workspace_id', '=', workspaceId)
    .where('source_type', '=', sourceType)
    .where('source_id', '=', sourceId)
    .execute();
}

/** Serialise the consumers' work on one source (transaction-scoped advisory lock). */
export async function lockSource(db: ActivitiesDb, workspaceId: string, sourceType: string, sourceId: string) {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${workspaceId}:${sourceType}:${sourceId}`}, 0))`.execute(db);
}

export async function sourceVersion(db: ActivitiesDb, workspaceId: string, sourceType: string, sourceId: string): Promise<number | null> {
  const row = await db
    .selectFrom('timeline_entries')
    .select(sql<number | null>`max((summary->>'version')::int)`.as('v'))
    .where('workspace_id', '=', workspaceId)
    .where('source_type', '=', sourceType)
    .where('source_id', '=', sourceId)
    .executeTakeFirst();
  return row?.v ?? null;
}

/** A record's entries and the roll-up copies made through it (erasure). */
export async function deleteForRecord(db: ActivitiesDb, workspaceId: string, entityType: string, entityId: string) {
  await db
    .deleteFrom('timeline_entries')
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb.and([eb('entity_type', '=', entityType), eb('entity_id', '=', entityId)]), eb('via_id', '=', entityId)]))
    .execute();
}

/** Merge: the merged record's history continues on the survivor. */
export async function moveRecord(db: ActivitiesDb, workspaceId: string, entityType: string, fromId: string, toId: string) {
  await sql`DELETE FROM timeline_entries t WHERE t.workspace_id = ${workspaceId} AND t.entity_type = ${entityType}
    AND t.entity_id = ${fromId} AND EXISTS (SELECT 1 FROM timeline_entries s WHERE s.workspace_id = t.workspace_id
    AND s.event_id = t.event_id AND s.entity_type = t.entity_type AND s.entity_id = ${toId})`.execute(db);
  await db
    .updateTable('timeline_entries')
    .set({ entity_id: toId })
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', fromId)
    .execute();
  await db
    .updateTable('timeline_entries')
    .set({ via_id: toId })
    .where('workspace_id', '=', workspaceId)
    .where('via_id', '=', fromId)
    .execute();
}

/** Keep the record's owner and team on its entries current (visibility in the feed). */
export async function updateOwnership(
  db: ActivitiesDb,
  workspaceId: string,
  entityType: string,
  entityId: string,
  ownerId: string | null,
  teamId: string | null,
) {
  await db
    .updateTable('timeline_entries')
    .set({ owner_id: ownerId, team_id: teamId })
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .where(sql<boolean>`(owner_id IS DISTINCT FROM ${ownerId}::uuid OR team_id IS DISTINCT FROM ${teamId}::uuid)`)
    .execute();
}

/** The roll-up copies made through a person follow the person's owner and team too. */
export async function updateViaOwnership(
  db: ActivitiesDb,
  workspaceId: string,
  viaId: string,
  ownerId: string | null,
  teamId: string | null,
) {
  await sql`UPDATE timeline_entries SET summary = summary || jsonb_build_object('viaOwnerId', ${ownerId}::uuid, 'viaTeamId', ${teamId}::uuid)
    WHERE workspace_id = ${workspaceId} AND via_id = ${viaId}
      AND (summary->>'viaOwnerId' IS DISTINCT FROM ${ownerId}::text OR summary->>'viaTeamId' IS DISTINCT FROM ${teamId}::text)`.execute(db);
}

export interface Cursor {
  at: Date;
  id: string;
}

export function encodeCursor(row: { occurred_at: Date; id: string }): string {
  return Buffer.from(`${new Date(row.occurred_at).toISOString()}|${row.id}`).toString('base64url');
}

export function decodeCursor(raw: string | undefined): Cursor | null | 'bad' {
  if (!raw) return null;
  const [at, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  const date = at ? new Date(at) : null;
  if (!date || Number.isNaN(date.getTime()) || !id || !/^[0-9a-f-]{36}$/i.test(id)) return 'bad';
  return { at: date, id };
}

const columns = [
  't.id',
  't.entity_type',
  't.entity_id',
  't.occurred_at',
  't.kind',
  't.actor_id',
  't.source_type',
  't.source_id',
  't.via_type',
  't.via_id',
  't.summary',
] as const;

export async function listEntries(
  db: ActivitiesDb,
  q: {
    actor: Actor;
    workspaceId: string;
    entityType: string;
    entityId: string;
    kinds?: string[];
    actorId?: string;
    cursor: Cursor | null;
    limit: number;
  },
) {
  let query = db
    .selectFrom('timeline_entries as t')
    .select(columns)
    .$narrowType<{ summary: JsonObject }>()
    .where('t.workspace_id', '=', q.workspaceId)
    .where('t.entity_type', '=', q.entityType)
    .where('t.entity_id', '=', q.entityId);
  if (q.kinds?.length === 1) query = query.where('t.kind', '=', q.kinds[0] as string);
  if (q.kinds && q.kinds.length > 1) {
    // One index range per kind, merged by the outer ORDER BY: several kinds never scan the record's other entries.
    const ranges = q.kinds.map(
      (kind) => sql`(SELECT k.id FROM timeline_entries k WHERE k.workspace_id = ${q.workspaceId} AND k.entity_type = ${q.entityType}
        AND k.entity_id = ${q.entityId} AND k.kind = ${kind}
        ${q.actorId ? sql`AND k.actor_id = ${q.actorId}` : sql``}
        ${q.cursor ? sql`AND (k.occurred_at, k.id) < (${q.cursor.at}, ${q.cursor.id}::uuid)` : sql``}
        ORDER BY k.occurred_at DESC, k.id DESC LIMIT ${q.limit + 1})`,
    );
    query = query.where(sql<boolean>`t.id IN (${sql.join(ranges, sql` UNION ALL `)})`);
  }
  if (q.actorId) query = query.where('t.actor_id', '=', q.actorId);
  if (q.cursor) {
    const c = q.cursor;
    query = query.where(sql<boolean>`(t.occurred_at, t.id) < (${c.at}, ${c.id}::uuid)`);
  }
  query = whereRollupVisible(query, q.actor);
  return query
    .orderBy('t.occurred_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(q.limit + 1)
    .execute();
}

/** The team feed: each event once (its primary entry), only on records the actor may see. */
export async function listFeed(
  db: ActivitiesDb,
  q: { actor: Actor; kinds?: string[]; actorId?: string; cursor: Cursor | null; limit: number },
) {
  let query = db
    .selectFrom('timeline_entries as t')
    .select(columns)
    .$narrowType<{ summary: JsonObject }>()
    .where('t.workspace_id', '=', q.actor.workspaceId)
    .where('t.is_primary', '=', true);
  query = whereEntryVisible(query, q.actor);
  if (q.kinds?.length) query = query.where('t.kind', 'in', q.kinds);
  if (q.actorId) query = query.where('t.actor_id', '=', q.actorId);
  if (q.cursor) {
    const c = q.cursor;
    query = query.where(sql<boolean>`(t.occurred_at, t.id) < (${c.at}, ${c.id}::uuid)`);
  }
  return query
    .orderBy('t.occurred_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(q.limit + 1)
    .execute();
}
