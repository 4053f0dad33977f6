import { z } from 'zod';
import { currencyCode, divRoundHalfUp, money } from './sales.js';

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((v) => (v === '' || v === undefined ? null : v));

export const orderStatuses = ['pending', 'paid', 'shipped', 'completed', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof orderStatuses)[number];
export const orderSources = ['ui', 'api', 'webhook', 'import'] as const;

// ---------- metric arithmetic (integers only; the SQL in commerce.metrics.ts computes the same) ----------

/** A purchase counts towards count/total/quantity unless it was cancelled or fully refunded. */
export function countsAsPurchase(status: OrderStatus): boolean {
  return status !== 'cancelled' && status !== 'refunded';
}

/** Money actually received: paid, shipped, completed and refunded orders (a refund is subtracted). */
export function isRealised(status: OrderStatus): boolean {
  return status === 'paid' || status === 'shipped' || status === 'completed' || status === 'refunded';
}

export interface MetricOrder {
  status: OrderStatus;
  total: number;
  refundedAmount: number;
  quantity: number;
  orderedAt: string;
}

export interface MetricTotals {
  purchaseCount: number;
  purchaseTotal: number;
  purchaseQuantity: number;
  firstPurchaseAt: string | null;
  lastPurchaseAt: string | null;
  realisedValue: number;
  refundedTotal: number;
}

/** The stored metrics of one customer from their orders (BigInt sums: exact for any number of orders). */
export function foldMetrics(orders: MetricOrder[]): MetricTotals {
  let count = 0;
  let total = 0n;
  let quantity = 0n;
  let realised = 0n;
  let refunded = 0n;
  let first: string | null = null;
  let last: string | null = null;
  for (const o of orders) {
    if (isRealised(o.status)) {
      realised += BigInt(o.total) - BigInt(o.refundedAmount);
      refunded += BigInt(o.refundedAmount);
    }
    if (!countsAsPurchase(o.status)) continue;
    count += 1;
    total += BigInt(o.total);
    quantity += BigInt(o.quantity);
    const at = new Date(o.orderedAt).getTime();
    if (first === null || at < new Date(first).getTime()) first = o.orderedAt;
    if (last === null || at > new Date(last).getTime()) last = o.orderedAt;
  }
  return {
    purchaseCount: count,
    purchaseTotal: Number(total),
    purchaseQuantity: Number(quantity),
    firstPurchaseAt: first,
    lastPurchaseAt: last,
    realisedValue: Number(realised),
    refundedTotal: Number(refunded),
  };
}

/** Average order amount in minor units, rounded half up (四捨五入): no float division of money. */
export function averageAmount(total: number, count: number): number | null {
  if (count <= 0) return null;
  return Number(divRoundHalfUp(BigInt(total), BigInt(count)));
}

/** Average quantity per order with one decimal, from integers (tenths rounded half up). */
export function averageQuantity(quantity: number, count: number): number | null {
  if (count <= 0) return null;
  return Number(divRoundHalfUp(BigInt(quantity) * 10n, BigInt(count))) / 10;
}

/** Whole days from the last purchase to now (read time), never negative. */
export function daysSince(lastPurchaseAt: string | null, now: Date = new Date()): number | null {
  if (!lastPurchaseAt) return null;
  return Math.max(0, Math.floor((now.getTime() - new Date(lastPurchaseAt).getTime()) / 86_400_000));
}

// ---------- orders ----------

export const orderLineInput = z
  .object({
    productId: z.uuid().optional(),
    sku: z.string().trim().min(1).max(64).optional(),
    quantity: z.number().int().min(1).max(1_000_000),
    /** Defaults to the product's price. */
    unitPrice: money.optional(),
  })
  .refine((l) => l.productId || l.sku, { message: 'productId or sku is required', path: ['productId'] });
export type OrderLineInput = z.infer<typeof orderLineInput>;

export const orderCreate = z.object({
  orderNumber: z.string().trim().min(1).max(64).optional(),
  externalId: z.string().trim().min(1).max(200).optional(),
  orderedAt: z.iso.datetime({ offset: true }).optional(),
  personId: z.uuid().nullish(),
  companyId: z.uuid().nullish(),
  status: z.enum(orderStatuses).default('paid'),
  currency: currencyCode,
  lines: z.array(orderLineInput).min(1).max(500),
  refundedAmount: money.default(0),
  paymentMethod: optionalText(60),
  channel: optionalText(60),
  store: optionalText(100),
  repId: z.uuid().nullish(),
  note: optionalText(2000),
});
export type OrderCreate = z.infer<typeof orderCreate>;

export const orderPatch = z.object({
  version: z.number().int().min(1),
  status: z.enum(orderStatuses).optional(),
  refundedAmount: money.optional(),
  paymentMethod: optionalText(60),
  channel: optionalText(60),
  store: optionalText(100),
  repId: z.uuid().nullish(),
  note: optionalText(2000),
});
export type OrderPatch = z.infer<typeof orderPatch>;

export const orderLineSchema = z.object({
  position: z.number(),
  productId: z.string(),
  sku: z.string(),
  name: z.string(),
  quantity: z.number(),
  unitPrice: z.number(),
  amount: z.number(),
});

export const orderSchema = z.object({
  id: z.string(),
  orderNumber: z.string(),
  externalId: z.string().nullable(),
  source: z.enum(orderSources),
  orderedAt: z.string(),
  personId: z.string().nullable(),
  companyId: z.string().nullable(),
  customerName: z.string().nullable(),
  status: z.enum(orderStatuses),
  currency: z.string(),
  total: z.number(),
  refundedAmount: z.number(),
  quantity: z.number(),
  paymentMethod: z.string().nullable(),
  channel: z.string().nullable(),
  store: z.string().nullable(),
  repId: z.string().nullable(),
  note: z.string().nullable(),
  lines: z.array(orderLineSchema).optional(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Order = z.infer<typeof orderSchema>;

export const customerMetricsSchema = z.object({
  currency: z.string().nullable(),
  purchaseCount: z.number(),
  purchaseTotal: z.number(),
  averageAmount: z.number().nullable(),
  purchaseQuantity: z.number(),
  averageQuantity: z.number().nullable(),
  firstPurchaseAt: z.string().nullable(),
  lastPurchaseAt: z.string().nullable(),
  daysSinceLastPurchase: z.number().nullable(),
  repeatCustomer: z.boolean(),
  realisedValue: z.number().describe('LTV: totals of paid/shipped/completed orders minus refunds'),
  refundedTotal: z.number(),
});
export type CustomerMetrics = z.infer<typeof customerMetricsSchema>;

export const crossSellSchema = z.object({
  data: z.array(
    z.object({
      productId: z.string(),
      sku: z.string(),
      name: z.string(),
      unitPrice: z.number(),
      currency: z.string(),
      score: z.number().describe('orders that held this product together with one the customer bought'),
    }),
  ),
});
export type CrossSell = z.infer<typeof crossSellSchema>;

export const webhookSecretSchema = z.object({
  configured: z.boolean(),
  hint: z.string().nullable(),
  rotatedAt: z.string().nullable(),
  /** Only in the answer to a rotation: shown once, never again. */
  secret: z.string().optional(),
  url: z.string(),
});

/** The EC site's order as delivered to the webhook: a customer by email/phone, lines by SKU. */
export const webhookOrder = z.object({
  externalId: z.string().trim().min(1).max(200),
  orderNumber: z.string().trim().min(1).max(64).optional(),
  orderedAt: z.iso.datetime({ offset: true }),
  status: z.enum(orderStatuses).default('paid'),
  currency: currencyCode,
  customer: z
    .object({
      email: z.string().trim().max(254).optional(),
      phone: z.string().trim().max(40).optional(),
      /** Used only to create the person when nobody in the CRM has this email or phone. */
      familyName: z.string().trim().min(1).max(100).optional(),
      givenName: z.string().trim().max(100).optional(),
    })
    .refine((c) => c.email || c.phone, { message: 'email or phone is required' }),
  lines: z
    .array(z.object({ sku: z.string().trim().min(1).max(64), quantity: z.number().int().min(1).max(1_000_000), unitPrice: money }))
    .min(1)
    .max(500),
  refundedAmount: money.default(0),
  paymentMethod: optionalText(60),
  channel: optionalText(60),
  store: optionalText(100),
});
export type WebhookOrder = z.infer<typeof webhookOrder>;

export const orderImportStatuses = ['uploading', 'queued', 'running', 'completed', 'failed'] as const;
/** An order import job: progress and counts (GET /orders/imports/:id). */
export const orderImportJob = z.object({
  id: z.string(),
  filename: z.string(),
  format: z.enum(['csv', 'tsv', 'xlsx']),
  encoding: z.enum(['utf8', 'cp932']).nullable().describe('null for xlsx (no text encoding)'),
  status: z.enum(orderImportStatuses),
  sizeBytes: z.number(),
  processed: z.number().describe('data rows committed (the checkpoint)'),
  rowsTotal: z.number().nullable().describe('known when the job has read the whole file'),
  inserted: z.number().describe('orders written'),
  skipped: z.number().describe('orders whose number or external id already existed'),
  rejected: z.number().describe('rows rejected'),
  progress: z.number().describe('0..1, from the bytes read'),
  timeline: z.boolean().describe('each imported order gets its timeline entry (small files)'),
  failure: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type OrderImportJob = z.infer<typeof orderImportJob>;
export const orderImportErrors = z.object({
  data: z.array(z.object({ row: z.number(), orderNumber: z.string().nullable(), reasons: z.array(z.string()) })),
  nextAfterRow: z.number().nullable().describe('pass as afterRow for the next page'),
});
export type OrderImportErrors = z.infer<typeof orderImportErrors>;
