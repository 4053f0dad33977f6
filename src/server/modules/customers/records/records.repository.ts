import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { Filter, Sort } from '../../../../shared/filter.js';
import type { Actor } from '../../../platform/actor.js';
import type { Companies, ContactPoints, DB, People } from '../../../platform/db/schema.js';
import { compileFilter, compileSort, decodeCursor, encodeCursor, type FieldCatalog } from '../../../platform/filter/compile.js';
import type { CustomersDb, CustomersTable } from '../customers.db.js';
import { visibleTo } from '../customers.policy.js';

/** SQL shared by people and companies: list pages, counts, trash, contact points. Only this module's tables. */
export type RecordTable = 'people' | 'companies';
export type EntityType = 'person' | 'company';
export const entityOf = { people: 'person', companies: 'company' } as const satisfies Record<RecordTable, EntityType>;
export const tableOf = { person: 'people', company: 'companies' } as const satisfies Record<EntityType, RecordTable>;

export type PersonRow = Selectable<People>;
export type CompanyRow = Selectable<Companies>;
export type RecordRow<T extends RecordTable> = T extends 'people' ? PersonRow : CompanyRow;

/** The columns people and companies both have (owner, team, trash, search text, version, …). */
type SharedColumns = { [K in keyof People & keyof Companies]: People[K] };
type EitherDb = Kysely<Omit<Pick<DB, CustomersTable>, RecordTable> & Record<RecordTable, SharedColumns>>;

/**
 * One of the two tables, aliased `r` and typed with the columns both have, so one query serves either table.
 * Such a query selects whole rows of the named table: its result is typed back with `$castTo<RecordRow<T>>()`.
 */
export const recordFrom = <A extends string = 'r'>(table: RecordTable, alias: A = 'r' as A) =>
  sql<SharedColumns>`${sql.table(table)}`.as(alias);

/** The handle on which either table reads as the shared columns: updates that serve both (trash, bulk changes). */
export const either = (db: CustomersDb) => db as unknown as EitherDb;

export interface ListQuery {
  filter?: Filter;
  sort: Sort;
  cursor?: string;
  limit: number;
  trash?: boolean;
  ids?: string[];
}

function base(db: CustomersDb, table: RecordTable, actor: Actor, q: Pick<ListQuery, 'filter' | 'trash' | 'ids'>, catalog: FieldCatalog) {
  let query = db
    .selectFrom(recordFrom(table))
    .where('r.workspace_id', '=', actor.workspaceId)
    .where('r.deleted_at', q.trash ? 'is not' : 'is', null)
    .where(compileFilter(q.filter, catalog, 'r'));
  if (q.ids) query = query.where('r.id', 'in', q.ids);
  return visibleTo(query, actor, 'r');
}

export async function listRecords<T extends RecordTable>(db: CustomersDb, table: T, actor: Actor, q: ListQuery, catalog: FieldCatalog) {
  const sort = compileSort(q.sort.length ? q.sort : [{ field: 'name', dir: 'asc' }], catalog, 'r');
  let query = base(db, table, actor, q, catalog)
    .selectAll('r')
    .select(sort.keys.map((k, i) => k.as(`_k${i}`)))
    .$castTo<RecordRow<T> & Record<`_k${number}`, unknown>>();
  if (q.cursor) query = query.where(sort.after(decodeCursor(q.cursor)));
  const rows = await query
    .orderBy(sort.orderBy)
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit) as RecordRow<T>[];
  const last = rows.at(q.limit - 1);
  const nextCursor = rows.length > q.limit && last ? encodeCursor(sort.keys.map((_, i) => last[`_k${i}`])) : null;
  return { rows: page, nextCursor };
}

export async function countRecords(
  db: CustomersDb,
  table: RecordTable,
  actor: Actor,
  q: Pick<ListQuery, 'filter' | 'trash'>,
  catalog: FieldCatalog,
) {
  const row = await base(db, table, actor, q, catalog).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function findRecord<T extends RecordTable>(
  db: CustomersDb,
  table: T,
  workspaceId: string,
  id: string,
  options: { includeDeleted?: boolean; forUpdate?: boolean } = {},
) {
  let q = db
    .selectFrom(recordFrom(table))
    .selectAll('r')
    .$castTo<RecordRow<T>>()
    .where('r.workspace_id', '=', workspaceId)
    .where('r.id', '=', id);
  if (!options.includeDeleted) q = q.where('r.deleted_at', 'is', null);
  if (options.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst() as Promise<RecordRow<T> | undefined>;
}

/** The record if the actor may see it (the visibility check is part of the query): the one-record form of a list. */
export function findVisibleRecord<T extends RecordTable>(
  db: CustomersDb,
  table: T,
  actor: Actor,
  id: string,
  options: { includeDeleted?: boolean; forUpdate?: boolean } = {},
) {
  let q = visibleTo(
    db.selectFrom(recordFrom(table)).selectAll('r').where('r.workspace_id', '=', actor.workspaceId).where('r.id', '=', id),
    actor,
    'r',
  ).$castTo<RecordRow<T>>();
  if (!options.includeDeleted) q = q.where('r.deleted_at', 'is', null);
  if (options.forUpdate) q = q.forUpdate('r');
  return q.executeTakeFirst() as Promise<RecordRow<T> | undefined>;
}

/** Visible ids among the given ones (bulk actions act only on what the actor may see). */
export async function visibleIds(db: CustomersDb, table: RecordTable, actor: Actor, ids: string[], catalog: FieldCatalog, trash = false) {
  const rows = await base(db, table, actor, { ids, trash }, catalog).select('r.id').execute();
  return rows.map((r) => r.id);
}

/** Visible live ids matching a filter, at most `limit` (bulk actions by filter). */
export async function matchingIds(db: CustomersDb, table: RecordTable, actor: Actor, filter: Filter, catalog: FieldCatalog, limit: number) {
  const rows = await base(db, table, actor, { filter }, catalog).select('r.id').orderBy('r.id').limit(limit).execute();
  return rows.map((r) => r.id);
}

export async function replaceContactPoints(
  db: CustomersDb,
  workspaceId: string,
  entityType: EntityType,
  entityId: string,
  rows: Insertable<ContactPoints>[],
) {
  await db
    .deleteFrom('contact_points')
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .execute();
  if (rows.length)
    await db
      .insertInto('contact_points')
      .values(rows)
      .onConflict((oc) => oc.doNothing())
      .execute();
}

/** Live records the actor may see having this normalised email or phone, at most `limit` (a caller's reverse lookup). */
export function visibleByContactPoint<T extends RecordTable>(
  db: CustomersDb,
  table: T,
  actor: Actor,
  point: { kind: 'email' | 'phone'; value: string },
  limit: number,
) {
  return visibleTo(
    db
      .selectFrom(recordFrom(table))
      .innerJoin('contact_points as cp', (j) =>
        j.onRef('cp.workspace_id', '=', 'r.workspace_id').onRef('cp.entity_id', '=', 'r.id').on('cp.entity_type', '=', entityOf[table]),
      )
      .selectAll('r')
      .where('cp.workspace_id', '=', actor.workspaceId)
      .where('cp.kind', '=', point.kind)
      .where('cp.value', '=', point.value)
      .where('r.deleted_at', 'is', null),
    actor,
    'r',
  )
    .$castTo<RecordRow<T>>()
    .orderBy('r.sort_key')
    .orderBy('r.id')
    .limit(limit)
    .execute();
}

/** Records sharing a normalised email or phone: duplicate checks. */
export async function findByContactPoints(db: CustomersDb, workspaceId: string, points: { kind: 'email' | 'phone'; value: string }[]) {
  if (!points.length) return [];
  return db
    .selectFrom('contact_points')
    .select(['kind', 'value', 'entity_type', 'entity_id'])
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or(points.map((p) => eb.and([eb('kind', '=', p.kind), eb('value', '=', p.value)]))))
    .limit(50)
    .execute();
}

export async function setDeleted(
  db: CustomersDb,
  table: RecordTable,
  workspaceId: string,
  ids: string[],
  actorId: string | null,
  deleted: boolean,
) {
  return either(db)
    .updateTable(table)
    .set({
      deleted_at: deleted ? new Date() : null,
      deleted_by: deleted ? actorId : null,
      version: sql`version + 1`,
      updated_at: new Date(),
      updated_by: actorId,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .where('deleted_at', deleted ? 'is' : 'is not', null)
    .$if(!deleted, (q) => q.where('merged_into', 'is', null))
    .$if(!deleted && table === 'people', (q) => q.where(sql<boolean>`erased_at IS NULL`))
    .returning(['id', 'owner_id', 'team_id'])
    .execute();
}

/** The values a bulk change may alter, locked until the transaction ends: the audit row keeps them as `before`. */
export async function lockBulkTargets(db: CustomersDb, table: RecordTable, workspaceId: string, ids: string[]) {
  return either(db)
    .selectFrom(table)
    .select(['id', 'owner_id', 'team_id', 'tags'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .execute();
}

export async function bulkUpdate(
  db: CustomersDb,
  table: RecordTable,
  workspaceId: string,
  ids: string[],
  actorId: string | null,
  set: { owner_id?: string | null; team_id?: string | null; addTags?: string[]; removeTags?: string[] },
) {
  return either(db)
    .updateTable(table)
    .set({
      ...(set.owner_id !== undefined ? { owner_id: set.owner_id } : {}),
      ...(set.team_id !== undefined ? { team_id: set.team_id } : {}),
      ...(set.addTags ? { tags: sql`(SELECT array(SELECT DISTINCT unnest(tags || ${set.addTags}::text[])))` } : {}),
      ...(set.removeTags ? { tags: sql`array(SELECT t FROM unnest(tags) t WHERE t <> ALL(${set.removeTags}::text[]))` } : {}),
      version: sql`version + 1`,
      updated_at: new Date(),
      updated_by: actorId,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .returning(['id', 'owner_id', 'team_id', 'tags'])
    .execute();
}

/** One table's writes (the shared use cases reach them through person.kind.ts / company.kind.ts). */
export function insertPerson(db: CustomersDb, row: Insertable<People>) {
  return db.insertInto('people').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updatePerson(db: CustomersDb, workspaceId: string, id: string, set: Updateable<People>) {
  return db
    .updateTable('people')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function insertCompany(db: CustomersDb, row: Insertable<Companies>) {
  return db.insertInto('companies').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateCompany(db: CustomersDb, workspaceId: string, id: string, set: Updateable<Companies>) {
  return db
    .updateTable('companies')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
