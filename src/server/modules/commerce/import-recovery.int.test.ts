import { afterAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, signIn, type TestClient } from '../../../../test/helpers.js';
import { type RecoveryKind, resumesAfterRestore, resumesAfterWorkerKill, waitCompleted } from '../../../../test/import-recovery.js';
import { killImportWorkers } from '../../../../test/worker-process.js';
import type { RunningServer } from '../../server.js';
import { orderImportTuning } from './import.service.js';

afterAll(() => killImportWorkers());

/** 60 orders, every third with a second line (80 rows); order RC-7 (row 12) is bad. */
const ORDERS = 60;
const rows: string[] = [];
for (let i = 0; i < ORDERS; i++) {
  rows.push(`RC-${i},2026/06/01,recover@example.jp,RC-SKU,${i === 7 ? -1 : 1}`);
  if (i % 3 === 0) rows.push(`RC-${i},2026/06/01,recover@example.jp,RC-SKU,2`);
}
const csv = `注文番号,注文日時,メールアドレス,SKU,数量\n${rows.join('\n')}\n`;

async function shop(s: RunningServer) {
  const ws = await createTestWorkspace(s);
  const c = await signIn(s, ws.adminEmail);
  expect((await c.post('/api/v1/products', { sku: 'RC-SKU', name: '商品', unitPrice: 100, currency: 'JPY' })).status).toBe(201);
  const person = (await c.post('/api/v1/people', { familyName: '復旧', emails: [{ address: 'recover@example.jp' }] })).body.id as string;
  return { ws, c, person };
}

async function upload(c: TestClient) {
  const up = await c.request('POST', '/api/v1/orders/imports?format=csv', csv, { 'content-type': 'text/csv' });
  expect(up.status, JSON.stringify(up.body)).toBe(202);
  return up.body.id as string;
}

/** Every row exactly once: the orders, their lines, the metric sums and the one rejected row. */
async function expectExact(s: RunningServer, workspaceId: string, personId: string, id: string) {
  const job = await waitCompleted(s, id);
  expect([job.rows_total, job.processed_count, job.counts.inserted, job.rejected_count].map(Number)).toEqual([80, 80, ORDERS - 1, 1]);
  const q = (text: string, values: unknown[] = [workspaceId]) => s.database.pool.query(text, values).then((r) => r.rows[0]);
  expect(await q('SELECT count(*)::int AS n, count(DISTINCT order_number)::int AS d FROM orders WHERE workspace_id = $1')).toEqual({
    n: ORDERS - 1,
    d: ORDERS - 1,
  });
  expect(await q('SELECT count(*)::int AS n FROM order_lines WHERE workspace_id = $1')).toEqual({ n: ORDERS - 1 + 20 });
  // Metric sums equal the orders: no batch was counted twice.
  expect(
    await q('SELECT purchase_count, purchase_quantity FROM person_metrics WHERE workspace_id = $1 AND person_id = $2', [
      workspaceId,
      personId,
    ]),
  ).toEqual({
    purchase_count: ORDERS - 1,
    purchase_quantity: String(ORDERS - 1 + 20 * 2),
  });
  const errors = await s.database.pool.query('SELECT row_number, row_key AS order_number FROM import_errors WHERE import_id = $1', [id]);
  expect(errors.rows).toEqual([{ row_number: '12', order_number: 'RC-7' }]);
}

const orders = (): RecoveryKind & { personId?: string } => {
  const kind: RecoveryKind & { personId?: string } = {
    label: 'orders',
    rowsTotal: 80,
    tuning: orderImportTuning,
    async prepare(s) {
      const { ws, c, person } = await shop(s);
      kind.personId = person;
      return { workspaceId: ws.workspaceId, start: () => upload(c) };
    },
    expectExact: (s, workspaceId, id) => expectExact(s, workspaceId, kind.personId as string, id),
  };
  return kind;
};

describe('order import after a crash', () => {
  it('resumes within seconds when servers restart after the worker running it was killed (SIGKILL), one runner only', () =>
    resumesAfterWorkerKill(orders(), 10));
});

describe('order import across a backup and restore', () => {
  it('resumes an import that was running when the backup was taken, right after the restored server starts', () =>
    resumesAfterRestore(orders(), 4));
});
