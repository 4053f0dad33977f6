import type { Actor } from '../../../platform/actor.js';
import { AppError } from '../../../platform/http/errors.js';
import { userNames } from '../../accounts/index.js';
import type { ActivitiesDb } from '../activities.db.js';
import { findRecord } from './timeline.records.js';
import * as repo from './timeline.repository.js';

type EntryRow = Awaited<ReturnType<typeof repo.listEntries>>[number];

/** The summary as callers see it: the roll-up's visibility keys stay inside. */
function publicSummary(summary: EntryRow['summary']): Record<string, unknown> {
  const { viaOwnerId: _o, viaTeamId: _t, ...rest } = summary;
  return rest;
}

function present(r: EntryRow, names: Map<string, string>) {
  return {
    id: r.id,
    entityType: r.entity_type,
    entityId: r.entity_id,
    occurredAt: new Date(r.occurred_at).toISOString(),
    kind: r.kind,
    actorId: r.actor_id,
    actorName: (r.actor_id && names.get(r.actor_id)) || null,
    sourceType: r.source_type,
    sourceId: r.source_id,
    via: r.via_type && r.via_id ? { entityType: r.via_type, entityId: r.via_id } : null,
    summary: publicSummary(r.summary),
  };
}

/** The actors' names of a page of entries, through accounts' port: one read per page. */
function actorNames(db: ActivitiesDb, workspaceId: string, rows: EntryRow[]) {
  return userNames(
    db,
    workspaceId,
    rows.flatMap((r) => (r.actor_id ? [r.actor_id] : [])),
  );
}

function cursorOf(raw: string | undefined) {
  const cursor = repo.decodeCursor(raw);
  if (cursor === 'bad') throw new AppError('validation_failed', { issues: [{ path: 'cursor', code: 'invalid' }] });
  return cursor;
}

async function page<T>(
  db: ActivitiesDb,
  actor: Actor,
  rows: EntryRow[],
  limit: number,
  map: (r: EntryRow, names: Map<string, string>) => T,
) {
  const more = rows.length > limit;
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  const names = await actorNames(db, actor.workspaceId, data);
  return {
    data: data.map((r) => map(r, names)),
    nextCursor: more && last ? repo.encodeCursor({ occurred_at: last.occurred_at, id: last.id }) : null,
  };
}

/** A record's timeline, newest first; the record must be one the actor may see (else 404). */
export async function listTimeline(options: {
  db: ActivitiesDb;
  actor: Actor;
  entityType: 'person' | 'company' | 'deal' | 'lead';
  entityId: string;
  kinds?: string[];
  actorId?: string;
  cursor?: string;
  limit: number;
}) {
  const { db, actor } = options;
  const cursor = cursorOf(options.cursor);
  if (!(await findRecord(db, actor, options.entityType, options.entityId))) throw new AppError('not_found');
  const rows = await repo.listEntries(db, {
    actor,
    workspaceId: actor.workspaceId,
    entityType: options.entityType,
    entityId: options.entityId,
    kinds: options.kinds,
    actorId: options.actorId,
    cursor,
    limit: options.limit,
  });
  return page(db, actor, rows, options.limit, present);
}

/** The team's activity across records the actor may see, newest first. */
export async function listFeed(options: {
  db: ActivitiesDb;
  actor: Actor;
  kinds?: string[];
  actorId?: string;
  cursor?: string;
  limit: number;
}) {
  const cursor = cursorOf(options.cursor);
  const rows = await repo.listFeed(options.db, {
    actor: options.actor,
    kinds: options.kinds,
    actorId: options.actorId,
    cursor,
    limit: options.limit,
  });
  return page(options.db, options.actor, rows, options.limit, (r, names) => {
    const entry = present(r, names);
    const label = entry.summary.recordLabel;
    return { ...entry, entityLabel: typeof label === 'string' ? label : null };
  });
}
