import { sql } from 'kysely';
import type { Filter, Sort } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { compileFilter, compileSort, decodeCursor, encodeCursor } from '../../platform/filter/compile.js';
import { whereVisible } from '../../platform/policy.js';
import { leadCatalog } from './sales.catalogs.js';

export function insertLead(db: DbOrTx, row: Record<string, unknown>) {
  return db.insertInto('leads').values(row).returningAll().executeTakeFirstOrThrow() as Promise<Record<string, any>>;
}

export function updateLead(db: DbOrTx, workspaceId: string, id: string, set: Record<string, unknown>) {
  return db
    .updateTable('leads')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow() as Promise<Record<string, any>>;
}

export function findLead(db: DbOrTx, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('leads').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst() as Promise<Record<string, any> | undefined>;
}

export async function listLeadRows(
  db: DbOrTx,
  actor: Actor,
  q: { filter?: Filter; status?: string; sort: Sort; cursor?: string; limit: number; trash?: boolean },
) {
  const sort = compileSort(q.sort.length ? q.sort : [{ field: 'createdAt', dir: 'desc' }], leadCatalog, 'l');
  let query = db
    .selectFrom('leads as l')
    .selectAll('l')
    .select(sort.keys.map((k, i) => k.as(`_k${i}`)))
    .where('l.workspace_id', '=', actor.workspaceId)
    .where('l.deleted_at', q.trash ? 'is not' : 'is', null)
    .where(compileFilter(q.filter, leadCatalog, 'l'));
  if (q.status) query = query.where('l.status', '=', q.status);
  query = whereVisible(query, actor, 'l');
  if (q.cursor) query = query.where(sort.after(decodeCursor(q.cursor)));
  const rows = (await query
    .orderBy(sort.orderBy)
    .limit(q.limit + 1)
    .execute()) as Record<string, any>[];
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > q.limit && last ? encodeCursor(sort.keys.map((_, i) => last[`_k${i}`])) : null };
}
