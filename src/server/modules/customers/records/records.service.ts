import { BULK_MAX, type BulkAction } from '../../../../shared/contracts/customers.js';
import type { Actor } from '../../../platform/actor.js';
import type { Db, Tx } from '../../../platform/db/database.js';
import { recordChange } from '../../../platform/events/outbox.js';
import type { FieldCatalog } from '../../../platform/filter/compile.js';
import { AppError } from '../../../platform/http/errors.js';
import { teamInWorkspace, userInWorkspace } from '../../accounts/index.js';
import { bulkUpdate, entityOf, matchingIds, type RecordTable, setDeleted, visibleIds } from './records.repository.js';

/** Use cases shared by people and companies: trash, restore and bulk changes, each in one transaction. */
type CatalogOf = (trx: Tx, workspaceId: string) => Promise<{ catalog: FieldCatalog }>;

/** The records a bulk request names: its ids, or every match of its filter (refused above BULK_MAX). */
async function targetIds(
  trx: Tx,
  table: RecordTable,
  actor: Actor,
  target: Pick<BulkAction, 'ids' | 'filter'>,
  catalog: FieldCatalog,
  trash = false,
) {
  if (target.ids) return visibleIds(trx, table, actor, target.ids, catalog, trash);
  const ids = await matchingIds(trx, table, actor, target.filter ?? { and: [] }, catalog, BULK_MAX + 1);
  if (ids.length > BULK_MAX)
    throw new AppError('validation_failed', { issues: [{ path: 'filter', code: 'too_many_records', max: BULK_MAX }] });
  return ids;
}

export async function trashRecords(options: {
  db: Db;
  actor: Actor;
  table: RecordTable;
  target: Pick<BulkAction, 'ids' | 'filter'>;
  restore?: boolean;
  catalogFor: CatalogOf;
}) {
  const { actor, table } = options;
  const entity = entityOf[table];
  return options.db.transaction().execute(async (trx) => {
    const { catalog } = await options.catalogFor(trx, actor.workspaceId);
    const ids = await targetIds(trx, table, actor, options.target, catalog, !!options.restore);
    if (ids.length === 0) throw new AppError('not_found');
    const rows = await setDeleted(trx, table, actor.workspaceId, ids, actor.userId, !options.restore);
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

export async function bulkRecords(options: { db: Db; actor: Actor; table: RecordTable; action: BulkAction; catalogFor: CatalogOf }) {
  const { actor, action, table } = options;
  const entity = entityOf[table];
  if (action.action === 'delete') return trashRecords({ ...options, target: action });
  return options.db.transaction().execute(async (trx) => {
    if (action.action === 'assign' && action.ownerId && !(await userInWorkspace(trx, actor.workspaceId, action.ownerId)))
      throw new AppError('validation_failed', { issues: [{ path: 'ownerId', code: 'not_found' }] });
    if (action.action === 'set_team' && action.teamId && !(await teamInWorkspace(trx, actor.workspaceId, action.teamId)))
      throw new AppError('validation_failed', { issues: [{ path: 'teamId', code: 'not_found' }] });
    const { catalog } = await options.catalogFor(trx, actor.workspaceId);
    const ids = await targetIds(trx, table, actor, action, catalog);
    if (ids.length === 0) throw new AppError('not_found');
    const set =
      action.action === 'assign'
        ? { owner_id: action.ownerId }
        : action.action === 'set_team'
          ? { team_id: action.teamId }
          : action.action === 'tag'
            ? { addTags: action.tags }
            : { removeTags: action.tags };
    const rows = await bulkUpdate(trx, table, actor.workspaceId, ids, actor.userId, set);
    for (const r of rows) {
      await recordChange(trx, actor, {
        audit: { action: `${entity}.bulk_${action.action}`, entityType: entity, entityId: r.id, after: set },
        event: { type: `${entity}.updated`, entityType: entity, entityId: r.id, ownerId: r.owner_id, teamId: r.team_id },
      });
    }
    return rows.length;
  });
}
