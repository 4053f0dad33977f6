import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../test/helpers.js';
import { newId } from '../../platform/ids.js';
import { importDb, sweepImports } from '../../platform/import/import.repository.js';
import type { RunningServer } from '../../server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const q = (text: string, values: unknown[]) => server.database.pool.query(text, values);

async function importOrders(c: TestClient, csv: string) {
  const up = await c.request('POST', '/api/v1/orders/imports?format=csv', csv, { 'content-type': 'text/csv' });
  expect(up.status, JSON.stringify(up.body)).toBe(202);
  await waitFor('the order import', async () => {
    const r = await c.get(`/api/v1/orders/imports/${up.body.id}`);
    return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : undefined;
  });
  return up.body.id as string;
}

describe('order import clean-up', () => {
  it('drops an interrupted upload after a day, a failed job’s file after a day, and month-old jobs with their rows', async () => {
    const ws = await createTestWorkspace(server);
    const c = await signIn(server, ws.adminEmail);
    expect((await c.post('/api/v1/products', { sku: 'SW-1', name: '商品', unitPrice: 100, currency: 'JPY' })).status).toBe(201);
    expect((await c.post('/api/v1/people', { familyName: '掃除', emails: [{ address: 'sweep@example.jp' }] })).status).toBe(201);
    const csv = (n: string) =>
      `注文番号,注文日時,メールアドレス,SKU,数量\n${n},2026/06/01,sweep@example.jp,SW-1,1\n${n}-X,2026/06/01,,SW-1,1\n`;
    const old = await importOrders(c, csv('OLD-1'));
    const recent = await importOrders(c, csv('NEW-1'));
    // An upload cut off by a crash (a job still 'uploading' with a part stored), and a failed job that kept its file.
    const [cut, failed] = [newId(), newId()];
    for (const [id, status] of [
      [cut, 'uploading'],
      [failed, 'failed'],
    ] as const) {
      await q(
        `INSERT INTO import_jobs (workspace_id, id, kind, filename, format, encoding, status, updated_at)
         VALUES ($1, $2, 'orders', 'x.csv', 'csv', 'utf8', $3, now() - interval '25 hours')`,
        [ws.workspaceId, id, status],
      );
      await q(`INSERT INTO import_files (workspace_id, import_id, seq, data) VALUES ($1, $2, 0, 'abc')`, [ws.workspaceId, id]);
    }
    await q(`UPDATE import_jobs SET updated_at = now() - interval '31 days' WHERE id = $1`, [old]);

    expect(await sweepImports(importDb(server.database.db))).toEqual({ jobs: 2, fileParts: 1 });
    expect((await c.get(`/api/v1/orders/imports/${cut}`)).status).toBe(404);
    expect((await c.get(`/api/v1/orders/imports/${old}`)).status).toBe(404);
    expect((await c.get(`/api/v1/orders/imports/${failed}`)).body.status).toBe('failed');
    expect((await c.get(`/api/v1/orders/imports/${recent}/errors`)).body.data).toHaveLength(1);
    const count = async (table: string, id: string) =>
      (await q(`SELECT count(*)::int AS n FROM ${table} WHERE import_id = $1`, [id])).rows[0].n as number;
    expect([await count('import_files', failed), await count('import_errors', old)]).toEqual([0, 0]);
    // The orders themselves stay.
    const orders = await q(`SELECT order_number FROM orders WHERE workspace_id = $1 ORDER BY 1`, [ws.workspaceId]);
    expect(orders.rows.map((r) => r.order_number)).toEqual(['NEW-1', 'OLD-1']);
  });
});
