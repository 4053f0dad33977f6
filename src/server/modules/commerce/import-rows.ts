import type { Kysely } from 'kysely';
import type { OrderStatus } from '../../../shared/contracts/commerce.js';
import { orderStatuses } from '../../../shared/contracts/commerce.js';
import { normalizeEmail } from '../../../shared/jp-text.js';
import type { DB } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import type { RejectedRow } from '../../platform/import/import.repository.js';
import { normalizePhoneFast } from '../customers/index.js';
import type { ImportOrder } from './import.repository.js';
import { matchCustomers, type ProductRef, productsBySku } from './import-lookups.js';

/** Columns by their Japanese or English header (NFKC, case and spacing ignored). */
const HEADERS: Record<string, string[]> = {
  orderNumber: ['注文番号', 'ordernumber', 'order_number', 'order', 'orderno'],
  externalId: ['外部注文id', '外部id', 'externalid', 'external_id'],
  orderedAt: ['注文日時', '注文日', '購入日', 'orderedat', 'ordered_at', 'orderdate', 'date'],
  customerId: ['顧客id', 'id', 'customerid', 'customer_id', 'personid'],
  email: ['メールアドレス', 'メール', 'email', 'e-mail'],
  phone: ['電話番号', '電話', 'phone', 'tel'],
  sku: ['sku', '品番', '商品コード', 'productsku'],
  quantity: ['数量', 'quantity', 'qty'],
  unitPrice: ['単価', 'unitprice', 'unit_price', 'price'],
  status: ['ステータス', '状態', 'status'],
  currency: ['通貨', 'currency'],
  paymentMethod: ['支払方法', '決済方法', 'paymentmethod', 'payment_method', 'payment'],
  channel: ['チャネル', '販売チャネル', 'channel'],
  store: ['店舗', 'ショップ', 'store', 'shop'],
};
const STATUS_JA: Record<string, OrderStatus> = {
  保留: 'pending',
  未払い: 'pending',
  入金済み: 'paid',
  支払済み: 'paid',
  発送済み: 'shipped',
  完了: 'completed',
  キャンセル: 'cancelled',
  返金済み: 'refunded',
  返金: 'refunded',
};
const key = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_-]/g, '');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function mapHeader(header: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  header.forEach((h, i) => {
    const k = key(String(h ?? ''));
    for (const [field, names] of Object.entries(HEADERS)) {
      if (out[field] === undefined && names.some((n) => key(n) === k)) out[field] = i;
    }
  });
  return out;
}

export interface ParsedLine {
  row: number;
  orderNumber: string;
  externalId: string | null;
  orderedAt: Date | null;
  customerId: string | null;
  email: string | null;
  phone: string | null;
  sku: string;
  quantity: number;
  unitPrice: number | null;
  status: OrderStatus;
  currency: string | null;
  paymentMethod: string | null;
  channel: string | null;
  store: string | null;
  reasons: string[];
  /** The row's cells as text, kept for the error report. */
  cells: string[];
}

export const cellText = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v).trim());

/** One CSV/XLSX row as an order line, with every problem of the row as a stable reason code. */
export function parseLine(cells: unknown[], cols: Record<string, number>, row: number): ParsedLine {
  const get = (f: string) => (cols[f] === undefined ? '' : cellText(cells[cols[f] as number]));
  const reasons: string[] = [];
  const orderNumber = get('orderNumber');
  if (!orderNumber) reasons.push('order_number_required');
  else if (orderNumber.length > 64) reasons.push('order_number_too_long');
  const rawDate = get('orderedAt');
  let orderedAt: Date | null = null;
  if (rawDate) {
    // A date without a zone is Tokyo wall-clock time.
    const s = rawDate.replace(/\//g, '-').replace(' ', 'T');
    const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s : /T/.test(s) ? `${s}+09:00` : `${s}T00:00:00+09:00`;
    orderedAt = new Date(withZone);
    if (Number.isNaN(orderedAt.getTime())) {
      orderedAt = null;
      reasons.push('invalid_date');
    }
  } else reasons.push('date_required');
  const customerId = get('customerId') || null;
  if (customerId && !UUID.test(customerId)) reasons.push('invalid_customer_id');
  const email = get('email') ? normalizeEmail(get('email')) : null;
  const phone = get('phone') ? (normalizePhoneFast(get('phone'))?.e164 ?? null) : null;
  if (!customerId && !email && !phone) reasons.push('customer_required');
  const sku = get('sku');
  if (!sku) reasons.push('sku_required');
  const q = get('quantity').replace(/,/g, '');
  const quantity = q === '' ? 1 : Number(q);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 1_000_000) reasons.push('invalid_quantity');
  const p = get('unitPrice').replace(/[,￥¥\s]/g, '');
  const unitPrice = p === '' ? null : Number(p);
  if (unitPrice !== null && (!Number.isInteger(unitPrice) || unitPrice < 0 || unitPrice > 1e15)) reasons.push('invalid_price');
  const rawStatus = get('status');
  let status: OrderStatus = 'completed';
  if (rawStatus) {
    const s =
      STATUS_JA[rawStatus] ??
      (orderStatuses.includes(rawStatus.toLowerCase() as OrderStatus) ? (rawStatus.toLowerCase() as OrderStatus) : null);
    if (s) status = s;
    else reasons.push('invalid_status');
  }
  const currency = get('currency').toUpperCase() || null;
  const text = (f: string, max: number) => get(f).slice(0, max) || null;
  return {
    row,
    orderNumber,
    externalId: text('externalId', 200),
    orderedAt,
    customerId,
    email,
    phone,
    sku,
    quantity,
    unitPrice,
    status,
    currency,
    paymentMethod: text('paymentMethod', 60),
    channel: text('channel', 60),
    store: text('store', 100),
    reasons,
    cells: cells.map(cellText),
  };
}

/** The header's columns, or 400 naming what is missing (order number, SKU, one customer column). */
export function checkHeader(header: unknown[]): Record<string, number> {
  const cols = mapHeader(header.map((c) => cellText(c)));
  const missing = ['orderNumber', 'sku'].filter((f) => cols[f] === undefined);
  if (missing.length || (cols.customerId === undefined && cols.email === undefined && cols.phone === undefined)) {
    throw new AppError('validation_failed', {
      issues: [{ path: 'header', code: 'missing_columns', missing: missing.length ? missing : ['email'] }],
    });
  }
  return cols;
}

export const rejectedRow = (line: ParsedLine, reasons: string[]): RejectedRow => ({
  row: line.row,
  key: line.orderNumber || null,
  cells: line.cells,
  reasons,
});

/**
 * One batch of parsed lines grouped by order number, matched to customers (customer id, email, phone) and
 * products (SKU) of the workspace: the orders to write, and the rejected rows with every reason (the other rows
 * of an order with a bad row are rejected too). `products` caches SKU look-ups across batches.
 */
export async function prepareOrders(options: {
  db: Kysely<DB>;
  workspaceId: string;
  currency: string;
  products: Map<string, ProductRef | null>;
  batch: Map<string, ParsedLine[]>;
}) {
  const { db, workspaceId: ws, currency, products, batch } = options;
  const rejected: RejectedRow[] = [];
  const lines = [...batch.values()].flat();
  const missing = [...new Set(lines.map((l) => l.sku.toLowerCase()).filter((s) => s && !products.has(s)))];
  for (const [k, v] of await productsBySku(db, ws, missing)) products.set(k, v);
  for (const s of missing) if (!products.has(s)) products.set(s, null);
  const customers = await matchCustomers(db, ws, lines);
  const orders: ImportOrder[] = [];
  for (const [number, group] of batch) {
    const first = group[0] as ParsedLine;
    const personRef = first.customerId
      ? customers.byId.get(first.customerId)
      : (first.email && customers.byEmail.get(first.email)) || (first.phone && customers.byPhone.get(first.phone)) || undefined;
    const bad = new Map<ParsedLine, string[]>();
    const priced = group.map((l) => {
      const reasons = [...l.reasons];
      if (!personRef && !reasons.includes('customer_required') && !reasons.includes('invalid_customer_id'))
        reasons.push('unknown_customer');
      const p = l.sku ? products.get(l.sku.toLowerCase()) : undefined;
      if (l.sku && !p) reasons.push('unknown_product');
      if (l.currency && l.currency !== currency) reasons.push('wrong_currency');
      else if (p && p.currency !== currency) reasons.push('currency_mismatch');
      if (reasons.length) bad.set(l, reasons);
      const unitPrice = l.unitPrice ?? p?.unitPrice ?? 0;
      return { line: l, productId: p?.id ?? '', sku: p?.sku ?? l.sku, name: p?.name ?? '', unitPrice, amount: l.quantity * unitPrice };
    });
    if (bad.size) {
      for (const l of group) rejected.push(rejectedRow(l, bad.get(l) ?? ['order_has_rejected_line']));
      continue;
    }
    orders.push({
      id: newId(),
      orderNumber: number,
      externalId: first.externalId,
      orderedAt: first.orderedAt as Date,
      personId: personRef?.id as string,
      companyId: personRef?.companyId ?? null,
      status: first.status,
      currency,
      total: priced.reduce((s, l) => s + l.amount, 0),
      quantity: priced.reduce((s, l) => s + l.line.quantity, 0),
      paymentMethod: first.paymentMethod,
      channel: first.channel,
      store: first.store,
      lines: priced.map((l, i) => ({
        position: i + 1,
        productId: l.productId,
        sku: l.sku,
        name: l.name,
        quantity: l.line.quantity,
        unitPrice: l.unitPrice,
        amount: l.amount,
      })),
    });
  }
  return { orders, rejected };
}
