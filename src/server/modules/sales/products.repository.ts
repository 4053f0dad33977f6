import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.js';

export function insertProduct(db: DbOrTx, row: Record<string, unknown>) {
  return db.insertInto('products').values(row).returningAll().executeTakeFirstOrThrow() as Promise<Record<string, any>>;
}

export function updateProduct(db: DbOrTx, workspaceId: string, id: string, set: Record<string, unknown>) {
  return db
    .updateTable('products')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow() as Promise<Record<string, any>>;
}

export function findProduct(db: DbOrTx, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('products').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst() as Promise<Record<string, any> | undefined>;
}

export async function findProducts(db: DbOrTx, workspaceId: string, ids: string[]) {
  if (!ids.length) return new Map<string, Record<string, any>>();
  const rows = await db
    .selectFrom('products')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [...new Set(ids)])
    .where('deleted_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.id as string, r as Record<string, any>]));
}

export async function skuTaken(db: DbOrTx, workspaceId: string, sku: string, exceptId?: string) {
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
  db: DbOrTx,
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
    .execute() as Promise<Record<string, any>[]>;
}
