import { sql } from 'kysely';
import type { OrderStatus } from '../../../shared/contracts/commerce.js';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import { applyPairs } from './metrics.repository.js';

export interface ProductRef {
  id: string;
  sku: string;
  name: string;
  unitPrice: number;
  currency: string;
}
interface CustomerRef {
  id: string;
  companyId: string | null;
}

export async function productsBySku(db: DbOrTx, workspaceId: string, skus: string[]) {
  const out = new Map<string, ProductRef>();
  if (!skus.length) return out;
  const r = await sql<Record<string, any>>`
    SELECT id, sku, name, unit_price, currency FROM products
    WHERE workspace_id = ${workspaceId} AND deleted_at IS NULL AND lower(sku) = ANY(${skus}::text[])`.execute(db);
  for (const p of r.rows) {
    out.set(String(p.sku).toLowerCase(), {
      id: p.id,
      sku: p.sku,
      name: p.name,
      unitPrice: Number(p.unit_price),
      currency: String(p.currency).trim(),
    });
  }
  return out;
}

/** Live people of the batch by id, normalised email and E.164 phone: three index lookups per batch. */
export async function matchCustomers(
  db: DbOrTx,
  workspaceId: string,
  lines: { customerId: string | null; email: string | null; phone: string | null }[],
) {
  const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => !!x))];
  const ids = uniq(lines.map((l) => (l.customerId && /^[0-9a-f-]{36}$/i.test(l.customerId) ? l.customerId : null)));
  const emails = uniq(lines.map((l) => l.email));
  const phones = uniq(lines.map((l) => l.phone));
  const toMap = (rows: Record<string, any>[], k: string) =>
    new Map<string, CustomerRef>(rows.map((r) => [r[k], { id: r.id, companyId: r.company_id }]));
  const byId = ids.length
    ? toMap(
        (
          await sql<
            Record<string, any>
          >`SELECT id, company_id FROM people WHERE workspace_id = ${workspaceId} AND id = ANY(${ids}::uuid[]) AND deleted_at IS NULL`.execute(
            db,
          )
        ).rows,
        'id',
      )
    : new Map<string, CustomerRef>();
  const contact = async (kind: string, values: string[]) =>
    values.length
      ? toMap(
          (
            await sql<Record<string, any>>`
              SELECT DISTINCT ON (cp.value) cp.value, p.id, p.company_id FROM contact_points cp
              JOIN people p ON p.workspace_id = cp.workspace_id AND p.id = cp.entity_id AND p.deleted_at IS NULL
              WHERE cp.workspace_id = ${workspaceId} AND cp.kind = ${kind} AND cp.entity_type = 'person' AND cp.value = ANY(${values}::text[])
              ORDER BY cp.value, p.id`.execute(db)
          ).rows,
          'value',
        )
      : new Map<string, CustomerRef>();
  return { byId, byEmail: await contact('email', emails), byPhone: await contact('phone', phones) };
}

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

/** Adds the batch's orders to their customers' metrics (imports only add orders, so sums and min/max suffice). */
async function addMetricDeltas(trx: Tx, workspaceId: string, ids: string[], kind: 'person' | 'company') {
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
    FROM orders o WHERE o.workspace_id = ${workspaceId} AND o.id = ANY(${ids}::uuid[]) AND o.${key} IS NOT NULL
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
 * Inserts the orders (an existing order number or external id skips that order), their lines, product
 * pairs and metric deltas. Set-based: a handful of statements per batch. Returns the ids written.
 */
export async function writeOrders(trx: Tx, workspaceId: string, userId: string | null, orders: ImportOrder[]): Promise<string[]> {
  const col = <T>(f: (o: ImportOrder) => T) => orders.map(f);
  const inserted = await sql<{ id: string }>`
    INSERT INTO orders (workspace_id, id, order_number, external_id, source, ordered_at, person_id, company_id, status, currency,
      total, refunded_amount, quantity, payment_method, channel, store, created_by, updated_by)
    SELECT ${workspaceId}::uuid, t.id, t.num, t.ext, 'import', t.at, t.person, t.company, t.status, t.cur,
      t.total, CASE WHEN t.status = 'refunded' THEN t.total ELSE 0 END, t.qty, t.pay, t.channel, t.store, ${userId}::uuid, ${userId}::uuid
    FROM unnest(${col((o) => o.id)}::uuid[], ${col((o) => o.orderNumber)}::text[], ${col((o) => o.externalId)}::text[],
      ${col((o) => o.orderedAt.toISOString())}::timestamptz[], ${col((o) => o.personId)}::uuid[], ${col((o) => o.companyId)}::uuid[],
      ${col((o) => o.status)}::text[], ${col((o) => o.currency)}::text[], ${col((o) => o.total)}::bigint[], ${col((o) => o.quantity)}::bigint[],
      ${col((o) => o.paymentMethod)}::text[], ${col((o) => o.channel)}::text[], ${col((o) => o.store)}::text[])
      AS t(id, num, ext, at, person, company, status, cur, total, qty, pay, channel, store)
    ON CONFLICT DO NOTHING
    RETURNING id`.execute(trx);
  const ids = inserted.rows.map((r) => r.id);
  if (!ids.length) return ids;
  const written = new Set(ids);
  const lines = orders.filter((o) => written.has(o.id)).flatMap((o) => o.lines.map((l) => ({ ...l, orderId: o.id })));
  const lc = <T>(f: (l: (typeof lines)[number]) => T) => lines.map(f);
  await sql`
    INSERT INTO order_lines (workspace_id, order_id, position, product_id, sku, name, quantity, unit_price, amount)
    SELECT ${workspaceId}::uuid, * FROM unnest(${lc((l) => l.orderId)}::uuid[], ${lc((l) => l.position)}::smallint[],
      ${lc((l) => l.productId)}::uuid[], ${lc((l) => l.sku)}::text[], ${lc((l) => l.name)}::text[], ${lc((l) => l.quantity)}::int[],
      ${lc((l) => l.unitPrice)}::bigint[], ${lc((l) => l.amount)}::bigint[])`.execute(trx);
  const counted = orders.filter((o) => written.has(o.id) && o.status !== 'cancelled' && o.status !== 'refunded' && o.lines.length > 1);
  await applyPairs(
    trx,
    workspaceId,
    counted.map((o) => o.id),
    1,
  );
  await addMetricDeltas(trx, workspaceId, ids, 'person');
  await addMetricDeltas(trx, workspaceId, ids, 'company');
  return ids;
}
