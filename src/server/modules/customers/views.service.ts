import type { Selectable } from 'kysely';
import type { Filter, Sort } from '../../../shared/filter.js';
import { can } from '../../../shared/permissions.js';
import type { Actor } from '../../platform/actor.js';
import type { SavedViews } from '../../platform/db/schema.js';
import { recordChange } from '../../platform/events/outbox.js';
import { compileFilter, compileSort } from '../../platform/filter/compile.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { companyCatalog, personCatalog } from './catalogs.js';
import { customCatalog, listCustomFields } from './custom-fields.js';
import type { CustomersDb, CustomersTx } from './customers.db.js';

/**
 * Saved list views: a name, a filter, a sort and columns. Private views are seen by their owner only;
 * shared views by everyone in the workspace, edited by their owner or an administrator.
 */
type EntityType = 'person' | 'company';

export interface ViewInput {
  name: string;
  shared: boolean;
  filter?: Filter | null;
  sort: Sort;
  columns: string[];
}

type ViewRow = Selectable<SavedViews>;

function present(r: ViewRow, actor: Actor) {
  return {
    id: r.id,
    // Checked by the table (entity type) and compiled against the catalog before it was saved (filter, sort).
    entityType: r.entity_type as EntityType,
    name: r.name,
    ownerId: r.owner_id,
    shared: r.shared,
    filter: (r.filter ?? null) as Filter | null,
    sort: r.sort as Sort,
    columns: r.columns,
    canEdit: mayEdit(actor, r),
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}
export type SavedView = ReturnType<typeof present>;

const mayEdit = (actor: Actor, r: ViewRow) => r.owner_id === actor.userId || (r.shared && can(actor.role, 'workspace.manage'));
const mayRead = (actor: Actor, r: ViewRow) => r.shared || r.owner_id === actor.userId;

/**
 * Compile the filter and sort against the entity's fields (custom ones included) now, so a saved view
 * never holds something its list would refuse later. Columns must be fields of the catalog.
 */
async function validate(db: CustomersDb, workspaceId: string, entityType: EntityType, v: Pick<ViewInput, 'filter' | 'sort' | 'columns'>) {
  const defs = await listCustomFields(db, workspaceId, entityType);
  const catalog = { ...(entityType === 'person' ? personCatalog : companyCatalog), ...customCatalog(defs) };
  if (v.filter) compileFilter(v.filter, catalog, 'r');
  if (v.sort.length) compileSort(v.sort, catalog, 'r');
  const issues = v.columns
    .map((c, i) => (catalog[c] ? null : { path: `columns.${i}`, code: 'unknown_field', field: c }))
    .filter((x) => x !== null);
  if (issues.length) throw new AppError('validation_failed', { issues });
}

export async function listViews(options: { db: CustomersDb; actor: Actor; entityType: EntityType }) {
  const { actor } = options;
  const rows = await options.db
    .selectFrom('saved_views')
    .selectAll()
    .where('workspace_id', '=', actor.workspaceId)
    .where('entity_type', '=', options.entityType)
    .where((eb) => eb.or([eb('shared', '=', true), eb('owner_id', '=', actor.userId)]))
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map((r) => present(r, actor));
}

async function load(trx: CustomersDb, actor: Actor, id: string, forUpdate = false) {
  let q = trx.selectFrom('saved_views').selectAll().where('workspace_id', '=', actor.workspaceId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row || !mayRead(actor, row)) throw new AppError('not_found');
  return row;
}

export async function getView(options: { db: CustomersDb; actor: Actor; viewId: string }) {
  return present(await load(options.db, options.actor, options.viewId), options.actor);
}

export async function createView(options: { db: CustomersDb; actor: Actor; entityType: EntityType; input: ViewInput }) {
  const { actor, input, entityType } = options;
  const ownerId = actor.userId;
  if (!ownerId) throw new AppError('forbidden');
  return options.db.transaction().execute(async (trx) => {
    await validate(trx, actor.workspaceId, entityType, input);
    const row = await trx
      .insertInto('saved_views')
      .values({
        workspace_id: actor.workspaceId,
        id: newId(),
        entity_type: entityType,
        name: input.name,
        owner_id: ownerId,
        shared: input.shared,
        filter: input.filter ? JSON.stringify(input.filter) : null,
        sort: JSON.stringify(input.sort),
        columns: input.columns,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = present(row, actor);
    await audit(trx, actor, 'saved_view.created', row, undefined, view);
    return view;
  });
}

export async function updateView(options: {
  db: CustomersDb;
  actor: Actor;
  viewId: string;
  patch: Partial<ViewInput> & { version: number };
}) {
  const { actor, patch } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await load(trx, actor, options.viewId, true);
    if (!mayEdit(actor, before)) throw new AppError('forbidden');
    const current = present(before, actor);
    if (before.version !== patch.version) throw new AppError('conflict', { current });
    const next = {
      filter: patch.filter === undefined ? current.filter : patch.filter,
      sort: patch.sort ?? current.sort,
      columns: patch.columns ?? current.columns,
    };
    await validate(trx, actor.workspaceId, before.entity_type as EntityType, next);
    const row = await trx
      .updateTable('saved_views')
      .set({
        name: patch.name ?? before.name,
        shared: patch.shared ?? before.shared,
        filter: next.filter ? JSON.stringify(next.filter) : null,
        sort: JSON.stringify(next.sort),
        columns: next.columns,
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('workspace_id', '=', actor.workspaceId)
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = present(row, actor);
    await audit(trx, actor, 'saved_view.updated', row, current, view);
    return view;
  });
}

export async function deleteView(options: { db: CustomersDb; actor: Actor; viewId: string }) {
  const { actor } = options;
  await options.db.transaction().execute(async (trx) => {
    const before = await load(trx, actor, options.viewId, true);
    if (!mayEdit(actor, before)) throw new AppError('forbidden');
    await trx.deleteFrom('saved_views').where('workspace_id', '=', actor.workspaceId).where('id', '=', before.id).execute();
    await audit(trx, actor, 'saved_view.deleted', before, present(before, actor), undefined);
  });
}

function audit(trx: CustomersTx, actor: Actor, action: string, row: ViewRow, before: unknown, after: unknown) {
  return recordChange(trx, actor, {
    audit: { action, entityType: 'saved_view', entityId: row.id, before, after },
    // A private view concerns its owner only: realtime tells the owner (ownerId); shared ones everyone.
    event: { type: action, entityType: 'saved_view', entityId: row.id, ownerId: row.shared ? null : row.owner_id },
  });
}
