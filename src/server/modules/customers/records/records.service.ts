import type { Kysely, Transaction } from 'kysely';
import { BULK_MAX, type BulkAction, type CompanyCreate, type PersonCreate } from '../../../../shared/contracts/customers.js';
import type { Filter, Sort } from '../../../../shared/filter.js';
import type { Actor } from '../../../platform/actor.js';
import { inTransaction } from '../../../platform/db/database.js';
import { recordChange } from '../../../platform/events/outbox.js';
import type { FieldCatalog } from '../../../platform/filter/compile.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import { teamInWorkspace, userInWorkspace } from '../../accounts/index.js';
import { checkCustomUsers, customCatalog, listCustomFields, validateCustom } from '../custom-fields.js';
import { type CustomersDb, customersDb } from '../customers.db.js';
import { companyKind } from './company.kind.js';
import { contactPoints } from './indexing.js';
import { personKind } from './person.kind.js';
import { type BaseFields, definedChanges, type RecordKind } from './record-kind.js';
import { jsonObject } from './records.presenter.js';
import {
  bulkUpdate,
  countRecords,
  findVisibleRecord,
  listRecords,
  lockBulkTargets,
  matchingIds,
  type RecordTable,
  replaceContactPoints,
  setDeleted,
  visibleIds,
} from './records.repository.js';

/**
 * People and companies have one create / read / update / trash / bulk path; what differs between them (columns,
 * references, linked names, employment history) is data in person.kind.ts and company.kind.ts. Each write runs in
 * one transaction with its audit row and outbox event.
 */

/** The kind's fields for filters and sorts: built-in ones and the workspace's custom fields. */
async function catalogFor(db: CustomersDb, workspaceId: string, kind: { entity: 'person' | 'company'; catalog: FieldCatalog }) {
  const defs = await listCustomFields(db, workspaceId, kind.entity);
  return { defs, catalog: { ...kind.catalog, ...customCatalog(defs) } };
}

export async function createRecord<
  T extends RecordTable,
  V extends { version: number },
  F extends BaseFields,
  C extends { owner_id: string | null },
>(kind: RecordKind<T, V, F, C>, options: { db: CustomersDb; actor: Actor; input: F & { ignoreDuplicates?: boolean } }): Promise<V> {
  const { actor, input } = options;
  const entity = kind.entity;
  kind.checkInput(input);
  return inTransaction(options.db, async (trx) => {
    await kind.checkRefs(trx, actor, input);
    const { defs } = await catalogFor(trx, actor.workspaceId, kind);
    const custom = validateCustom(defs, input.custom, null);
    await checkCustomUsers(trx, actor.workspaceId, defs, input.custom);
    const c = await kind.columns(trx, actor, input);
    if (!input.ignoreDuplicates) {
      const candidates = await kind.duplicates(trx, actor.workspaceId, c);
      if (candidates.length) throw new AppError('duplicate_suspected', { candidates });
    }
    const id = newId();
    const row = await kind.insert(trx, {
      ...c.columns,
      workspace_id: actor.workspaceId,
      id,
      custom: JSON.stringify(custom),
      owner_id: c.columns.owner_id ?? actor.userId,
      created_by: actor.userId,
      updated_by: actor.userId,
    });
    await replaceContactPoints(trx, actor.workspaceId, entity, id, contactPoints(actor.workspaceId, entity, id, c.emails, c.phones));
    await kind.afterWrite(trx, actor, row, null);
    const view = await kind.view(trx, actor.workspaceId, row);
    await recordChange(trx, actor, {
      audit: { action: `${entity}.created`, entityType: entity, entityId: id, after: view },
      event: { type: `${entity}.created`, entityType: entity, entityId: id, ownerId: row.owner_id, teamId: row.team_id },
    });
    return view;
  });
}

export async function getRecord<
  T extends RecordTable,
  V extends { version: number },
  F extends BaseFields,
  C extends { owner_id: string | null },
>(kind: RecordKind<T, V, F, C>, options: { db: CustomersDb; actor: Actor; id: string; includeDeleted?: boolean }): Promise<V> {
  const row = await findVisibleRecord(options.db, kind.table, options.actor, options.id, { includeDeleted: options.includeDeleted });
  if (!row) throw new AppError('not_found');
  return kind.view(options.db, options.actor.workspaceId, row);
}

/** Optimistic concurrency: a write based on an old version is refused with the current record, never merged silently. */
export async function updateRecord<
  T extends RecordTable,
  V extends { version: number },
  F extends BaseFields,
  C extends { owner_id: string | null },
>(
  kind: RecordKind<T, V, F, C>,
  options: { db: CustomersDb; actor: Actor; id: string; patch: Partial<F> & { version: number } },
): Promise<V> {
  const { actor, patch } = options;
  const entity = kind.entity;
  kind.checkInput(patch);
  return options.db.transaction().execute(async (trx) => {
    const before = await findVisibleRecord(trx, kind.table, actor, options.id, { forUpdate: true });
    if (!before) throw new AppError('not_found');
    const beforeView = await kind.view(trx, actor.workspaceId, before);
    if (before.version !== patch.version) throw new AppError('conflict', { current: beforeView });
    const changes = definedChanges<F>(patch);
    const merged = kind.edited(beforeView, changes);
    await kind.checkRefs(trx, actor, merged, before.id);
    const { defs } = await catalogFor(trx, actor.workspaceId, kind);
    const custom = validateCustom(defs, changes.custom, jsonObject(before.custom));
    await checkCustomUsers(trx, actor.workspaceId, defs, changes.custom);
    const c = await kind.columns(trx, actor, merged);
    const row = await kind.update(trx, actor.workspaceId, before.id, {
      ...c.columns,
      custom: JSON.stringify(custom),
      updated_by: actor.userId,
    });
    await replaceContactPoints(
      trx,
      actor.workspaceId,
      entity,
      before.id,
      contactPoints(actor.workspaceId, entity, before.id, c.emails, c.phones),
    );
    await kind.afterWrite(trx, actor, row, before);
    const after = await kind.view(trx, actor.workspaceId, row);
    await recordChange(trx, actor, {
      audit: { action: `${entity}.updated`, entityType: entity, entityId: before.id, before: beforeView, after },
      event: {
        type: `${entity}.updated`,
        entityType: entity,
        entityId: before.id,
        ownerId: row.owner_id,
        teamId: row.team_id,
        ...(kind.namesChangedFields ? { payload: { changed: changedKeys(beforeView, after) } } : {}),
      },
    });
    return after;
  });
}

function changedKeys(a: object, b: object) {
  const before = new Map(Object.entries(a));
  return Object.entries(b)
    .filter(([k, v]) => !['version', 'updatedAt', 'updatedBy'].includes(k) && JSON.stringify(before.get(k)) !== JSON.stringify(v))
    .map(([k]) => k);
}

export interface PageQuery {
  filter?: Filter;
  sort: Sort;
  cursor?: string;
  limit: number;
  trash?: boolean;
}

export async function listPage<
  T extends RecordTable,
  V extends { version: number },
  F extends BaseFields,
  C extends { owner_id: string | null },
>(kind: RecordKind<T, V, F, C>, options: { db: CustomersDb; actor: Actor } & PageQuery) {
  const { db, actor } = options;
  const { catalog } = await catalogFor(db, actor.workspaceId, kind);
  const { rows, nextCursor } = await listRecords(db, kind.table, actor, options, catalog);
  return { data: await kind.viewPage(db, actor.workspaceId, rows), nextCursor };
}

export async function countPage<
  T extends RecordTable,
  V extends { version: number },
  F extends BaseFields,
  C extends { owner_id: string | null },
>(kind: RecordKind<T, V, F, C>, options: { db: CustomersDb; actor: Actor; filter?: Filter; trash?: boolean }) {
  const { catalog } = await catalogFor(options.db, options.actor.workspaceId, kind);
  return countRecords(options.db, kind.table, options.actor, options, catalog);
}

type KindRef = { table: RecordTable; entity: 'person' | 'company'; catalog: FieldCatalog };

/** The records a bulk request names: its ids, or every match of its filter (refused above BULK_MAX). */
async function targetIds(
  trx: CustomersDb,
  kind: KindRef,
  actor: Actor,
  target: Pick<BulkAction, 'ids' | 'filter'>,
  catalog: FieldCatalog,
  trash = false,
) {
  if (target.ids) return visibleIds(trx, kind.table, actor, target.ids, catalog, trash);
  const ids = await matchingIds(trx, kind.table, actor, target.filter ?? { and: [] }, catalog, BULK_MAX + 1);
  if (ids.length > BULK_MAX)
    throw new AppError('validation_failed', { issues: [{ path: 'filter', code: 'too_many_records', max: BULK_MAX }] });
  return ids;
}

/** To the trash, or back (`restore`): each record gets its audit row and event. */
export async function trashRecords(
  kind: KindRef,
  options: { db: CustomersDb; actor: Actor; target: Pick<BulkAction, 'ids' | 'filter'>; restore?: boolean },
) {
  const { actor } = options;
  const entity = kind.entity;
  return options.db.transaction().execute(async (trx) => {
    const { catalog } = await catalogFor(trx, actor.workspaceId, kind);
    const ids = await targetIds(trx, kind, actor, options.target, catalog, !!options.restore);
    if (ids.length === 0) throw new AppError('not_found');
    const rows = await setDeleted(trx, kind.table, actor.workspaceId, ids, actor.userId, !options.restore);
    // A merged or erased record stays in the trash: bringing it back would revive a duplicate or an empty shell.
    if (options.restore && rows.length === 0) throw new AppError('not_found');
    const action = options.restore ? `${entity}.restored` : `${entity}.deleted`;
    for (const r of rows) {
      await recordChange(trx, actor, {
        audit: { action, entityType: entity, entityId: r.id },
        event: { type: action, entityType: entity, entityId: r.id, ownerId: r.owner_id, teamId: r.team_id },
      });
    }
    return rows.length;
  });
}

const bulkField = { assign: 'ownerId', set_team: 'teamId', tag: 'tags', untag: 'tags' } as const;
const bulkValue = (
  field: (typeof bulkField)[keyof typeof bulkField],
  row: { owner_id: string | null; team_id: string | null; tags: string[] },
) => (field === 'ownerId' ? row.owner_id : field === 'teamId' ? row.team_id : row.tags);

export async function bulkRecords(kind: KindRef, options: { db: CustomersDb; actor: Actor; action: BulkAction }) {
  const { actor, action } = options;
  const entity = kind.entity;
  if (action.action === 'delete') return trashRecords(kind, { ...options, target: action });
  return options.db.transaction().execute(async (trx) => {
    const db: CustomersDb = trx;
    if (action.action === 'assign' && action.ownerId && !(await userInWorkspace(db, actor.workspaceId, action.ownerId)))
      throw new AppError('validation_failed', { issues: [{ path: 'ownerId', code: 'not_found' }] });
    if (action.action === 'set_team' && action.teamId && !(await teamInWorkspace(db, actor.workspaceId, action.teamId)))
      throw new AppError('validation_failed', { issues: [{ path: 'teamId', code: 'not_found' }] });
    const { catalog } = await catalogFor(trx, actor.workspaceId, kind);
    const ids = await targetIds(trx, kind, actor, action, catalog);
    if (ids.length === 0) throw new AppError('not_found');
    const set =
      action.action === 'assign'
        ? { owner_id: action.ownerId }
        : action.action === 'set_team'
          ? { team_id: action.teamId }
          : action.action === 'tag'
            ? { addTags: action.tags }
            : { removeTags: action.tags };
    const before = new Map((await lockBulkTargets(trx, kind.table, actor.workspaceId, ids)).map((r) => [r.id, r]));
    const rows = await bulkUpdate(trx, kind.table, actor.workspaceId, ids, actor.userId, set);
    for (const r of rows) {
      // Before and after in the record's own field names, as a single-record update writes them: the timeline and
      // the history show "タグ: VIP を追加", not the bulk request's shape.
      const was = before.get(r.id);
      const field = bulkField[action.action];
      await recordChange(trx, actor, {
        audit: {
          action: `${entity}.bulk_${action.action}`,
          entityType: entity,
          entityId: r.id,
          before: { [field]: was ? bulkValue(field, was) : null },
          after: { [field]: bulkValue(field, r) },
        },
        event: { type: `${entity}.updated`, entityType: entity, entityId: r.id, ownerId: r.owner_id, teamId: r.team_id },
      });
    }
    return rows.length;
  });
}

/*
 * Thin names for other modules (index.ts): any module's handle or transaction, narrowed here once. A create joins
 * the caller's transaction when given one (a lead converts into a person and a company atomically).
 */
export const createPerson = <D>(o: { db: Kysely<D> | Transaction<D>; actor: Actor; input: PersonCreate }) =>
  createRecord(personKind, { ...o, db: customersDb(o.db) });
export const getPerson = <D>(o: { db: Kysely<D> | Transaction<D>; actor: Actor; personId: string; includeDeleted?: boolean }) =>
  getRecord(personKind, { db: customersDb(o.db), actor: o.actor, id: o.personId, includeDeleted: o.includeDeleted });
export const createCompany = <D>(o: { db: Kysely<D> | Transaction<D>; actor: Actor; input: CompanyCreate }) =>
  createRecord(companyKind, { ...o, db: customersDb(o.db) });
export const getCompany = <D>(o: { db: Kysely<D> | Transaction<D>; actor: Actor; companyId: string; includeDeleted?: boolean }) =>
  getRecord(companyKind, { db: customersDb(o.db), actor: o.actor, id: o.companyId, includeDeleted: o.includeDeleted });
