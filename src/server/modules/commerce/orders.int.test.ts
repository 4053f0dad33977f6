import { describe, expect, it } from 'vitest';
import { foldMetrics, type MetricOrder } from '../../../shared/contracts/commerce.js';
import { commerceServer, metricsOf, openShop } from './commerce.test-support.js';
import { signWebhook } from './webhook.service.js';

/** Orders entered through the API and sent by the EC site's webhook, and the customer metrics they keep current. */

const h = commerceServer();
const shop = () => openShop(h.server);

describe('orders and always-current metrics', () => {
  it('updates count, totals, averages, first/last, repeat flag and LTV after each order, cancellation and refund', async () => {
    const { client, product, person } = await shop();
    const tea = await product('TEA-1', 1200);
    const cup = await product('CUP-1', 3500);
    const p = await person('山田');
    expect(await metricsOf(client, p)).toMatchObject({ purchaseCount: 0, purchaseTotal: 0, averageAmount: null, repeatCustomer: false });

    const o1 = await client.post('/api/v1/orders', {
      personId: p,
      currency: 'JPY',
      orderedAt: '2026-01-10T10:00:00+09:00',
      lines: [
        { productId: tea, quantity: 3 },
        { productId: cup, quantity: 1, unitPrice: 3333 },
      ],
      paymentMethod: 'クレジットカード',
      channel: 'EC',
      store: '本店',
    });
    expect(o1.status).toBe(201);
    expect(o1.body).toMatchObject({ total: 3 * 1200 + 3333, quantity: 4, status: 'paid', source: 'ui', customerName: '山田' });
    expect(o1.body.orderNumber).toMatch(/^O-\d{6}$/);
    expect(o1.body.lines.map((l: { sku: string; amount: number }) => [l.sku, l.amount])).toEqual([
      ['TEA-1', 3600],
      ['CUP-1', 3333],
    ]);
    let m = await metricsOf(client, p);
    expect(m).toMatchObject({
      purchaseCount: 1,
      purchaseTotal: 6933,
      averageAmount: 6933,
      purchaseQuantity: 4,
      repeatCustomer: false,
      realisedValue: 6933,
    });

    const o2 = await client.post('/api/v1/orders', {
      personId: p,
      currency: 'JPY',
      status: 'completed',
      orderedAt: '2026-02-01T09:00:00+09:00',
      lines: [{ sku: 'tea-1', quantity: 1 }],
    });
    expect(o2.status).toBe(201);
    m = await metricsOf(client, p);
    // (6933 + 1200) / 2 = 4066.5 → 4067 (half up, integer yen)
    expect(m).toMatchObject({ purchaseCount: 2, purchaseTotal: 8133, averageAmount: 4067, averageQuantity: 2.5, repeatCustomer: true });
    expect(m.firstPurchaseAt).toBe('2026-01-10T01:00:00.000Z');
    expect(m.lastPurchaseAt).toBe('2026-02-01T00:00:00.000Z');
    expect(m.daysSinceLastPurchase).toBeGreaterThan(200);

    const partial = await client.patch(`/api/v1/orders/${o1.body.id}`, { version: o1.body.version, refundedAmount: 1000 });
    expect(partial.status).toBe(200);
    expect(await metricsOf(client, p)).toMatchObject({ purchaseCount: 2, purchaseTotal: 8133, realisedValue: 7133, refundedTotal: 1000 });

    const stale = await client.patch(`/api/v1/orders/${o1.body.id}`, { version: o1.body.version, status: 'cancelled' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.refundedAmount).toBe(1000);

    const cancelled = await client.patch(`/api/v1/orders/${o1.body.id}`, { version: partial.body.version, status: 'cancelled' });
    expect(cancelled.status).toBe(200);
    m = await metricsOf(client, p);
    expect(m).toMatchObject({ purchaseCount: 1, purchaseTotal: 1200, averageAmount: 1200, repeatCustomer: false, realisedValue: 1200 });
    expect(m.firstPurchaseAt).toBe('2026-02-01T00:00:00.000Z');

    const refunded = await client.patch(`/api/v1/orders/${o2.body.id}`, { version: o2.body.version, status: 'refunded' });
    expect(refunded.body.refundedAmount).toBe(1200);
    expect(await metricsOf(client, p)).toMatchObject({ purchaseCount: 0, purchaseTotal: 0, realisedValue: 0, refundedTotal: 1200 });

    const list = await client.get(`/api/v1/orders?personId=${p}`);
    expect(list.body.data.map((o: { id: string }) => o.id)).toEqual([o2.body.id, o1.body.id]);
    const deleted = await client.delete(`/api/v1/orders/${o2.body.id}`);
    expect(deleted.status).toBe(200);
    expect((await client.get(`/api/v1/orders/${o2.body.id}`)).status).toBe(404);
  });

  it('keeps the metrics equal to the arithmetic over every order, under concurrent orders of one customer', async () => {
    const { client, product, person } = await shop();
    const sku = await product('X', 333);
    const p = await person('並行');
    const statuses = ['paid', 'completed', 'cancelled', 'pending', 'shipped', 'refunded', 'paid', 'completed'] as const;
    const made = await Promise.all(
      statuses.map((status, i) =>
        client.post('/api/v1/orders', {
          personId: p,
          currency: 'JPY',
          status,
          orderedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
          lines: [{ productId: sku, quantity: i + 1 }],
        }),
      ),
    );
    expect(made.map((r) => r.status)).toEqual(statuses.map(() => 201));
    const expected = foldMetrics(
      made.map(
        (r) =>
          ({
            status: r.body.status,
            total: r.body.total,
            refundedAmount: r.body.refundedAmount,
            quantity: r.body.quantity,
            orderedAt: r.body.orderedAt,
          }) as MetricOrder,
      ),
    );
    const m = await metricsOf(client, p);
    expect({
      purchaseCount: m.purchaseCount,
      purchaseTotal: m.purchaseTotal,
      purchaseQuantity: m.purchaseQuantity,
      firstPurchaseAt: m.firstPurchaseAt,
      lastPurchaseAt: m.lastPurchaseAt,
      realisedValue: m.realisedValue,
      refundedTotal: m.refundedTotal,
    }).toEqual(expected);
  });

  it('refuses bad input with 4xx and stores nothing', async () => {
    const { client, product, person } = await shop();
    const tea = await product('TEA', 500);
    const usd = await product('USD-1', 999, 'USD');
    const p = await person('佐藤');
    const other = await shop();
    const foreignPerson = await other.person('他社');
    const foreignProduct = await other.product('TEA', 500);
    const base = { personId: p, currency: 'JPY', lines: [{ productId: tea, quantity: 1 }] };

    const cases: [unknown, number, string][] = [
      [{ ...base, lines: [{ productId: tea, quantity: -2 }] }, 400, 'validation_failed'],
      [{ ...base, lines: [{ productId: tea, quantity: 1.5 }] }, 400, 'validation_failed'],
      [{ ...base, lines: [{ productId: tea, quantity: 1, unitPrice: -100 }] }, 400, 'validation_failed'],
      [{ ...base, lines: [] }, 400, 'validation_failed'],
      [{ ...base, lines: [{ sku: 'NOPE', quantity: 1 }] }, 400, 'validation_failed'],
      [{ ...base, lines: [{ productId: foreignProduct, quantity: 1 }] }, 400, 'validation_failed'],
      [{ ...base, currency: 'USD' }, 400, 'validation_failed'],
      [{ ...base, currency: 'XXQ' }, 400, 'validation_failed'],
      [{ ...base, lines: [{ productId: usd, quantity: 1 }] }, 400, 'validation_failed'],
      [{ ...base, personId: foreignPerson }, 404, 'not_found'],
      [{ ...base, personId: undefined }, 400, 'validation_failed'],
      [{ ...base, status: 'lost' }, 400, 'validation_failed'],
      [{ ...base, refundedAmount: 501 }, 400, 'validation_failed'],
      [{ ...base, repId: foreignPerson }, 400, 'validation_failed'],
      [{ ...base, orderedAt: 'yesterday' }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const r = await client.post('/api/v1/orders', body);
      expect([JSON.stringify(body), r.status, r.body.error?.code]).toEqual([JSON.stringify(body), status, code]);
    }
    const unknown = await client.post('/api/v1/orders', { ...base, lines: [{ sku: 'NOPE', quantity: 1 }] });
    expect(unknown.body.error.details.issues).toEqual([{ path: 'lines.0.sku', code: 'unknown_product' }]);
    const wrong = await client.post('/api/v1/orders', { ...base, currency: 'USD' });
    expect(wrong.body.error.details.issues[0]).toMatchObject({ path: 'currency', code: 'wrong_currency', expected: 'JPY' });
    expect((await client.get('/api/v1/orders')).body.data).toEqual([]);
    expect(await metricsOf(client, p)).toMatchObject({ purchaseCount: 0 });

    const mine = await client.post('/api/v1/orders', { ...base, orderNumber: 'A-1' });
    expect(mine.status).toBe(201);
    expect((await client.post('/api/v1/orders', { ...base, orderNumber: 'A-1' })).status).toBe(409);
    expect((await other.client.get(`/api/v1/orders/${mine.body.id}`)).status).toBe(404);
    expect((await other.client.patch(`/api/v1/orders/${mine.body.id}`, { version: 1, status: 'cancelled' })).status).toBe(404);
    expect((await other.client.get(`/api/v1/people/${p}/metrics`)).status).toBe(404);
    expect((await client.get('/api/v1/orders?cursor=bm9wZQ')).status).toBe(400);
    expect((await client.get(`/api/v1/orders?cursor=${Buffer.from('["2026-01-01","x"]').toString('base64url')}`)).status).toBe(400);
  });

  it('returns the stored order for a repeated externalId through the API', async () => {
    const { client, product, person } = await shop();
    const tea = await product('T', 100);
    const p = await person('冪等');
    const body = { personId: p, currency: 'JPY', externalId: 'shop-1', lines: [{ productId: tea, quantity: 1 }] };
    const a = await client.post('/api/v1/orders', body);
    const b = await client.post('/api/v1/orders', body);
    expect([a.status, b.status]).toEqual([201, 200]);
    expect(b.body.id).toBe(a.body.id);
    expect(await metricsOf(client, p)).toMatchObject({ purchaseCount: 1 });
  });
});

describe('EC webhook', () => {
  it('stores a signed order once, and refuses wrong signatures and replayed timestamps', async () => {
    const { workspace, client, product, person } = await shop();
    await product('EC-1', 2500);
    const p = await person('通販', 'tsuhan@example.jp');
    const url = `/api/v1/commerce/webhook/${workspace.id}/orders`;
    const payload = {
      externalId: 'shopify-1001',
      orderedAt: new Date().toISOString(),
      currency: 'JPY',
      customer: { email: 'TSUHAN@example.jp' },
      lines: [{ sku: 'EC-1', quantity: 2, unitPrice: 2400 }],
      channel: 'EC',
    };
    const raw = JSON.stringify(payload);
    const now = () => String(Math.floor(Date.now() / 1000));
    const send = (body: string, headers: Record<string, string>) =>
      h.server.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json', ...headers } });

    // Not configured yet: nothing can be verified.
    expect((await send(raw, { 'x-crm-timestamp': now(), 'x-crm-signature': signWebhook('x', now(), raw) })).statusCode).toBe(401);

    const status0 = await client.get('/api/v1/commerce/webhook-secret');
    expect(status0.body).toMatchObject({ configured: false, hint: null });
    const rotated = await client.post('/api/v1/commerce/webhook-secret/rotate');
    expect(rotated.status).toBe(200);
    const secret = rotated.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const status1 = await client.get('/api/v1/commerce/webhook-secret');
    expect(status1.body.secret).toBeUndefined();
    expect(status1.body.hint).toBe(`…${secret.slice(-4)}`);

    const ts = now();
    const wrong = await send(raw, { 'x-crm-timestamp': ts, 'x-crm-signature': signWebhook(`${secret}x`, ts, raw) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('webhook_signature_invalid');
    const tampered = await send(raw.replace('2400', '1'), { 'x-crm-timestamp': ts, 'x-crm-signature': signWebhook(secret, ts, raw) });
    expect(tampered.statusCode).toBe(401);
    const missing = await send(raw, {});
    expect(missing.statusCode).toBe(401);
    const old = String(Math.floor(Date.now() / 1000) - 301);
    const replayed = await send(raw, { 'x-crm-timestamp': old, 'x-crm-signature': signWebhook(secret, old, raw) });
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().error.code).toBe('webhook_timestamp_expired');
    expect((await client.get('/api/v1/orders')).body.data).toEqual([]);

    const ok = await send(raw, { 'x-crm-timestamp': ts, 'x-crm-signature': signWebhook(secret, ts, raw) });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ personId: p, total: 4800, source: 'webhook', externalId: 'shopify-1001' });
    const again = await send(raw, { 'x-crm-timestamp': ts, 'x-crm-signature': signWebhook(secret, ts, raw) });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(ok.json().id);
    expect((await client.get('/api/v1/orders')).body.data).toHaveLength(1);
    expect(await metricsOf(client, p)).toMatchObject({ purchaseCount: 1, purchaseTotal: 4800 });

    const badBody = JSON.stringify({ ...payload, externalId: 'shopify-1002', lines: [{ sku: 'EC-1', quantity: -1, unitPrice: 1 }] });
    const bad = await send(badBody, { 'x-crm-timestamp': ts, 'x-crm-signature': signWebhook(secret, ts, badBody) });
    expect(bad.statusCode).toBe(400);
    const newCustomer = JSON.stringify({
      ...payload,
      externalId: 'shopify-1003',
      customer: { email: 'new@example.jp', familyName: '新規' },
    });
    const created = await send(newCustomer, { 'x-crm-timestamp': ts, 'x-crm-signature': signWebhook(secret, ts, newCustomer) });
    expect(created.statusCode).toBe(201);
    expect(created.json().customerName).toBe('新規');

    // A rotated secret invalidates the old one at once.
    await client.post('/api/v1/commerce/webhook-secret/rotate');
    const afterRotate = JSON.stringify({ ...payload, externalId: 'shopify-1004' });
    expect((await send(afterRotate, { 'x-crm-timestamp': ts, 'x-crm-signature': signWebhook(secret, ts, afterRotate) })).statusCode).toBe(
      401,
    );
  });
});
