import { describe, expect, it } from 'vitest';
import { averageAmount, averageQuantity, daysSince, foldMetrics, type MetricOrder } from '../../../shared/contracts/commerce.js';
import { mapHeader, parseLine } from './import-rows.js';
import { signWebhook, verifySignature } from './webhook.service.js';

const order = (status: MetricOrder['status'], total: number, orderedAt: string, extra: Partial<MetricOrder> = {}): MetricOrder => ({
  status,
  total,
  refundedAmount: 0,
  quantity: 1,
  orderedAt,
  ...extra,
});

describe('metric arithmetic', () => {
  it('sums integer minor units exactly and keeps the average a whole minor unit', () => {
    // Ten orders of $10.01 kept as 1001 cents: 10010 exactly (10.01 as a float summed ten times is 100.09999999999998).
    const orders = Array.from({ length: 10 }, (_, i) => order('paid', 1001, `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`));
    expect(foldMetrics(orders).purchaseTotal).toBe(10010);
    expect(Number.isInteger(averageAmount(10010, 3))).toBe(true);
    const big = foldMetrics([order('paid', 999_999_999_999_999, '2026-01-01T00:00:00Z'), order('paid', 1, '2026-01-02T00:00:00Z')]);
    expect(big.purchaseTotal).toBe(1_000_000_000_000_000);
  });

  it('rounds the average half up in integer arithmetic', () => {
    expect(averageAmount(8133, 2)).toBe(4067);
    expect(averageAmount(10, 3)).toBe(3);
    expect(averageAmount(11, 3)).toBe(4);
    expect(averageAmount(0, 0)).toBeNull();
    expect(averageQuantity(5, 2)).toBe(2.5);
    expect(averageQuantity(1, 3)).toBe(0.3);
    expect(averageQuantity(2, 3)).toBe(0.7);
  });

  it('leaves cancelled and refunded orders out of count, total and dates, and subtracts refunds from LTV', () => {
    const m = foldMetrics([
      order('paid', 1000, '2026-01-01T00:00:00Z', { quantity: 2 }),
      order('completed', 3000, '2026-02-01T00:00:00Z', { refundedAmount: 500, quantity: 3 }),
      order('cancelled', 9000, '2025-12-01T00:00:00Z'),
      order('refunded', 700, '2026-03-01T00:00:00Z', { refundedAmount: 700 }),
      order('pending', 400, '2026-01-15T00:00:00Z'),
    ]);
    expect(m).toEqual({
      purchaseCount: 3,
      purchaseTotal: 4400,
      purchaseQuantity: 6,
      firstPurchaseAt: '2026-01-01T00:00:00Z',
      lastPurchaseAt: '2026-02-01T00:00:00Z',
      // pending is not yet money received; the partial refund of 500 and the full refund of 700 come off.
      realisedValue: 1000 + 3000 - 500,
      refundedTotal: 1200,
    });
  });

  it('counts whole days since the last purchase at read time', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(daysSince('2026-03-10T00:00:00Z', now)).toBe(0);
    expect(daysSince('2026-03-01T12:00:00Z', now)).toBe(9);
    expect(daysSince('2026-03-11T00:00:00Z', now)).toBe(0);
    expect(daysSince(null, now)).toBeNull();
  });
});

describe('webhook signature', () => {
  it('verifies the HMAC over timestamp and raw body, and refuses any change', () => {
    const body = Buffer.from('{"externalId":"1"}');
    const sig = signWebhook('s3cret', '1767225600', body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret', '1767225600', body, sig)).toBe(true);
    expect(verifySignature('s3cret', '1767225601', body, sig)).toBe(false);
    expect(verifySignature('s3cret', '1767225600', Buffer.from('{"externalId":"2"}'), sig)).toBe(false);
    expect(verifySignature('other', '1767225600', body, sig)).toBe(false);
    expect(verifySignature('s3cret', '1767225600', body, 'sha256=00')).toBe(false);
  });
});

describe('import rows', () => {
  const cols = mapHeader(['注文番号', '注文日時', 'Email', 'ＳＫＵ', '数量', '単価', 'ステータス']);
  it('maps Japanese, English and full-width headers', () => {
    expect(cols).toEqual({ orderNumber: 0, orderedAt: 1, email: 2, sku: 3, quantity: 4, unitPrice: 5, status: 6 });
  });
  it('reads Tokyo wall-clock dates, Japanese statuses and prices with yen signs', () => {
    const l = parseLine(['A-1', '2026/03/01 10:00', 'A@Example.jp', 'x', '2', '￥1,200', '発送済み'], cols, 2);
    expect(l).toMatchObject({
      orderedAt: new Date('2026-03-01T01:00:00Z'),
      email: 'a@example.jp',
      quantity: 2,
      unitPrice: 1200,
      status: 'shipped',
      reasons: [],
    });
  });
  it('names every problem of a row', () => {
    const l = parseLine(['', 'someday', '', '', '-3', '1.5', '不明'], cols, 7);
    expect(l.reasons).toEqual([
      'order_number_required',
      'invalid_date',
      'customer_required',
      'sku_required',
      'invalid_quantity',
      'invalid_price',
      'invalid_status',
    ]);
  });
});
