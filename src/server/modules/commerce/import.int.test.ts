import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../test/helpers.js';
import { newId } from '../../platform/ids.js';
import type { RunningServer } from '../../server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

async function importOrders(c: TestClient, csv: string) {
  const up = await c.request('POST', '/api/v1/orders/imports?format=csv', csv, { 'content-type': 'text/csv' });
  expect(up.status, JSON.stringify(up.body)).toBe(202);
  return waitFor('the order import', async () => {
    const r = await c.get(`/api/v1/orders/imports/${up.body.id}`);
    return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : undefined;
  });
}

describe('order import visibility', () => {
  it('shows a job, its rejected rows and its report only to its creator, to users whose visibility covers the creator, and to admins', async () => {
    const ws = await createTestWorkspace(server);
    const admin = await signIn(server, ws.adminEmail);
    const settings = await admin.get('/api/v1/workspace');
    await admin.patch('/api/v1/workspace', { version: settings.body.version, visibility: { member: 'own', manager: 'team' } });
    expect((await admin.post('/api/v1/products', { sku: 'V-1', name: '商品', unitPrice: 100, currency: 'JPY' })).status).toBe(201);
    const users = {
      owner: await addUser(server, admin, 'member', '作成 一郎'),
      other: await addUser(server, admin, 'member', '別人 二郎'),
      lead: await addUser(server, admin, 'manager', '同班 三郎'),
      outsider: await addUser(server, admin, 'manager', '他班 四郎'),
    };
    expect((await admin.post('/api/v1/teams', { name: '東京', memberIds: [users.owner.userId, users.lead.userId] })).status).toBe(201);
    expect((await admin.post('/api/v1/teams', { name: '大阪', memberIds: [users.other.userId, users.outsider.userId] })).status).toBe(201);
    const owner = await signIn(server, users.owner.email);
    const other = await signIn(server, users.other.email);
    const lead = await signIn(server, users.lead.email);
    const outsider = await signIn(server, users.outsider.email);
    expect((await owner.post('/api/v1/people', { familyName: '購入', emails: [{ address: 'buyer@example.jp' }] })).status).toBe(201);
    const job = await importOrders(
      owner,
      '注文番号,注文日時,メールアドレス,SKU,数量\nV-100,2026/06/01,buyer@example.jp,V-1,1\nV-101,2026/06/01,secret@example.jp,V-1,1\n',
    );
    expect(job).toMatchObject({ status: 'completed', inserted: 1, rejected: 1 });
    const urls = (id: string) => [
      `/api/v1/orders/imports/${id}`,
      `/api/v1/orders/imports/${id}/errors`,
      `/api/v1/orders/imports/${id}/errors.csv`,
    ];
    for (const c of [other, outsider]) {
      for (const target of [job.id, newId()]) {
        for (const url of urls(target)) {
          const res = await c.request('GET', url);
          expect(res.status, url).toBe(404);
          expect(JSON.stringify(res.body)).not.toContain('secret@example.jp');
        }
      }
    }
    for (const c of [owner, lead, admin]) {
      const [one, errors, report] = await Promise.all(urls(job.id).map((u) => c.request('GET', u)));
      expect([one?.status, errors?.status, report?.status]).toEqual([200, 200, 200]);
      expect(errors?.body.data).toEqual([{ row: 3, orderNumber: 'V-101', reasons: ['unknown_customer'] }]);
      expect(String(report?.body)).toContain('secret@example.jp');
    }
  });
});
