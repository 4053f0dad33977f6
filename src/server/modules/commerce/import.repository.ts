import { sql } from 'kysely';
import type pg from 'pg';
import { countsAsPurchase, type OrderStatus } from '../../../shared/contracts/commerce.js';
import { copyInto, copyLine } from '../../platform/import/copy.js';
import type { CommerceDb } from './commerce.db.js';

/** SQL of the order import in commerce's own tables: orders and lines by COPY, product pairs, metric deltas. */

export interface ImportOrder {
  id: string;
  orderNumber: string;
  externalId: string | null;
  orderedAt: Date;
  personId: string;
  companyId: string | null;
  status: OrderStatus;
  currency: string;
  total: number;
  quantity: number;
  paymentMethod: string | null;
  channel: string | null;
  store: string | null;
  lines: { position: number; productId: string; sku: string; name: string; quantity: number; unitPrice: number; amount: number }[];
}

const COUNTED = sql.raw(`o.status NOT IN ('cancelled', 'refunded')`);
const REALISED = sql.raw(`o.status IN ('paid', 'shipped', 'completed', 'refunded')`);
const ORDER_COLUMNS = [
  'workspace_id',
  'id',
  'order_number',
  'external_id',
  'source',
  'ordered_at',
  'person_id',
  'company_id',
  'status',
  'currency',
  'total',
  'refunded_amount',
  'quantity',
  'payment_method',
  'channel',
  'store',
  'created_by',
  'updated_by',
] as const;
const LINE_COLUMNS = ['workspace_id', 'order_id', 'position', 'product_id', 'sku', 'name', 'quantity', 'unit_price', 'amount'] as const;
// A per-connection staging table (emptied at each commit): the batch's orders arrive by COPY, then set-based SQL.
const STAGE = sql.raw('commerce_import_orders');
/**
 * Pairs of products within each counted order of the batch (both directions), as applyPairs does, counted here
 * from the batch in memory; upserted in key order so parallel batches lock pair rows in the same order.
 */
async function addPairs(trx: CommerceDb, workspaceId: string, orders: ImportOrder[]) {
  const counts = new Map<string, number>();
  for (const o of orders) {
    if (!countsAsPurchase(o.status) || o.lines.length < 2) continue;
    const products = [...new Set(o.lines.map((l) => l.productId))];
    for (const a of products) for (const b of products) if (a !== b) counts.set(`${a} ${b}`, (counts.get(`${a} ${b}`) ?? 0) + 1);
  }
  if (!counts.size) return;
  const keys = [...counts.keys()].sort();
  const [as, bs] = [keys.map((k) => k.slice(0, 36)), keys.map((k) => k.slice(37))];
  await sql`
    INSERT INTO product_pairs AS pp (workspace_id, product_id, other_product_id, orders)
    SELECT ${workspaceId}::uuid, a, b, n FROM unnest(${as}::uuid[], ${bs}::uuid[], ${keys.map((k) => counts.get(k))}::int[]) AS t(a, b, n)
    ORDER BY a, b
    ON CONFLICT (workspace_id, product_id, other_product_id) DO UPDATE SET orders = pp.orders + EXCLUDED.orders`.execute(trx);
}

/** Adds the batch's orders (the staged rows that were written) to their customers' metrics: sums and min/max. */
async function addMetricDeltas(trx: CommerceDb, workspaceId: string, kind: 'person' | 'company') {
  const table = sql.raw(kind === 'person' ? 'person_metrics' : 'company_metrics');
  const key = sql.raw(kind === 'person' ? 'person_id' : 'company_id');
  await sql`
    INSERT INTO ${table} AS m (workspace_id, ${key}, currency, purchase_count, purchase_total, purchase_quantity,
      first_purchase_at, last_purchase_at, realised_value, refunded_total, updated_at)
    SELECT ${workspaceId}::uuid, o.${key}, max(o.currency), count(*) FILTER (WHERE ${COUNTED}),
      coalesce(sum(o.total) FILTER (WHERE ${COUNTED}), 0), coalesce(sum(o.quantity) FILTER (WHERE ${COUNTED}), 0),
      min(o.ordered_at) FILTER (WHERE ${COUNTED}), max(o.ordered_at) FILTER (WHERE ${COUNTED}),
      coalesce(sum(o.total - o.refunded_amount) FILTER (WHERE ${REALISED}), 0),
      coalesce(sum(o.refunded_amount) FILTER (WHERE ${REALISED}), 0), now()
    FROM ${STAGE} o WHERE o.${key} IS NOT NULL
    GROUP BY o.${key} ORDER BY o.${key}
    ON CONFLICT (workspace_id, ${key}) DO UPDATE SET currency = coalesce(m.currency, EXCLUDED.currency),
      purchase_count = m.purchase_count + EXCLUDED.purchase_count, purchase_total = m.purchase_total + EXCLUDED.purchase_total,
      purchase_quantity = m.purchase_quantity + EXCLUDED.purchase_quantity,
      first_purchase_at = least(m.first_purchase_at, EXCLUDED.first_purchase_at),
      last_purchase_at = greatest(m.last_purchase_at, EXCLUDED.last_purchase_at),
      realised_value = m.realised_value + EXCLUDED.realised_value, refunded_total = m.refunded_total + EXCLUDED.refunded_total,
      updated_at = now()`.execute(trx);
}

/**
 * Writes one batch in the caller's transaction on `client`: the orders COPY'd into a staging table and
 * inserted from it (an existing order number or external id skips that order), then the written orders'
 * lines (COPY), product pairs and metric deltas. Returns the ids written.
 */
export async function writeOrders(
  client: pg.PoolClient,
  trx: CommerceDb,
  workspaceId: string,
  userId: string | null,
  orders: ImportOrder[],
): Promise<string[]> {
  await client.query('CREATE TEMP TABLE IF NOT EXISTS commerce_import_orders (LIKE orders INCLUDING DEFAULTS) ON COMMIT DELETE ROWS');
  await copyInto(
    client,
    'commerce_import_orders',
    ORDER_COLUMNS,
    orders.map((o) =>
      copyLine(ORDER_COLUMNS, {
        workspace_id: workspaceId,
        id: o.id,
        order_number: o.orderNumber,
        external_id: o.externalId,
        source: 'import',
        ordered_at: o.orderedAt.toISOString(),
        person_id: o.personId,
        company_id: o.companyId,
        status: o.status,
        currency: o.currency,
        total: o.total,
        refunded_amount: o.status === 'refunded' ? o.total : 0,
        quantity: o.quantity,
        payment_method: o.paymentMethod,
        channel: o.channel,
        store: o.store,
        created_by: userId,
        updated_by: userId,
      }),
    ),
  );
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO orders SELECT * FROM commerce_import_orders ON CONFLICT DO NOTHING RETURNING id`,
  );
  const ids = inserted.rows.map((r) => r.id);
  if (!ids.length) return ids;
  const written = new Set(ids);
  if (ids.length < orders.length) await client.query('DELETE FROM commerce_import_orders WHERE NOT (id = ANY($1::uuid[]))', [ids]);
  const kept = orders.filter((o) => written.has(o.id));
  // The lines belong to orders this transaction just inserted, so nothing can conflict: straight into the table.
  await copyInto(
    client,
    'order_lines',
    LINE_COLUMNS,
    kept.flatMap((o) =>
      o.lines.map((l) =>
        copyLine(LINE_COLUMNS, {
          workspace_id: workspaceId,
          order_id: o.id,
          position: l.position,
          product_id: l.productId,
          sku: l.sku,
          name: l.name,
          quantity: l.quantity,
          unit_price: l.unitPrice,
          amount: l.amount,
        }),
      ),
    ),
  );
  await addPairs(trx, workspaceId, kept);
  await addMetricDeltas(trx, workspaceId, 'person');
  await addMetricDeltas(trx, workspaceId, 'company');
  return ids;
}
