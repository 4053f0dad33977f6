import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Products } from '../../platform/db/schema.js';
import type { SalesDb } from './sales.db.js';

export type ProductRow = Selectable<Products>;

export function insertProduct(db: SalesDb, row: Insertable<Products>) {
  return db.insertInto('products').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateProduct(db: SalesDb, workspaceId: string, id: string, set: Updateable<Products>) {
  return db
    .updateTable('products')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findProduct(db: SalesDb, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('products').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findProducts(db: SalesDb, workspaceId: string, ids: string[]) {
  if (!ids.length) return new Map<string, ProductRow>();
  const rows = await db
    .selectFrom('products')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [...new Set(ids)])
    .where('deleted_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Products by id or SKU (case-insensitive), ordered by (name, id); live ones unless `trashed`. The read behind the
 * product lookup port (index.ts).
 */
export function lookupProducts(db: SalesDb, workspaceId: string, by: { ids?: string[]; skus?: string[] }, trashed: boolean) {
  const ids = [...new Set(by.ids ?? [])];
  const skus = [...new Set((by.skus ?? []).map((s) => s.toLowerCase()))];
  let q = db
    .selectFrom('products')
    .select(['id', 'sku', 'name', 'unit_price', 'currency', 'active', 'deleted_at'])
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('id', '=', sql<string>`ANY(${ids}::uuid[])`), eb(sql`lower(sku)`, '=', sql<string>`ANY(${skus}::text[])`)]));
  if (!trashed) q = q.where('deleted_at', 'is', null);
  return q.orderBy('name').orderBy('id').execute();
}

export async function skuTaken(db: SalesDb, workspaceId: string, sku: string, exceptId?: string) {
  let q = db
    .selectFrom('products')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where(sql<boolean>`lower(sku) = lower(${sku})`)
    .where('deleted_at', 'is', null);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return !!(await q.executeTakeFirst());
}

/** Keyset page by (name, id); `q` matches name, SKU or category. */
export function listProducts(
  db: SalesDb,
  workspaceId: string,
  opts: { q?: string; active?: boolean; trash?: boolean; after?: [string, string]; limit: number },
) {
  let q = db
    .selectFrom('products')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', opts.trash ? 'is not' : 'is', null);
  if (opts.active !== undefined) q = q.where('active', '=', opts.active);
  if (opts.q) {
    const like = `%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('sku', 'ilike', like), eb('category', 'ilike', like)]));
  }
  if (opts.after) q = q.where(sql<boolean>`(name, id) > (${opts.after[0]}, ${opts.after[1]}::uuid)`);
  return q
    .orderBy('name')
    .orderBy('id')
    .limit(opts.limit + 1)
    .execute();
}
