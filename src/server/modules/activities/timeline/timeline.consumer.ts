import type { FastifyBaseLogger } from 'fastify';
import { type TimelinePayload, timelinePayload } from '../../../../shared/contracts/activities.js';
import { systemActor } from '../../../platform/actor.js';
import { listAudit } from '../../../platform/audit.js';
import type { Config } from '../../../platform/config.js';
import { platformDb } from '../../../platform/db/platform-tables.js';
import { emitEvent, type OutboxEvent } from '../../../platform/events/outbox.js';
import type { ActivitiesDb, ActivitiesTx } from '../activities.db.js';
import { eraseActivitiesOf } from './activities.privacy.js';
import { moveLinks } from './activities.repository.js';
import { removeFiles } from './attachments.js';
import { type RecordInfo, recordCache } from './timeline.records.js';
import * as repo from './timeline.repository.js';

/** Events the consumers themselves emit: never turned into entries. */
export const DERIVED_EVENT_PREFIXES = ['timeline.', 'notification.'];

const customerEntities = new Set(['person', 'company']);
/** Field values kept in a change entry are cut to this length, lists and objects to this many items. */
const MAX_VALUE = 200;
const MAX_ITEMS = 30;
// companyId and parentId change with `company` and `parent`, which carry the name the reader wants.
const IGNORED_FIELDS = new Set([
  'version',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
  'deletedAt',
  'deletedBy',
  'displayName',
  'companyId',
  'parentId',
]);

type Lookup = ReturnType<typeof recordCache>;

/**
 * Builds timeline entries from outbox events (subscribed to every event type):
 * customers' record events become `change` entries; any event carrying `payload.timeline` becomes one
 * entry per linked record. A person's entries are also written on their current company (roll-up).
 * Idempotent: entries are unique per (event, record), so a redelivered event writes nothing new.
 */
export function makeTimelineConsumer(db: ActivitiesDb, options: { log?: FastifyBaseLogger; config?: Pick<Config, 'attachments'> } = {}) {
  const { log } = options;
  return async function handle(event: OutboxEvent): Promise<void> {
    if (DERIVED_EVENT_PREFIXES.some((p) => event.type.startsWith(p))) return;
    const raw = event.payload?.timeline;
    if (raw !== undefined) {
      const parsed = timelinePayload.safeParse(raw);
      if (!parsed.success) {
        // A malformed payload will not get better on retry: skip it, loudly.
        log?.warn({ module: 'timeline', type: event.type, eventId: event.eventId, issues: parsed.error.issues }, 'bad timeline payload');
        return;
      }
      await applyTimelinePayload(db, event, parsed.data);
      if (event.type === 'lead.converted') await followConvertedLead(db, event);
      return;
    }
    if (customerEntities.has(event.entityType) && event.entityId) await applyRecordEvent(db, event, options.config);
  };
}

async function applyTimelinePayload(db: ActivitiesDb, event: OutboxEvent, tl: ReturnType<typeof timelinePayload.parse>) {
  const ws = event.workspaceId;
  const lookup = recordCache(db, ws);
  const rows: repo.EntryRow[] = [];
  if (tl.mode !== 'remove') {
    const occurredAt = tl.occurredAt && !Number.isNaN(Date.parse(tl.occurredAt)) ? new Date(tl.occurredAt) : new Date(event.createdAt);
    const base = {
      workspace_id: ws,
      occurred_at: occurredAt,
      kind: tl.kind,
      actor_id: tl.actorId === undefined ? event.actorId : tl.actorId,
      source_type: tl.sourceType ?? event.entityType,
      source_id: tl.sourceId ?? event.entityId,
      event_id: event.eventId,
    };
    const linked = new Set(tl.links.map((l) => `${l.entityType}:${l.entityId}`));
    let primary = true;
    for (const link of tl.links) {
      const info: RecordInfo | null = customerEntities.has(link.entityType)
        ? await lookup(link.entityType, link.entityId)
        : {
            entityType: link.entityType,
            entityId: link.entityId,
            label: link.label ?? null,
            ownerId: link.ownerId ?? null,
            teamId: link.teamId ?? null,
            companyId: null,
          };
      if (!info) continue;
      rows.push(entry(base, info, primary, tl.summary, null));
      primary = false;
      if (info.companyId && !linked.has(`company:${info.companyId}`)) {
        const company = await lookup('company', info.companyId);
        if (company) {
          rows.push(entry(base, company, false, tl.summary, info));
          linked.add(`company:${info.companyId}`);
        }
      }
    }
  }
  await db.transaction().execute(async (trx) => {
    if (tl.sourceType && tl.sourceId) {
      // Events may arrive out of order (and on several instances): never let an older version overwrite a newer one.
      await repo.lockSource(trx, ws, tl.sourceType, tl.sourceId);
      const incoming = typeof tl.summary.version === 'number' ? tl.summary.version : null;
      const current = await repo.sourceVersion(trx, ws, tl.sourceType, tl.sourceId);
      // A summary with a version stands for the source's state (an activity, edited later): an older state
      // never overwrites a newer one, whatever the mode. Separate facts about one source (a task created, then
      // completed) carry no version and are all kept.
      if (incoming !== null && current !== null && current > incoming) return;
      if (tl.mode !== 'add') await repo.deleteBySource(trx, ws, tl.sourceType, tl.sourceId);
    }
    await repo.insertEntries(trx, rows);
    await announce(trx, ws, rows);
  });
}

function entry(
  base: Omit<repo.EntryRow, 'entity_type' | 'entity_id' | 'is_primary' | 'via_type' | 'via_id' | 'owner_id' | 'team_id' | 'summary'>,
  record: RecordInfo,
  primary: boolean,
  summary: Record<string, unknown>,
  via: RecordInfo | null,
): repo.EntryRow {
  return {
    ...base,
    entity_type: record.entityType,
    entity_id: record.entityId,
    is_primary: primary,
    via_type: via?.entityType ?? null,
    via_id: via?.entityId ?? null,
    owner_id: record.ownerId,
    team_id: record.teamId,
    // The label of the record as it was: the feed shows it without asking every module.
    // A roll-up copy is still the person's entry: it keeps the person's owner and team for visibility.
    summary: {
      ...summary,
      recordLabel: record.label,
      ...(via ? { viaLabel: via.label, viaOwnerId: via.ownerId, viaTeamId: via.teamId } : {}),
    },
  };
}

/** 取引開始: the lead's history continues on the new person (and their company, as a roll-up). */
async function followConvertedLead(db: ActivitiesDb, event: OutboxEvent) {
  const ws = event.workspaceId;
  const { leadId, personId } = event.payload as { leadId?: unknown; personId?: unknown };
  if (typeof leadId !== 'string' || typeof personId !== 'string') return;
  const lookup = recordCache(db, ws);
  const person = await lookup('person', personId);
  if (!person) return;
  const company = person.companyId ? await lookup('company', person.companyId) : null;
  await db.transaction().execute(async (trx) => {
    const history = await repo.entriesOf(trx, ws, 'lead', leadId);
    const rows: repo.EntryRow[] = [];
    for (const h of history) {
      const base = { ...h, is_primary: false };
      rows.push(entry(base, person, false, h.summary, null));
      if (company) rows.push(entry(base, company, false, h.summary, person));
    }
    await repo.insertEntries(trx, rows);
    await announce(trx, ws, rows);
  });
}

/** Tell open screens which timelines changed (realtime applies the record's visibility). */
async function announce(trx: ActivitiesTx, workspaceId: string, rows: repo.EntryRow[]) {
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.entity_id)) continue;
    seen.add(r.entity_id);
    await emitEvent(trx, systemActor(workspaceId), {
      type: 'timeline.added',
      entityType: 'timeline',
      entityId: r.entity_id,
      ownerId: r.owner_id,
      teamId: r.team_id,
      payload: { recordType: r.entity_type, kind: r.kind },
    });
  }
}

async function applyRecordEvent(db: ActivitiesDb, event: OutboxEvent, config?: Pick<Config, 'attachments'>) {
  const ws = event.workspaceId;
  const entityType = event.entityType;
  const entityId = event.entityId as string;
  const action = event.type.slice(entityType.length + 1);
  const payload = event.payload ?? {};

  if (action === 'erased') {
    const ids = new Set([entityId, ...((payload.personIds as string[] | undefined) ?? [])]);
    const files = await db.transaction().execute(async (trx) => {
      const keys: string[] = [];
      for (const id of ids) {
        await repo.deleteForRecord(trx, ws, entityType, id);
        // Activities about nobody else hold that person's data too.
        if (entityType === 'person') keys.push(...(await eraseActivitiesOf(trx, ws, id)));
      }
      return keys;
    });
    if (config) await removeFiles(config, files);
    return;
  }
  if (action === 'deleted' && typeof payload.mergedInto === 'string') {
    const survivor = payload.mergedInto;
    await db.transaction().execute(async (trx) => {
      await repo.moveRecord(trx, ws, entityType, entityId, survivor);
      await moveLinks(trx, ws, entityType, entityId, survivor);
    });
  }

  const lookup: Lookup = recordCache(db, ws);
  const info = await lookup(entityType, entityId);
  if (!info) return;
  await repo.updateOwnership(db, ws, entityType, entityId, info.ownerId, info.teamId);
  await repo.updateViaOwnership(db, ws, entityId, info.ownerId, info.teamId);

  const summary: Record<string, unknown> = { action };
  if (action === 'updated') {
    const changes = await fieldChanges(db, event);
    if (changes.length) summary.changes = changes;
  } else if (action === 'consent_changed' || action === 'purpose_changed') {
    for (const k of ['channel', 'purpose', 'status']) if (payload[k] !== undefined) summary[k] = payload[k];
  } else if (action === 'merged') {
    summary.mergedId = payload.mergedId ?? null;
  } else if (typeof payload.mergedInto === 'string') {
    summary.mergedInto = payload.mergedInto;
  }
  const base = {
    workspace_id: ws,
    occurred_at: new Date(event.createdAt),
    kind: 'change',
    actor_id: event.actorId,
    source_type: entityType,
    source_id: entityId,
    event_id: event.eventId,
  };
  const rows = [entry(base, info, true, summary, null)];
  if (info.companyId) {
    const company = await lookup('company', info.companyId);
    if (company) rows.push(entry(base, company, false, summary, info));
  }
  await db.transaction().execute(async (trx) => {
    await repo.insertEntries(trx, rows);
    await announce(trx, ws, rows);
  });
}

/**
 * The audit row written in the event's transaction holds before/after: the fields that changed, with their values kept
 * as data (a list stays a list, a custom field is its own change), so the web shows them in the reader's language.
 */
async function fieldChanges(db: ActivitiesDb, event: OutboxEvent): Promise<FieldChange[]> {
  const at = new Date(event.createdAt);
  const rows = await listAudit(platformDb(db), {
    workspaceId: event.workspaceId,
    entityType: event.entityType,
    entityId: event.entityId as string,
    from: at,
    to: new Date(at.getTime() + 1),
    limit: 10,
  });
  const audit = rows.find((r) => r.before && r.after) ?? rows.find((r) => r.after);
  const named = Array.isArray(event.payload?.changed) ? (event.payload.changed as string[]) : null;
  if (!audit) return (named ?? []).map((field) => ({ field, before: null, after: null }));
  const before = (audit.before ?? {}) as Record<string, unknown>;
  const after = (audit.after ?? {}) as Record<string, unknown>;
  const fields = named ?? Object.keys(after).filter((k) => !same(before[k], after[k]));
  return fields
    .filter((f) => !IGNORED_FIELDS.has(f))
    .flatMap((field) =>
      field === 'custom' ? customChanges(before.custom, after.custom) : [{ field, before: before[field], after: after[field] }],
    )
    .slice(0, 40)
    .map((c) => ({ field: c.field, before: clip(c.before), after: clip(c.after) }));
}

interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** One change per custom field that differs, named `custom.<key>` (the web finds its label and type). */
function customChanges(before: unknown, after: unknown): FieldChange[] {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => !same(b[k], a[k]))
    .map((k) => ({ field: `custom.${k}`, before: b[k], after: a[k] }));
}

/** Values are kept as they are (strings, numbers, lists, small objects), cut to a bounded size. */
function clip(value: unknown, depth = 0): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value;
  if (depth >= 2) return null;
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => clip(v, depth + 1));
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .slice(0, MAX_ITEMS)
        .map(([k, v]) => [k, clip(v, depth + 1)]),
    );
  return null;
}

export type { TimelinePayload };
