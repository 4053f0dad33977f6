import { describe, expect, it } from 'vitest';
import { makeUser } from '../../../../test/factories.js';
import { waitFor } from '../../../../test/helpers.js';
import { commerceServer, metricsOf, openShop, type ShopOptions } from './commerce.test-support.js';

/** What customers' screens show of their purchases: visibility, list columns, merges and disclosure, filters, cross-sell. */

const h = commerceServer();
const shop = (options?: ShopOptions) => openShop(h.server, options);

describe('visibility', () => {
  it('shows a member with own visibility only the orders and metrics of customers they may see', async () => {
    const { workspace, client: a, product } = await shop({ visibility: { member: 'own' } });
    const { client: m } = await makeUser(workspace, 'member');
    const sku = await product('V', 100);
    const hidden = (await a.post('/api/v1/people', { familyName: '管理者の顧客' })).body.id;
    const mine = (await m.post('/api/v1/people', { familyName: '自分の顧客' })).body.id;
    const theirs = await a.post('/api/v1/orders', { personId: hidden, currency: 'JPY', lines: [{ productId: sku, quantity: 1 }] });
    const own = await m.post('/api/v1/orders', { personId: mine, currency: 'JPY', lines: [{ productId: sku, quantity: 1 }] });
    expect([theirs.status, own.status]).toEqual([201, 201]);
    expect((await m.get('/api/v1/orders')).body.data.map((o: { id: string }) => o.id)).toEqual([own.body.id]);
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
    const { workspace, client: a, product, person } = await shop({ visibility: { member: 'own' } });
    const { client: m } = await makeUser(workspace, 'member');
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
    expect(disclosure.body.modules.orders.map((o: { lines: { quantity: number }[] }) => o.lines[0]?.quantity).sort()).toEqual([1, 2]);
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
    expect(repeat.body.data.map((r: { id: string }) => r.id)).toEqual([a]);
    const big = await client.get(`/api/v1/people?filter=${f({ field: 'purchaseTotal', op: 'gte', value: 1300 })}&sort=-purchaseTotal`);
    expect(big.body.data.map((r: { id: string }) => r.id)).toEqual([a, c]);
    const recent = await client.get(
      `/api/v1/people?filter=${f({ field: 'daysSinceLastPurchase', op: 'lte', value: 1 })}&sort=purchaseCount`,
    );
    expect(recent.body.data.map((r: { id: string }) => r.id).sort()).toEqual([a, b, c].sort());
    expect((await client.get(`/api/v1/people?filter=${f({ field: 'purchaseCount', op: 'gte', value: 'many' })}`)).status).toBe(400);

    const forB = await client.get(`/api/v1/people/${b}/cross-sell`);
    expect(forB.status).toBe(200);
    // X was bought with Y in 2 orders and with Z in 2 counted orders (the cancelled Y+Z order does not count).
    expect(forB.body.data.map((s: { sku: string; score: number }) => [s.sku, s.score])).toEqual([
      ['Y', 2],
      ['Z', 2],
    ]);
    const forC = await client.get(`/api/v1/people/${c}/cross-sell`);
    expect(forC.body.data.map((s: { sku: string }) => s.sku)).toEqual(['Y']);
    const also = await client.get(`/api/v1/products/${z}/also-bought`);
    expect(also.body.data.map((s: { sku: string; score: number }) => [s.sku, s.score])).toEqual([
      ['X', 2],
      ['Y', 1],
    ]);
  });
});
