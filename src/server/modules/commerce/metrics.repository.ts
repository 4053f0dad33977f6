import { type Selectable, sql } from 'kysely';
import type { PersonMetrics } from '../../platform/db/schema.js';
import type { CommerceDb } from './commerce.db.js';

export type CustomerKind = 'person' | 'company';
/** A person's or company's metrics row: the same columns, keyed by person_id or company_id. */
export type MetricsRow = Omit<Selectable<PersonMetrics>, 'person_id'> & { person_id?: string; company_id?: string };
/** A product bought together with others, and in how many orders: commerce ranks, sales names the product. */
export interface PairScore {
  product_id: string;
  score: number;
}
const tables = {
  person: { table: sql.raw('person_metrics'), key: sql.raw('person_id') },
  company: { table: sql.raw('company_metrics'), key: sql.raw('company_id') },
};

/**
 * Locks the metrics rows of these customers (creating them when missing) so that concurrent orders of one
 * customer recompute one after the other; each recompute then sees the orders committed before it.
 */
export async function lockMetrics(db: CommerceDb, workspaceId: string, kind: CustomerKind, ids: string[]) {
  if (!ids.length) return;
  const { table, key } = tables[kind];
  await sql`
    INSERT INTO ${table} AS m (workspace_id, ${key})
    SELECT ${workspaceId}::uuid, id FROM unnest(${[...new Set(ids)].sort()}::uuid[]) AS t(id) ORDER BY id
    ON CONFLICT (workspace_id, ${key}) DO UPDATE SET updated_at = m.updated_at`.execute(db);
}

/**
 * Rewrites the metrics of these customers from their live orders (set-based: one statement for one customer
 * or for every customer an import touched). Integer sums in PostgreSQL bigint: exact, no float.
 */
export async function recomputeMetrics(db: CommerceDb, workspaceId: string, kind: CustomerKind, ids: string[]) {
  if (!ids.length) return;
  const { table, key } = tables[kind];
  await sql`
    INSERT INTO ${table} AS m (workspace_id, ${key}, currency, purchase_count, purchase_total, purchase_quantity,
      first_purchase_at, last_purchase_at, realised_value, refunded_total, updated_at)
    SELECT ${workspaceId}::uuid, t.id, a.currency, coalesce(a.cnt, 0), coalesce(a.total, 0), coalesce(a.qty, 0),
      a.first_at, a.last_at, coalesce(a.realised, 0), coalesce(a.refunded, 0), now()
    FROM unnest(${[...new Set(ids)].sort()}::uuid[]) AS t(id)
    LEFT JOIN LATERAL (
      SELECT max(o.currency) AS currency,
        count(*) FILTER (WHERE o.status NOT IN ('cancelled', 'refunded'))::int AS cnt,
        sum(o.total) FILTER (WHERE o.status NOT IN ('cancelled', 'refunded')) AS total,
        sum(o.quantity) FILTER (WHERE o.status NOT IN ('cancelled', 'refunded')) AS qty,
        min(o.ordered_at) FILTER (WHERE o.status NOT IN ('cancelled', 'refunded')) AS first_at,
        max(o.ordered_at) FILTER (WHERE o.status NOT IN ('cancelled', 'refunded')) AS last_at,
        sum(o.total - o.refunded_amount) FILTER (WHERE o.status IN ('paid', 'shipped', 'completed', 'refunded')) AS realised,
        sum(o.refunded_amount) FILTER (WHERE o.status IN ('paid', 'shipped', 'completed', 'refunded')) AS refunded
      FROM orders o
      WHERE o.workspace_id = ${workspaceId} AND o.${key} = t.id AND o.deleted_at IS NULL
    ) a ON true
    ORDER BY t.id
    ON CONFLICT (workspace_id, ${key}) DO UPDATE SET currency = EXCLUDED.currency, purchase_count = EXCLUDED.purchase_count,
      purchase_total = EXCLUDED.purchase_total, purchase_quantity = EXCLUDED.purchase_quantity,
      first_purchase_at = EXCLUDED.first_purchase_at, last_purchase_at = EXCLUDED.last_purchase_at,
      realised_value = EXCLUDED.realised_value, refunded_total = EXCLUDED.refunded_total, updated_at = now()`.execute(db);
}

export async function readMetrics(db: CommerceDb, workspaceId: string, kind: CustomerKind, id: string) {
  const { table, key } = tables[kind];
  const r = await sql<MetricsRow>`SELECT * FROM ${table} WHERE workspace_id = ${workspaceId} AND ${key} = ${id}`.execute(db);
  return r.rows[0];
}

/** Metric rows of many customers (one primary-key look-up each). */
export async function readMetricsOf(db: CommerceDb, workspaceId: string, kind: CustomerKind, ids: string[]) {
  const { table, key } = tables[kind];
  if (!ids.length) return [];
  const r = await sql<MetricsRow>`SELECT * FROM ${table} WHERE workspace_id = ${workspaceId} AND ${key} = ANY(${ids}::uuid[])`.execute(db);
  return r.rows;
}

/**
 * Adds (+1) or removes (-1) the product pairs of these orders: each pair of distinct products in one order
 * counts once per order, in both directions.
 */
export async function applyPairs(db: CommerceDb, workspaceId: string, orderIds: string[], sign: 1 | -1) {
  if (!orderIds.length) return;
  await sql`
    WITH l AS (
      SELECT DISTINCT order_id, product_id FROM order_lines
      WHERE workspace_id = ${workspaceId} AND order_id = ANY(${orderIds}::uuid[])
    )
    INSERT INTO product_pairs AS pp (workspace_id, product_id, other_product_id, orders)
    SELECT ${workspaceId}::uuid, a.product_id, b.product_id, ${sign}::int * count(*)::int
    FROM l a JOIN l b ON a.order_id = b.order_id AND a.product_id <> b.product_id
    GROUP BY a.product_id, b.product_id
    ORDER BY a.product_id, b.product_id
    ON CONFLICT (workspace_id, product_id, other_product_id) DO UPDATE SET orders = pp.orders + EXCLUDED.orders`.execute(db);
}

/**
 * Products bought together with what this customer bought, that the customer has not bought yet, best first. All of
 * them, not a page: whether a product is still on sale is the sales module's to say (the caller filters, then cuts).
 */
export async function crossSell(db: CommerceDb, workspaceId: string, kind: CustomerKind, id: string) {
  const { key } = tables[kind];
  const r = await sql<PairScore>`
    WITH mine AS (
      SELECT DISTINCT l.product_id FROM orders o
      JOIN order_lines l ON l.workspace_id = o.workspace_id AND l.order_id = o.id
      WHERE o.workspace_id = ${workspaceId} AND o.${key} = ${id} AND o.deleted_at IS NULL
        AND o.status NOT IN ('cancelled', 'refunded')
    )
    SELECT pp.other_product_id AS product_id, sum(pp.orders)::int AS score FROM product_pairs pp
    WHERE pp.workspace_id = ${workspaceId} AND pp.product_id IN (SELECT product_id FROM mine) AND pp.orders > 0
      AND pp.other_product_id NOT IN (SELECT product_id FROM mine)
    GROUP BY pp.other_product_id`.execute(db);
  return r.rows;
}

/** "Bought X, also bought Y" for one product: every product paired with it (the caller filters and cuts, as above). */
export async function alsoBought(db: CommerceDb, workspaceId: string, productId: string) {
  return db
    .selectFrom('product_pairs')
    .select(['other_product_id as product_id', 'orders as score'])
    .where('workspace_id', '=', workspaceId)
    .where('product_id', '=', productId)
    .where('orders', '>', 0)
    .execute();
}
