import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOrder, makePerson, makeWorkspace } from '../../../../test/factories.js';
import { startTestServer } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

// Orders carry the workspace's currency and their sums make the customers' purchase metrics: once one is stored, a
// change of currency would add yen to dollars (issue 11). Sales' amounts carry their own currency and do not count.
describe('the workspace currency', () => {
  it('changes freely until an order is stored, then is refused with 409 currency_in_use and nothing changes', async () => {
    const ws = await makeWorkspace(server);
    const admin = ws.admin.client;
    const toUsd = await admin.patch('/api/v1/workspace', { version: ws.settings.version, currency: 'USD' });
    expect(toUsd.status).toBe(200);
    const back = await admin.patch('/api/v1/workspace', { version: toUsd.body.version, currency: 'JPY' });
    expect(back.status).toBe(200);

    const deal = await admin.post('/api/v1/deals', { title: 'ドル建て', amount: 1000, currency: 'USD' });
    expect(deal.status, 'a deal in another currency does not lock the workspace').toBe(201);
    const stillFree = await admin.patch('/api/v1/workspace', { version: back.body.version, currency: 'EUR' });
    expect(stillFree.status).toBe(200);
    const jpy = await admin.patch('/api/v1/workspace', { version: stillFree.body.version, currency: 'JPY' });

    expect((await admin.get('/api/v1/workspace')).body.currencyLocked).toBe(false);
    await makeOrder(admin, { personId: (await makePerson(admin)).id });
    expect((await admin.get('/api/v1/workspace')).body.currencyLocked, 'the settings screen disables the currency').toBe(true);
    const refused = await admin.patch('/api/v1/workspace', { version: jpy.body.version, currency: 'USD', name: '改名しない' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('currency_in_use');
    expect(refused.body.error.message).toContain('通貨は変更できません');
    expect(refused.body.error.details).toMatchObject({ held: ['orders'], currency: 'JPY' });
    const now = (await admin.get('/api/v1/workspace')).body;
    expect(now).toMatchObject({ currency: 'JPY', version: jpy.body.version });
    expect(now.name).not.toBe('改名しない');

    const sameCurrency = await admin.patch('/api/v1/workspace', { version: now.version, currency: 'JPY', name: '改名する' });
    expect(sameCurrency.status, 'the same currency with other changes is fine').toBe(200);
    expect(sameCurrency.body.name).toBe('改名する');
  });

  it('refuses in English for an English caller, and other workspaces are not affected', async () => {
    const withOrders = await makeWorkspace(server, { locale: 'en' });
    await makeOrder(withOrders.admin.client, { personId: (await makePerson(withOrders.admin.client)).id });
    const other = await makeWorkspace(server);
    const free = await other.admin.client.patch('/api/v1/workspace', { version: other.settings.version, currency: 'USD' });
    expect(free.status).toBe(200);
    const refused = await withOrders.admin.client.patch('/api/v1/workspace', { version: withOrders.settings.version, currency: 'USD' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      'The currency cannot change once orders are stored: customers’ purchase totals would add up two currencies.',
    );
  });
});
