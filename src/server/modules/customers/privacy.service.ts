import type { Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import { auditOfEntities, scrubAuditValues } from '../../platform/audit.js';
import { platformDb } from '../../platform/db/platform-tables.js';
import type { Consents } from '../../platform/db/schema.js';
import { recordChange } from '../../platform/events/outbox.js';
import { decodeCursor, encodeCursor } from '../../platform/filter/compile.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { listCustomFields } from './custom-fields.js';
import type { CustomersDb } from './customers.db.js';
import * as repo from './privacy.repository.js';
import { deletePairsOf } from './records/duplicates.repository.js';
import { companyNames } from './records/people.repository.js';
import { jsonObject, presentPerson } from './records/records.presenter.js';
import { findVisibleRecord, type PersonRow } from './records/records.repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Pages are newest first by id (UUID v7 is time-ordered); the cursor is the last id seen. */
function cursorId(cursor: string): string {
  const [id] = decodeCursor(cursor);
  if (typeof id !== 'string' || !UUID.test(id)) throw new AppError('validation_failed', { issues: [{ path: 'cursor', code: 'invalid' }] });
  return id;
}

/**
 * APPI (個人情報保護法) requests about one person: disclosure as JSON, erasure, and the log of requests.
 *
 * Other modules hold personal data too (activities, deals, tickets, …). The customers module cannot
 * know their tables, and platform code may not import modules, so each module registers a provider
 * here (through customers' index.ts) and the export includes what it returns under `modules.<name>`.
 * For erasure, modules subscribe to the `person.erased` event and erase their own rows.
 */
export interface PersonalDataContext {
  /** The export's transaction, seen as customers' handle: a provider reads its own tables through its own view of it. */
  db: CustomersDb;
  workspaceId: string;
  /** The person asked about. */
  personId: string;
  /** That person and every record merged into it (one human, several rows). */
  personIds: string[];
}
export type PersonalDataProvider = (ctx: PersonalDataContext) => Promise<unknown>;

const providers = new Map<string, PersonalDataProvider>();

/** Called once at start by a module (e.g. in its plugin): registering a name again replaces the provider. */
export function registerPersonalDataProvider(name: string, provider: PersonalDataProvider): void {
  if (!/^[a-z][a-z0-9_-]{0,39}$/.test(name)) throw new Error(`invalid personal data provider name: ${name}`);
  providers.set(name, provider);
}

export function unregisterPersonalDataProvider(name: string): void {
  providers.delete(name);
}

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

/** The person as the actor may see them (trash and erased included), with the whole merge family. */
async function personFor(db: CustomersDb, actor: Actor, personId: string) {
  const row = await findVisibleRecord(db, 'people', actor, personId, { includeDeleted: true });
  if (!row) throw new AppError('not_found');
  return { row, family: await repo.personFamily(db, actor.workspaceId, personId) };
}

const isoOf = (d: Date) => new Date(d).toISOString();
/** A transaction as a plain handle (what the platform's table views take). */
const handle = (trx: CustomersDb): CustomersDb => trx;

function presentConsent(r: Selectable<Consents>) {
  return {
    id: r.id,
    personId: r.person_id,
    channel: r.channel,
    status: r.status,
    method: r.method,
    purpose: r.purpose,
    wording: r.wording,
    source: r.source,
    recordedAt: isoOf(r.recorded_at),
    recordedBy: r.recorded_by,
  };
}

function presentPurpose(r: repo.PurposeRow) {
  return {
    id: r.id,
    personId: r.person_id,
    purpose: r.purpose,
    // The table's CHECK holds the status to these values.
    status: r.status as 'agreed' | 'notified' | 'withdrawn',
    method: r.method,
    wording: r.wording,
    recordedAt: isoOf(r.recorded_at),
    recordedBy: r.recorded_by,
  };
}

function presentRequest(r: repo.RequestRow) {
  return {
    id: r.id,
    // The table's CHECK holds the kind to these values.
    kind: r.kind as 'export' | 'erasure' | 'correction',
    personId: r.person_id,
    requestedAt: isoOf(r.requested_at),
    completedAt: iso(r.completed_at),
    handledBy: r.handled_by,
    reference: r.reference,
    reason: r.reason,
    createdAt: isoOf(r.created_at),
  };
}

/** Everything we hold about the person, as JSON; the export itself is logged and audited. */
export async function exportPersonalData(options: { db: CustomersDb; actor: Actor; personId: string; reference?: string | null }) {
  const { actor } = options;
  return options.db.transaction().execute(async (trx) => {
    const { row, family } = await personFor(trx, actor, options.personId);
    const ids = family.ids;
    const people = await repo.peopleByIds(trx, actor.workspaceId, ids);
    const names = await companyNames(
      trx,
      actor.workspaceId,
      people.map((p) => p.company_id).filter((x): x is string => !!x),
    );
    const view = (p: PersonRow) => ({
      ...presentPerson(p, p.company_id ? { id: p.company_id, name: names.get(p.company_id) ?? '' } : null),
      mergedInto: p.merged_into,
      erasedAt: iso(p.erased_at),
    });
    const defs = await listCustomFields(trx, actor.workspaceId, 'person', true);
    const [consents, purposes, employments, contactPoints, audit] = await Promise.all([
      repo.consentsOf(trx, actor.workspaceId, ids),
      repo.purposesOf(trx, actor.workspaceId, ids),
      repo.employmentsOf(trx, actor.workspaceId, ids),
      repo.contactPointsOf(trx, actor.workspaceId, ids),
      auditOfEntities(platformDb(handle(trx)), actor.workspaceId, 'person', ids),
    ]);
    const modules: Record<string, unknown> = {};
    for (const [name, provider] of providers) {
      modules[name] = await provider({ db: trx, workspaceId: actor.workspaceId, personId: row.id, personIds: ids });
    }
    const now = new Date();
    const request = await repo.insertRequest(trx, {
      workspace_id: actor.workspaceId,
      id: newId(),
      kind: 'export',
      person_id: row.id,
      requested_at: now,
      completed_at: now,
      handled_by: actor.userId,
      reference: options.reference ?? null,
    });
    await recordChange(trx, actor, {
      audit: {
        action: 'person.data_exported',
        entityType: 'person',
        entityId: row.id,
        after: { requestId: request.id, records: ids.length, modules: Object.keys(modules) },
      },
    });
    const self = people.find((p) => p.id === row.id) ?? row;
    return {
      exportedAt: now.toISOString(),
      requestId: request.id,
      person: view(self),
      mergedRecords: people.filter((p) => p.id !== row.id).map(view),
      customFields: defs
        .filter((d) => people.some((p) => jsonObject(p.custom)[d.key] !== undefined))
        .map((d) => ({ key: d.key, labelJa: d.labelJa, labelEn: d.labelEn, type: d.type })),
      contactPoints: contactPoints.map((c) => ({ kind: c.kind, value: c.value, personId: c.entity_id })),
      consents: consents.map(presentConsent),
      purposes: purposes.map(presentPurpose),
      employments: employments.map((e) => ({
        id: e.id,
        personId: e.person_id,
        companyId: e.company_id,
        departmentId: e.department_id,
        title: e.title,
        startedOn: e.started_on,
        endedOn: e.ended_on,
      })),
      history: audit.map((a) => ({
        id: a.id,
        personId: a.entity_id,
        action: a.action,
        actorId: a.actor_id,
        actorType: a.actor_type,
        before: a.before as unknown,
        after: a.after as unknown,
        createdAt: isoOf(a.created_at),
      })),
      modules,
    };
  });
}

/**
 * Irreversible erasure (利用停止・消去): personal columns overwritten, contact points and employment
 * history deleted, free text of consents removed, the audit trail's values scrubbed, the record in
 * the trash. What stays: the request (who, when, why, reference) and that the changes happened.
 */
export async function erasePerson(options: {
  db: CustomersDb;
  actor: Actor;
  personId: string;
  request: { reason: string; requestedAt: string; requestReference?: string | null };
}) {
  const { actor } = options;
  return options.db.transaction().execute(async (trx) => {
    const { row, family } = await personFor(trx, actor, options.personId);
    const ids = family.ids;
    const erased = await repo.erasePeople(trx, actor.workspaceId, ids, actor.userId);
    await repo.eraseRelated(trx, actor.workspaceId, ids);
    await deletePairsOf(trx, actor.workspaceId, 'person', ids);
    await scrubAuditValues(platformDb(handle(trx)), actor.workspaceId, 'person', ids);
    const request = await repo.insertRequest(trx, {
      workspace_id: actor.workspaceId,
      id: newId(),
      kind: 'erasure',
      person_id: row.id,
      requested_at: new Date(options.request.requestedAt),
      completed_at: new Date(),
      handled_by: actor.userId,
      reference: options.request.requestReference ?? null,
      reason: options.request.reason,
    });
    const presented = presentRequest(request);
    // Written after the scrub, so this row (which holds no personal value) stays as the record of the request.
    await recordChange(trx, actor, {
      audit: { action: 'person.erased', entityType: 'person', entityId: row.id, after: { request: presented, records: ids } },
      event: {
        type: 'person.erased',
        entityType: 'person',
        entityId: row.id,
        ownerId: row.owner_id,
        teamId: row.team_id,
        payload: { personIds: ids, requestId: request.id },
      },
    });
    return { request: presented, erasedRecords: erased.length };
  });
}

export async function listPurposes(options: { db: CustomersDb; actor: Actor; personId: string }) {
  const { actor } = options;
  const { family } = await personFor(options.db, actor, options.personId);
  const history = (await repo.purposesOf(options.db, actor.workspaceId, family.ids)).map(presentPurpose);
  history.sort((a, b) => (a.recordedAt < b.recordedAt ? 1 : a.recordedAt > b.recordedAt ? -1 : a.id < b.id ? 1 : -1));
  // The latest record of each purpose says where it stands.
  const latest = new Map<string, (typeof history)[number]>();
  for (const h of history) if (!latest.has(h.purpose)) latest.set(h.purpose, h);
  return {
    current: [...latest.values()]
      .filter((p) => p.status !== 'withdrawn')
      .map((p) => ({ purpose: p.purpose, status: p.status, since: p.recordedAt })),
    history,
  };
}

export async function recordPurpose(options: {
  db: CustomersDb;
  actor: Actor;
  personId: string;
  input: { purpose: string; status: 'agreed' | 'notified' | 'withdrawn'; method: string; wording?: string | null };
}) {
  const { actor, input } = options;
  return options.db.transaction().execute(async (trx) => {
    const row = await findVisibleRecord(trx, 'people', actor, options.personId);
    if (!row) throw new AppError('not_found');
    const saved = await repo.insertPurpose(trx, {
      workspace_id: actor.workspaceId,
      id: newId(),
      person_id: row.id,
      purpose: input.purpose,
      status: input.status,
      method: input.method,
      wording: input.wording ?? null,
      recorded_by: actor.userId,
    });
    const view = presentPurpose(saved);
    await recordChange(trx, actor, {
      audit: { action: `purpose.${input.status}`, entityType: 'person', entityId: row.id, after: view },
      event: {
        type: 'person.purpose_changed',
        entityType: 'person',
        entityId: row.id,
        ownerId: row.owner_id,
        teamId: row.team_id,
        payload: { purpose: input.purpose, status: input.status },
      },
    });
    return view;
  });
}

/** Log a correction request (the correction itself is an ordinary, audited edit of the record). */
export async function logCorrectionRequest(options: {
  db: CustomersDb;
  actor: Actor;
  input: { personId: string; requestedAt: string; completed: boolean; reference?: string | null; reason?: string | null };
}) {
  const { actor, input } = options;
  return options.db.transaction().execute(async (trx) => {
    const { row } = await personFor(trx, actor, input.personId);
    const request = await repo.insertRequest(trx, {
      workspace_id: actor.workspaceId,
      id: newId(),
      kind: 'correction',
      person_id: row.id,
      requested_at: new Date(input.requestedAt),
      completed_at: input.completed ? new Date() : null,
      handled_by: actor.userId,
      reference: input.reference ?? null,
      reason: input.reason ?? null,
    });
    const view = presentRequest(request);
    await recordChange(trx, actor, {
      audit: { action: 'privacy_request.logged', entityType: 'privacy_request', entityId: request.id, after: view },
    });
    return view;
  });
}

export async function listPrivacyRequests(options: {
  db: CustomersDb;
  actor: Actor;
  kind?: 'export' | 'erasure' | 'correction';
  personId?: string;
  cursor?: string;
  limit: number;
}) {
  const cursor = options.cursor ? cursorId(options.cursor) : undefined;
  const rows = await repo.listRequests(options.db, options.actor.workspaceId, { ...options, cursor });
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    data: page.map(presentRequest),
    nextCursor: rows.length > options.limit && last ? encodeCursor([last.id]) : null,
  };
}
