import {
  averageAmount,
  averageQuantity,
  type CustomerMetrics,
  daysSince,
  type Order,
  type OrderStatus,
} from '../../../shared/contracts/commerce.js';
import type { MetricsRow } from './metrics.repository.js';
import type { OrderLineRow, OrderRow } from './orders.repository.js';

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? null : new Date(String(v)).toISOString());

export function presentOrder(r: OrderRow, lines?: OrderLineRow[], customerName?: string | null): Order {
  return {
    id: r.id,
    orderNumber: r.order_number,
    externalId: r.external_id ?? null,
    source: r.source,
    orderedAt: iso(r.ordered_at) as string,
    personId: r.person_id ?? null,
    companyId: r.company_id ?? null,
    customerName: customerName ?? null,
    status: r.status as OrderStatus,
    currency: r.currency.trim(),
    total: Number(r.total),
    refundedAmount: Number(r.refunded_amount),
    quantity: Number(r.quantity),
    paymentMethod: r.payment_method ?? null,
    channel: r.channel ?? null,
    store: r.store ?? null,
    repId: r.rep_id ?? null,
    note: r.note ?? null,
    ...(lines
      ? {
          lines: lines.map((l) => ({
            position: Number(l.position),
            productId: l.product_id,
            sku: l.sku,
            name: l.name,
            quantity: Number(l.quantity),
            unitPrice: Number(l.unit_price),
            amount: Number(l.amount),
          })),
        }
      : {}),
    version: r.version,
    createdAt: iso(r.created_at) as string,
    updatedAt: iso(r.updated_at) as string,
  };
}

/** Stored sums plus what is derived at read time (averages, days since the last purchase, repeat flag). */
export function presentMetrics(r: MetricsRow | undefined, now = new Date()): CustomerMetrics {
  const count = Number(r?.purchase_count ?? 0);
  const total = Number(r?.purchase_total ?? 0);
  const quantity = Number(r?.purchase_quantity ?? 0);
  const last = iso(r?.last_purchase_at);
  return {
    currency: r?.currency ? r.currency.trim() : null,
    purchaseCount: count,
    purchaseTotal: total,
    averageAmount: averageAmount(total, count),
    purchaseQuantity: quantity,
    averageQuantity: averageQuantity(quantity, count),
    firstPurchaseAt: iso(r?.first_purchase_at),
    lastPurchaseAt: last,
    daysSinceLastPurchase: daysSince(last, now),
    repeatCustomer: count >= 2,
    realisedValue: Number(r?.realised_value ?? 0),
    refundedTotal: Number(r?.refunded_total ?? 0),
  };
}
