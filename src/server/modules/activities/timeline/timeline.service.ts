import type { Actor } from '../../../platform/actor.js';
import type { Db } from '../../../platform/db/database.js';
import { AppError } from '../../../platform/http/errors.js';
import { findRecord } from './timeline.records.js';
import * as repo from './timeline.repository.js';

type EntryRow = Awaited<ReturnType<typeof repo.listEntries>>[number];

/** The summary as callers see it: the roll-up's visibility keys stay inside. */
function publicSummary(summary: unknown): Record<string, unknown> {
  const { viaOwnerId: _o, viaTeamId: _t, ...rest } = (summary ?? {}) as Record<string, unknown>;
  return rest;
}

function present(r: EntryRow) {
  return {
    id: r.id as string,
    entityType: r.entity_type as string,
    entityId: r.entity_id as string,
    occurredAt: new Date(r.occurred_at).toISOString(),
    kind: r.kind as string,
    actorId: r.actor_id as string | null,
    actorName: (r.actor_name as string | null) ?? null,
    sourceType: r.source_type as string | null,
    sourceId: r.source_id as string | null,
    via: r.via_type && r.via_id ? { entityType: r.via_type as string, entityId: r.via_id as string } : null,
    summary: publicSummary(r.summary),
  };
}

function cursorOf(raw: string | undefined) {
  const cursor = repo.decodeCursor(raw);
  if (cursor === 'bad') throw new AppError('validation_failed', { issues: [{ path: 'cursor', code: 'invalid' }] });
  return cursor;
}

function page<T>(rows: EntryRow[], limit: number, map: (r: EntryRow) => T) {
  const more = rows.length > limit;
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data: data.map(map), nextCursor: more && last ? repo.encodeCursor({ occurred_at: last.occurred_at, id: last.id }) : null };
}

/** A record's timeline, newest first; the record must be one the actor may see (else 404). */
export async function listTimeline(options: {
  db: Db;
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
  return page(rows, options.limit, present);
}

/** The team's activity across records the actor may see, newest first. */
export async function listFeed(options: { db: Db; actor: Actor; kinds?: string[]; actorId?: string; cursor?: string; limit: number }) {
  const cursor = cursorOf(options.cursor);
  const rows = await repo.listFeed(options.db, {
    actor: options.actor,
    kinds: options.kinds,
    actorId: options.actorId,
    cursor,
    limit: options.limit,
  });
  return page(rows, options.limit, (r) => {
    const entry = present(r);
    const label = entry.summary.recordLabel;
    return { ...entry, entityLabel: typeof label === 'string' ? label : null };
  });
}
