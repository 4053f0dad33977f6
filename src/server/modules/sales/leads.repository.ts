import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { LeadStatus } from '../../../shared/contracts/sales.js';
import type { Filter, Sort } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import type { Leads } from '../../platform/db/schema.js';
import { compileFilter, compileSort, decodeCursor, encodeCursor } from '../../platform/filter/compile.js';
import { leadCatalog } from './sales.catalogs.js';
import type { SalesDb } from './sales.db.js';
import { whereSalesVisible } from './sales.policy.js';

/** A lead row with its status narrowed to the contract's values (the table's CHECK). */
export type LeadRow = Omit<Selectable<Leads>, 'status'> & { status: LeadStatus };
type Narrowed = { status: LeadStatus };

export function insertLead(db: SalesDb, row: Insertable<Leads>): Promise<LeadRow> {
  return db.insertInto('leads').values(row).returningAll().$narrowType<Narrowed>().executeTakeFirstOrThrow();
}

export function updateLead(db: SalesDb, workspaceId: string, id: string, set: Updateable<Leads>): Promise<LeadRow> {
  return db
    .updateTable('leads')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .$narrowType<Narrowed>()
    .executeTakeFirstOrThrow();
}

export function findLead(db: SalesDb, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<LeadRow | undefined> {
  let q = db.selectFrom('leads').selectAll().$narrowType<Narrowed>().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function listLeadRows(
  db: SalesDb,
  actor: Actor,
  q: { filter?: Filter; status?: string; sort: Sort; cursor?: string; limit: number; trash?: boolean },
): Promise<{ rows: LeadRow[]; nextCursor: string | null }> {
  const sort = compileSort(q.sort.length ? q.sort : [{ field: 'createdAt', dir: 'desc' }], leadCatalog, 'l');
  let query = db
    .selectFrom('leads as l')
    .selectAll('l')
    .$narrowType<Narrowed>()
    .select(sort.keys.map((k, i) => k.as(`_k${i}`)))
    .where('l.workspace_id', '=', actor.workspaceId)
    .where('l.deleted_at', q.trash ? 'is not' : 'is', null)
    .where(compileFilter(q.filter, leadCatalog, 'l'));
  if (q.status) query = query.where('l.status', '=', q.status);
  query = whereSalesVisible(query, actor, 'l');
  if (q.cursor) query = query.where(sort.after(decodeCursor(q.cursor)));
  const rows = await query
    .orderBy(sort.orderBy)
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  const last: Record<string, unknown> | undefined = page.at(-1);
  return {
    rows: page,
    nextCursor: rows.length > q.limit && last ? encodeCursor(sort.keys.map((_, i) => last[`_k${i}`])) : null,
  };
}
