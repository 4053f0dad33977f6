import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../test/helpers.js';
import { foldMetrics, type MetricOrder } from '../../../shared/contracts/commerce.js';
import type { RunningServer } from '../../server.js';
import { orderImportTuning } from './import.service.js';
import { signWebhook } from './webhook.service.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

async function shop() {
  const ws = await createTestWorkspace(server);
  const client = await signIn(server, ws.adminEmail);
  const product = async (sku: string, unitPrice: number, currency = 'JPY') => {
    const r = await client.post('/api/v1/products', { sku, name: `商品 ${sku}`, unitPrice, currency });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const person = async (familyName: string, email?: string) => {
    const r = await client.post('/api/v1/people', { familyName, emails: email ? [{ address: email }] : [] });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  return { ws, client, product, person };
}

const metricsOf = async (c: TestClient, personId: string) => (await c.get(`/api/v1/people/${personId}/metrics`)).body;

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
    expect(o1.body.lines.map((l: any) => [l.sku, l.amount])).toEqual([
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
    expect(list.body.data.map((o: any) => o.id)).toEqual([o2.body.id, o1.body.id]);
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

describe('visibility', () => {
  it('shows a member with own visibility only the orders and metrics of customers they may see', async () => {
    const { client: a, product } = await shop();
    const ws = await a.get('/api/v1/workspace');
    await a.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own' } });
    const { client: m } = await addUser(server, a, 'member');
    const sku = await product('V', 100);
    const hidden = (await a.post('/api/v1/people', { familyName: '管理者の顧客' })).body.id;
    const mine = (await m.post('/api/v1/people', { familyName: '自分の顧客' })).body.id;
    const theirs = await a.post('/api/v1/orders', { personId: hidden, currency: 'JPY', lines: [{ productId: sku, quantity: 1 }] });
    const own = await m.post('/api/v1/orders', { personId: mine, currency: 'JPY', lines: [{ productId: sku, quantity: 1 }] });
    expect([theirs.status, own.status]).toEqual([201, 201]);
    expect((await m.get('/api/v1/orders')).body.data.map((o: any) => o.id)).toEqual([own.body.id]);
    expect((await a.get('/api/v1/orders')).body.data).toHaveLength(2);
    expect((await m.get(`/api/v1/orders/${theirs.body.id}`)).status).toBe(404);
    expect((await m.get(`/api/v1/people/${hidden}/metrics`)).status).toBe(404);
    expect((await m.post('/api/v1/orders', { personId: hidden, currency: 'JPY', lines: [{ productId: sku, quantity: 1 }] })).status).toBe(
      404,
    );
  });
});

describe('metric list columns', () => {
  it('reads the metrics of a page of people at once, only of visible records, and saved views keep metric columns', async () => {
    const { client: a, product, person } = await shop();
    const ws = await a.get('/api/v1/workspace');
    await a.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own' } });
    const { client: m } = await addUser(server, a, 'member');
    const sku = await product('COL-1', 1500);
    const buyer = await person('列の顧客');
    const none = await person('未購入');
    const mine = (await m.post('/api/v1/people', { familyName: '担当の顧客' })).body.id;
    for (const at of ['2026-01-05T10:00:00+09:00', '2026-02-05T10:00:00+09:00'])
      await a.post('/api/v1/orders', { personId: buyer, currency: 'JPY', orderedAt: at, lines: [{ productId: sku, quantity: 2 }] });
    const other = await shop();
    const foreign = await other.person('他社');
    const r = await a.get(`/api/v1/commerce/metrics?entityType=person&ids=${[buyer, none, foreign].join(',')}`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.data).sort()).toEqual([buyer, none].sort());
    expect(r.body.data[buyer]).toMatchObject({
      purchaseCount: 2,
      purchaseTotal: 6000,
      averageAmount: 3000,
      repeatCustomer: true,
      realisedValue: 6000,
      firstPurchaseAt: '2026-01-05T01:00:00.000Z',
      lastPurchaseAt: '2026-02-05T01:00:00.000Z',
    });
    expect(r.body.data[none]).toMatchObject({ purchaseCount: 0, purchaseTotal: 0, lastPurchaseAt: null, repeatCustomer: false });
    const seen = await m.get(`/api/v1/commerce/metrics?entityType=person&ids=${buyer},${mine}`);
    expect(Object.keys(seen.body.data)).toEqual([mine]);
    expect((await a.get('/api/v1/commerce/metrics?entityType=person&ids=not-an-id')).status).toBe(400);

    // The list sorts by the metric the column shows; a saved view keeps the metric columns.
    const sorted = await a.get(`/api/v1/people?sort=${encodeURIComponent('-purchaseTotal')}&limit=1`);
    expect(sorted.body.data[0].id).toBe(buyer);
    const view = await a.post('/api/v1/views', {
      entityType: 'person',
      name: '購買列',
      columns: ['name', 'purchaseCount', 'purchaseTotal', 'lastPurchaseAt', 'ltv'],
      sort: [{ field: 'lastPurchaseAt', dir: 'desc' }],
    });
    expect(view.status).toBe(201);
    expect((await a.get(`/api/v1/views/${view.body.id}`)).body.columns).toEqual([
      'name',
      'purchaseCount',
      'purchaseTotal',
      'lastPurchaseAt',
      'ltv',
    ]);
    const bad = await a.post('/api/v1/views', { entityType: 'person', name: '誤り', columns: ['purchaseBogus'] });
    expect(bad.status).toBe(400);
  });
});

describe('merges and disclosure', () => {
  it('moves the merged person’s orders to the survivor and recomputes both, and discloses orders', async () => {
    const { client, product } = await shop();
    const sku = await product('M', 1000);
    const s = (await client.post('/api/v1/people', { familyName: '統合先', ignoreDuplicates: true })).body;
    const m = (await client.post('/api/v1/people', { familyName: '統合元', ignoreDuplicates: true })).body;
    await client.post('/api/v1/orders', { personId: s.id, currency: 'JPY', lines: [{ productId: sku, quantity: 1 }] });
    await client.post('/api/v1/orders', { personId: m.id, currency: 'JPY', lines: [{ productId: sku, quantity: 2 }] });
    const merged = await client.post('/api/v1/people/merge', {
      survivorId: s.id,
      mergedId: m.id,
      survivorVersion: s.version,
      mergedVersion: m.version,
    });
    expect(merged.status).toBe(200);
    const metrics = await waitFor('the merged metrics', async () => {
      const m = await metricsOf(client, s.id);
      return m.purchaseCount === 2 ? m : undefined;
    });
    expect(metrics).toMatchObject({ purchaseCount: 2, purchaseTotal: 3000, repeatCustomer: true });
    expect((await client.get(`/api/v1/orders?personId=${s.id}`)).body.data).toHaveLength(2);
    const disclosure = await client.get(`/api/v1/people/${s.id}/export`);
    expect(disclosure.status).toBe(200);
    expect(disclosure.body.modules.orders.map((o: any) => o.lines[0].quantity).sort()).toEqual([1, 2]);
  });
});

describe('filters, sorts and cross-sell', () => {
  it('filters and sorts people by purchase metrics and suggests products bought together', async () => {
    const { client, product, person } = await shop();
    const [x, y, z] = [await product('X', 1000), await product('Y', 2000), await product('Z', 300)];
    const a = await person('Aさん');
    const b = await person('Bさん');
    const c = await person('Cさん');
    const order = (personId: string, ids: string[], status = 'paid') =>
      client.post('/api/v1/orders', { personId, currency: 'JPY', status, lines: ids.map((productId) => ({ productId, quantity: 1 })) });
    await order(a, [x, y]);
    await order(a, [x, y, z]);
    await order(c, [x, z]);
    await order(b, [x]);
    await order(c, [y, z], 'cancelled');

    const f = (filter: unknown) => encodeURIComponent(JSON.stringify(filter));
    const repeat = await client.get(`/api/v1/people?filter=${f({ field: 'repeatCustomer', op: 'is_true' })}`);
    expect(repeat.body.data.map((r: any) => r.id)).toEqual([a]);
    const big = await client.get(`/api/v1/people?filter=${f({ field: 'purchaseTotal', op: 'gte', value: 1300 })}&sort=-purchaseTotal`);
    expect(big.body.data.map((r: any) => r.id)).toEqual([a, c]);
    const recent = await client.get(
      `/api/v1/people?filter=${f({ field: 'daysSinceLastPurchase', op: 'lte', value: 1 })}&sort=purchaseCount`,
    );
    expect(recent.body.data.map((r: any) => r.id).sort()).toEqual([a, b, c].sort());
    expect((await client.get(`/api/v1/people?filter=${f({ field: 'purchaseCount', op: 'gte', value: 'many' })}`)).status).toBe(400);

    const forB = await client.get(`/api/v1/people/${b}/cross-sell`);
    expect(forB.status).toBe(200);
    // X was bought with Y in 2 orders and with Z in 2 counted orders (the cancelled Y+Z order does not count).
    expect(forB.body.data.map((s: any) => [s.sku, s.score])).toEqual([
      ['Y', 2],
      ['Z', 2],
    ]);
    const forC = await client.get(`/api/v1/people/${c}/cross-sell`);
    expect(forC.body.data.map((s: any) => s.sku)).toEqual(['Y']);
    const also = await client.get(`/api/v1/products/${z}/also-bought`);
    expect(also.body.data.map((s: any) => [s.sku, s.score])).toEqual([
      ['X', 2],
      ['Y', 1],
    ]);
  });
});

describe('EC webhook', () => {
  it('stores a signed order once, and refuses wrong signatures and replayed timestamps', async () => {
    const { ws, client, product, person } = await shop();
    await product('EC-1', 2500);
    const p = await person('通販', 'tsuhan@example.jp');
    const url = `/api/v1/commerce/webhook/${ws.workspaceId}/orders`;
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
      server.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json', ...headers } });

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

const CSV = 'text/csv';
const uploadOrders = (c: TestClient, body: string | Buffer, query = 'format=csv', type = CSV) =>
  c.request('POST', `/api/v1/orders/imports?${query}`, body, { 'content-type': type });

/** Polls the import job until it is done. */
async function waitImport(c: TestClient, id: string) {
  return waitFor(
    async () => {
      const r = await c.get(`/api/v1/orders/imports/${id}`);
      return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : undefined;
    },
    { describe: async () => (await c.get(`/api/v1/orders/imports/${id}`)).body },
  );
}

async function importCsv(c: TestClient, csv: string) {
  const up = await uploadOrders(c, csv);
  expect(up.status).toBe(202);
  expect(up.body.status).toBe('queued');
  return { id: up.body.id as string, job: await waitImport(c, up.body.id) };
}

const errorsOf = async (c: TestClient, id: string) => (await c.get(`/api/v1/orders/imports/${id}/errors`)).body.data;

describe('order import job', () => {
  it('imports in the background, rejects bad rows with reasons, updates metrics and skips repeats', async () => {
    const { ws, client, product, person } = await shop();
    await product('A-1', 1000);
    await product('B-2', 500);
    await product('USD-1', 10, 'USD');
    const p = await person('インポート', 'imp@example.jp');
    const other = await shop();
    const foreign = await other.person('他社', 'imp@example.jp');
    await other.product('F-1', 100);
    const csv = [
      '注文番号,注文日時,メールアドレス,顧客ID,SKU,数量,単価,ステータス,通貨,店舗',
      'R-1,2026/03/01 10:00,imp@example.jp,,A-1,2,,完了,,渋谷店',
      'R-1,2026/03/01 10:00,imp@example.jp,,B-2,1,450,完了,,渋谷店',
      'R-2,2026/03/05,imp@example.jp,,A-1,-1,,完了,,渋谷店',
      'R-3,2026/03/06,nobody@example.jp,,A-1,1,,完了,,渋谷店',
      'R-4,2026/03/07,imp@example.jp,,ZZZ,1,,完了,,渋谷店',
      'R-5,2026/03/08,imp@example.jp,,B-2,3,,キャンセル,,渋谷店',
      'R-6,2026/03/09,imp@example.jp,,A-1,1,,完了,USD,渋谷店',
      'R-7,2026/03/10,imp@example.jp,,USD-1,1,,完了,,渋谷店',
      `R-8,2026/03/11,,${foreign},A-1,1,,完了,,渋谷店`,
      'R-9,2026/03/12,imp@example.jp,,F-1,1,,完了,,渋谷店',
      'R-10,2026/03/13,imp@example.jp,,A-1,1.5,-3,完了,,渋谷店',
      'R-11,2026/03/14,imp@example.jp,,A-1,1,,完了,,渋谷店',
      'R-11,2026/03/14,imp@example.jp,,A-1,0,,完了,,渋谷店',
      ',2026/03/15,imp@example.jp,,A-1,1,,完了,,渋谷店',
    ].join('\n');
    const { id, job } = await importCsv(client, csv);
    expect(job).toMatchObject({ status: 'completed', rowsTotal: 14, processed: 14, inserted: 2, skipped: 0, rejected: 11, progress: 1 });
    expect(await errorsOf(client, id)).toEqual([
      { row: 4, orderNumber: 'R-2', reasons: ['invalid_quantity'] },
      { row: 5, orderNumber: 'R-3', reasons: ['unknown_customer'] },
      { row: 6, orderNumber: 'R-4', reasons: ['unknown_product'] },
      { row: 8, orderNumber: 'R-6', reasons: ['wrong_currency'] },
      { row: 9, orderNumber: 'R-7', reasons: ['currency_mismatch'] },
      // Another workspace's person and product are unknown here.
      { row: 10, orderNumber: 'R-8', reasons: ['unknown_customer'] },
      { row: 11, orderNumber: 'R-9', reasons: ['unknown_product'] },
      { row: 12, orderNumber: 'R-10', reasons: ['invalid_quantity', 'invalid_price'] },
      { row: 13, orderNumber: 'R-11', reasons: ['order_has_rejected_line'] },
      { row: 14, orderNumber: 'R-11', reasons: ['invalid_quantity'] },
      { row: 15, orderNumber: null, reasons: ['order_number_required'] },
    ]);
    const m = await metricsOf(client, p);
    expect(m).toMatchObject({ purchaseCount: 1, purchaseTotal: 2450, purchaseQuantity: 3, realisedValue: 2450 });
    expect(m.firstPurchaseAt).toBe('2026-03-01T01:00:00.000Z');
    expect(await metricsOf(other.client, foreign)).toMatchObject({ purchaseCount: 0 });

    // The report: the file's columns, the row number and the reasons in the user's language.
    const report = await client.request('GET', `/api/v1/orders/imports/${id}/errors.csv`);
    expect(report.status).toBe(200);
    const text = String(report.body);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe('注文番号,注文日時,メールアドレス,顧客ID,SKU,数量,単価,ステータス,通貨,店舗,行番号,エラー理由');
    expect(lines[1]).toBe('R-2,2026/03/05,imp@example.jp,,A-1,-1,,完了,,渋谷店,4,数量は 1 以上の整数で入力してください');
    expect(lines).toHaveLength(13);

    // The same file again creates nothing twice.
    const again = await importCsv(client, csv);
    expect(again.job).toMatchObject({ status: 'completed', inserted: 0, skipped: 2, rejected: 11 });
    expect((await metricsOf(client, p)).purchaseCount).toBe(1);
    const count = await server.database.pool.query('SELECT count(*)::int AS n FROM orders WHERE workspace_id = $1', [ws.workspaceId]);
    expect(count.rows[0].n).toBe(2);

    // Another workspace cannot see the job.
    expect((await other.client.get(`/api/v1/orders/imports/${id}`)).status).toBe(404);
    expect((await other.client.get(`/api/v1/orders/imports/${id}/errors.csv`)).status).toBe(404);
  });

  it('counts products bought together from an imported file like from orders entered one by one', async () => {
    const { ws, client, product, person } = await shop();
    for (const sku of ['PA', 'PB', 'PC']) await product(sku, 100);
    const buyer = await person('ペア', 'pair@example.jp');
    const rows = [
      ['P-1', 'PA'],
      ['P-1', 'PB'],
      ['P-2', 'PA'],
      ['P-2', 'PB'],
      ['P-2', 'PC'],
      ['P-3', 'PA', 'キャンセル'],
      ['P-3', 'PC', 'キャンセル'],
      ['P-4', 'PA'],
      ['P-4', 'PA'],
      ['P-4', 'PC'],
      ['P-5', 'PB'],
    ];
    const csv = ['注文番号,注文日時,メールアドレス,SKU,数量,ステータス']
      .concat(rows.map(([n, sku, status]) => `${n},2026/04/01,pair@example.jp,${sku},1,${status ?? '完了'}`))
      .join('\n');
    expect((await importCsv(client, csv)).job).toMatchObject({ status: 'completed', inserted: 5, rejected: 0 });
    const pairs = await server.database.pool.query(
      `SELECT a.sku || '+' || b.sku AS pair, pp.orders FROM product_pairs pp
       JOIN products a ON a.workspace_id = pp.workspace_id AND a.id = pp.product_id
       JOIN products b ON b.workspace_id = pp.workspace_id AND b.id = pp.other_product_id
       WHERE pp.workspace_id = $1 ORDER BY 1`,
      [ws.workspaceId],
    );
    // The cancelled order is not counted; a product twice in one order counts once.
    expect(Object.fromEntries(pairs.rows.map((r) => [r.pair, r.orders]))).toEqual({
      'PA+PB': 2,
      'PA+PC': 2,
      'PB+PA': 2,
      'PB+PC': 1,
      'PC+PA': 2,
      'PC+PB': 1,
    });
    expect(await metricsOf(client, buyer)).toMatchObject({ purchaseCount: 4, purchaseQuantity: 9 });
  });

  it('refuses a file without the required columns at upload and keeps nothing', async () => {
    const { ws, client } = await shop();
    const bad = await uploadOrders(client, 'a,b\n1,2');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0]).toMatchObject({ path: 'header', code: 'missing_columns' });
    const empty = await uploadOrders(client, '');
    expect(empty.status).toBe(400);
    const jobs = await server.database.pool.query(
      "SELECT count(*)::int AS n FROM import_jobs WHERE workspace_id = $1 AND kind = 'orders'",
      [ws.workspaceId],
    );
    expect(jobs.rows[0].n).toBe(0);
  });

  it('gives every order of a small file its timeline entry on the customer', async () => {
    const { client, product, person } = await shop();
    await product('T-1', 700);
    const p = await person('時系列', 'tl@example.jp');
    const { job } = await importCsv(client, '注文番号,注文日時,メールアドレス,SKU,数量\nTL-1,2026/05/01 09:00,tl@example.jp,T-1,2\n');
    expect(job).toMatchObject({ status: 'completed', inserted: 1, timeline: true });
    const entry = await waitFor('the purchase entry', async () =>
      ((await client.get(`/api/v1/timeline/person/${p}`)).body.data as any[]).find((e) => e.kind === 'purchase'),
    );
    expect(JSON.stringify(entry)).toContain('TL-1');
  });

  it('reads an XLSX sheet with English headers and matches customers by phone and id', async () => {
    const { client, product, person } = await shop();
    await product('X-1', 800);
    const byId = await person('ID一致');
    const byPhone = (await client.post('/api/v1/people', { familyName: '電話一致', phones: [{ number: '090-1111-2222' }] })).body.id;
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('orders');
    sheet.addRow(['Order number', 'Ordered at', 'Customer ID', 'Phone', 'SKU', 'Quantity', 'Status']);
    sheet.addRow(['X-100', new Date('2026-04-01T03:00:00Z'), byId, '', 'X-1', 3, 'shipped']);
    sheet.addRow(['X-101', '2026-04-02', '', '09011112222', 'X-1', 1, 'paid']);
    const body = Buffer.from(await wb.xlsx.writeBuffer());
    const up = await uploadOrders(
      client,
      body,
      'format=xlsx&filename=orders.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(up.status).toBe(202);
    expect(await waitImport(client, up.body.id)).toMatchObject({ status: 'completed', rowsTotal: 2, inserted: 2, rejected: 0 });
    expect(await metricsOf(client, byId)).toMatchObject({
      purchaseCount: 1,
      purchaseTotal: 2400,
      firstPurchaseAt: '2026-04-01T03:00:00.000Z',
    });
    expect(await metricsOf(client, byPhone)).toMatchObject({
      purchaseCount: 1,
      purchaseTotal: 800,
      firstPurchaseAt: '2026-04-01T15:00:00.000Z',
    });
  });
});

describe('order import across a restart', () => {
  it('resumes from the committed batches without duplicating or losing orders, lines or metric sums', async () => {
    const first = await startTestServer();
    const ws = await createTestWorkspace(first);
    let c = await signIn(first, ws.adminEmail);
    expect((await c.post('/api/v1/products', { sku: 'S-1', name: '商品', unitPrice: 100, currency: 'JPY' })).status).toBe(201);
    const p = (await c.post('/api/v1/people', { familyName: '再開', emails: [{ address: 'resume@example.jp' }] })).body.id;
    // 30 orders, every third with a second line (40 rows); order RS-7 (row 12) is bad.
    const rows: string[] = [];
    for (let i = 0; i < 30; i++) {
      rows.push(`RS-${i},2026/06/01,resume@example.jp,S-1,${i === 7 ? -1 : 1}`);
      if (i % 3 === 0) rows.push(`RS-${i},2026/06/01,resume@example.jp,S-1,2`);
    }
    const csv = `注文番号,注文日時,メールアドレス,SKU,数量\n${rows.join('\n')}\n`;
    orderImportTuning.batchSize = 4;
    let chunks = 0;
    let stopping: Promise<void> | undefined;
    orderImportTuning.afterBatch = async () => {
      chunks++;
      // The server goes down right after the first batch committed.
      if (chunks === 1) stopping = first.stop();
    };
    try {
      const up = await uploadOrders(c, csv);
      expect(up.status).toBe(202);
      while (!stopping) await new Promise((r) => setTimeout(r, 10));
      await stopping;
      const second = await startTestServer({ databaseUrl: first.databaseUrl });
      try {
        c = await signIn(second, ws.adminEmail);
        const job = await waitImport(c, up.body.id);
        expect(job).toMatchObject({ status: 'completed', rowsTotal: 40, processed: 40, inserted: 29, rejected: 1 });
        expect(chunks).toBeGreaterThan(2);
        const q = (text: string) => second.database.pool.query(text, [ws.workspaceId]).then((r) => r.rows[0]);
        expect(await q('SELECT count(*)::int AS n, count(DISTINCT order_number)::int AS d FROM orders WHERE workspace_id = $1')).toEqual({
          n: 29,
          d: 29,
        });
        expect(await q('SELECT count(*)::int AS n FROM order_lines WHERE workspace_id = $1')).toEqual({ n: 29 + 10 });
        // Metric sums equal the orders: no batch was counted twice.
        expect(await metricsOf(c, p)).toMatchObject({ purchaseCount: 29, purchaseQuantity: 29 + 10 * 2, purchaseTotal: (29 + 20) * 100 });
        expect(await errorsOf(c, up.body.id)).toEqual([{ row: 12, orderNumber: 'RS-7', reasons: ['invalid_quantity'] }]);
        const parts = await second.database.pool.query('SELECT count(*)::int AS n FROM import_files WHERE import_id = $1', [up.body.id]);
        expect(parts.rows[0].n).toBe(0);
      } finally {
        await second.stop();
      }
    } finally {
      orderImportTuning.batchSize = 5000;
      orderImportTuning.afterBatch = undefined;
    }
  });
});
