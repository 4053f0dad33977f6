import type { Actor } from '../../../platform/actor.js';
import type { OutboxEvent } from '../../../platform/events/outbox.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { decodeCursor, encodeCursor } from '../../../platform/filter/compile.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import type { CustomersDb } from '../customers.db.js';
import { type DuplicateReason, findCompanyDuplicates, findPersonDuplicates } from './duplicates.js';
import type { EntityType, PairRow, ScanRow } from './duplicates.repository.js';
import * as repo from './duplicates.repository.js';
import type { StoredEmail, StoredPhone } from './indexing.js';
import { companyNames } from './people.repository.js';
import { type CompanyView, jsonList, type PersonView, presentCompany, presentPerson } from './records.presenter.js';
import { type CompanyRow, findRecord, findVisibleRecord, type PersonRow, recordFrom } from './records.repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Pages are newest first by id (UUID v7 is time-ordered); the cursor is the last id seen. */
function cursorId(cursor: string): string {
  const [id] = decodeCursor(cursor);
  if (typeof id !== 'string' || !UUID.test(id)) throw new AppError('validation_failed', { issues: [{ path: 'cursor', code: 'invalid' }] });
  return id;
}

/** Events after which one record is checked against the workspace. */
export const RECORD_EVENTS = ['person.created', 'person.updated', 'person.merged', 'company.created', 'company.updated', 'company.merged'];
/** Events that start a whole-workspace scan: an import finished, or an administrator asked for one. */
export const SCAN_EVENTS = ['import.completed', 'duplicates.scan_requested'];

/** Fields the duplicate keys come from: an update that changed none of them cannot make a new pair. */
const KEY_FIELDS = new Set([
  'familyName',
  'givenName',
  'familyNameKana',
  'givenNameKana',
  'emails',
  'phones',
  'companyId',
  'name',
  'corporateNumber',
]);

/** Subscriber: look for duplicates of the record an event is about; safe to run twice. */
export async function checkRecordForDuplicates(options: { db: CustomersDb; event: OutboxEvent }) {
  const { db, event } = options;
  if (!event.entityId) return 0;
  const entityType = event.entityType as EntityType;
  if (entityType !== 'person' && entityType !== 'company') return 0;
  const changed = event.payload.changed;
  if (Array.isArray(changed) && !changed.some((k) => KEY_FIELDS.has(String(k)))) return 0;
  const candidates = await candidatesOf(db, event.workspaceId, entityType, event.entityId);
  return candidates ? repo.upsertPairs(db, event.workspaceId, entityType, event.entityId, candidates) : 0;
}

/** The live record's likely duplicates, from its stored keys; undefined when it is gone. */
async function candidatesOf(db: CustomersDb, workspaceId: string, entityType: EntityType, id: string) {
  const contacts = (r: PersonRow | CompanyRow) => ({ emails: jsonList<StoredEmail>(r.emails), phones: jsonList<StoredPhone>(r.phones) });
  if (entityType === 'person') {
    const row = await findRecord(db, 'people', workspaceId, id);
    return row && findPersonDuplicates(db, workspaceId, { ...row, ...contacts(row) });
  }
  const row = await findRecord(db, 'companies', workspaceId, id);
  return row && findCompanyDuplicates(db, workspaceId, { ...row, ...contacts(row) });
}

/** Subscriber: run a whole-workspace scan, step by step, recording progress on the scan row. */
export async function runScanForEvent(options: { db: CustomersDb; event: OutboxEvent }) {
  const { db, event } = options;
  if (event.type === 'duplicates.scan_requested') {
    const scan = await repo.findScan(db, event.workspaceId, String(event.payload.scanId));
    if (!scan || scan.status === 'done') return;
    return runScan({ db, workspaceId: event.workspaceId, scanId: scan.id, entityType: scan.entity_type as EntityType });
  }
  // import.completed: scan the imported entity type (both when the import does not say).
  const types: EntityType[] =
    event.payload.entityType === 'person' || event.payload.entityType === 'company' ? [event.payload.entityType] : ['person', 'company'];
  for (const entityType of types) {
    const scan = await repo.insertScan(db, {
      workspace_id: event.workspaceId,
      id: newId(),
      entity_type: entityType,
      trigger: `import:${String(event.payload.importId ?? event.entityId ?? '')}`.slice(0, 100),
    });
    await runScan({ db, workspaceId: event.workspaceId, scanId: scan.id, entityType });
  }
}

export async function runScan(options: { db: CustomersDb; workspaceId: string; scanId: string; entityType: EntityType }) {
  const { db, workspaceId, scanId, entityType } = options;
  const steps = repo.scanSteps(workspaceId, entityType);
  await repo.updateScan(db, workspaceId, scanId, {
    status: 'running',
    started_at: new Date(),
    steps_total: steps.length,
    steps_done: 0,
    pairs_found: 0,
    error: null,
  });
  let found = 0;
  try {
    for (const [i, step] of steps.entries()) {
      found += await repo.runScanStep(db, workspaceId, entityType, step);
      await repo.updateScan(db, workspaceId, scanId, { steps_done: i + 1, pairs_found: found });
    }
    await repo.updateScan(db, workspaceId, scanId, { status: 'done', finished_at: new Date() });
  } catch (err) {
    await repo.updateScan(db, workspaceId, scanId, { status: 'failed', error: (err as Error).message.slice(0, 500) });
    throw err;
  }
}

function presentScan(r: ScanRow) {
  return {
    id: r.id,
    // The table's CHECKs hold these to the contract's values.
    entityType: r.entity_type as EntityType,
    status: r.status as 'queued' | 'running' | 'done' | 'failed',
    stepsTotal: r.steps_total,
    stepsDone: r.steps_done,
    pairsFound: r.pairs_found,
    trigger: r.trigger,
    error: r.error,
    createdAt: new Date(r.created_at).toISOString(),
    startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
  };
}

/** Queue a whole-workspace scan: the job starts once this transaction commits (outbox). */
export async function requestScan(options: { db: CustomersDb; actor: Actor; entityType: EntityType }) {
  const { actor, entityType } = options;
  return options.db.transaction().execute(async (trx) => {
    const scan = await repo.insertScan(trx, {
      workspace_id: actor.workspaceId,
      id: newId(),
      entity_type: entityType,
      requested_by: actor.userId,
    });
    await recordChange(trx, actor, {
      audit: { action: 'duplicates.scan_requested', entityType: 'duplicate_scan', entityId: scan.id, after: { entityType } },
      event: {
        type: 'duplicates.scan_requested',
        entityType: 'duplicate_scan',
        entityId: scan.id,
        payload: { scanId: scan.id, entityType },
      },
    });
    return presentScan(scan);
  });
}

export async function getScan(options: { db: CustomersDb; actor: Actor; scanId: string }) {
  const scan = await repo.findScan(options.db, options.actor.workspaceId, options.scanId);
  if (!scan) throw new AppError('not_found');
  return presentScan(scan);
}

function presentPair(
  r: Pick<PairRow, 'id' | 'entity_type' | 'a_id' | 'b_id' | 'reasons' | 'status' | 'created_at' | 'resolved_at' | 'resolved_by'>,
) {
  return {
    id: r.id,
    // The table's CHECKs hold these to the contract's values.
    entityType: r.entity_type as EntityType,
    aId: r.a_id,
    bId: r.b_id,
    reasons: r.reasons as DuplicateReason[],
    status: r.status as 'open' | 'merged' | 'dismissed',
    createdAt: new Date(r.created_at).toISOString(),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
    resolvedBy: r.resolved_by,
  };
}

type PairView = Omit<ReturnType<typeof presentPair>, 'entityType'> &
  ({ entityType: 'person'; a: PersonView; b: PersonView } | { entityType: 'company'; a: CompanyView; b: CompanyView });

/** The review queue: each pair with both records, side by side. */
export async function listDuplicates(options: {
  db: CustomersDb;
  actor: Actor;
  entityType: EntityType;
  status: 'open' | 'merged' | 'dismissed';
  /** only the pairs this record is part of */
  recordId?: string;
  cursor?: string;
  limit: number;
}) {
  const { db, actor } = options;
  const cursor = options.cursor ? cursorId(options.cursor) : undefined;
  const rows = await repo.listPairs(db, actor, { ...options, cursor });
  const page = rows.slice(0, options.limit);
  const ids = [...new Set(page.flatMap((r) => [r.a_id, r.b_id]))];
  const byId = await pairRecords(db, actor.workspaceId, options.entityType, ids);
  const last = page.at(-1);
  return {
    data: page.map((r) => ({ ...presentPair(r), a: byId.get(r.a_id), b: byId.get(r.b_id) }) as PairView),
    nextCursor: rows.length > options.limit && last ? encodeCursor([last.id]) : null,
  };
}

/** The records of a page of pairs as the API shows them, by id (the names of their companies in one query). */
async function pairRecords(db: CustomersDb, workspaceId: string, entityType: EntityType, ids: string[]) {
  const rows = ids.length
    ? await db
        .selectFrom(recordFrom(repo.tableOf[entityType]))
        .selectAll('r')
        .where('r.workspace_id', '=', workspaceId)
        .where('r.id', 'in', ids)
        .execute()
    : [];
  if (entityType === 'person') {
    const people = rows as PersonRow[];
    const names = await companyNames(
      db,
      workspaceId,
      people.flatMap((r) => (r.company_id ? [r.company_id] : [])),
    );
    return new Map<string, PersonView | CompanyView>(
      people.map((r) => [r.id, presentPerson(r, r.company_id ? { id: r.company_id, name: names.get(r.company_id) ?? '' } : null)]),
    );
  }
  const companies = rows as CompanyRow[];
  const names = await companyNames(
    db,
    workspaceId,
    companies.flatMap((r) => (r.parent_id ? [r.parent_id] : [])),
  );
  return new Map<string, PersonView | CompanyView>(
    companies.map((r) => [r.id, presentCompany(r, r.parent_id ? { id: r.parent_id, name: names.get(r.parent_id) ?? '' } : null)]),
  );
}

/** Not the same customer after all: the pair leaves the queue and is not suggested again. */
export async function dismissDuplicate(options: { db: CustomersDb; actor: Actor; pairId: string }) {
  const { actor } = options;
  return options.db.transaction().execute(async (trx) => {
    const pair = await repo.findPair(trx, actor.workspaceId, options.pairId, true);
    if (!pair) throw new AppError('not_found');
    const table = repo.tableOf[pair.entity_type as EntityType];
    for (const id of [pair.a_id, pair.b_id]) {
      if (!(await findVisibleRecord(trx, table, actor, id, { includeDeleted: true }))) throw new AppError('not_found');
    }
    if (pair.status !== 'open') throw new AppError('conflict', { current: presentPair(pair) });
    const row = await repo.resolvePair(trx, actor.workspaceId, pair.id, 'dismissed', actor.userId);
    const view = presentPair(row);
    await recordChange(trx, actor, {
      audit: { action: 'duplicate.dismissed', entityType: 'duplicate_pair', entityId: pair.id, before: presentPair(pair), after: view },
      event: { type: 'duplicate.dismissed', entityType: 'duplicate_pair', entityId: pair.id, payload: { entityType: pair.entity_type } },
    });
    return view;
  });
}
