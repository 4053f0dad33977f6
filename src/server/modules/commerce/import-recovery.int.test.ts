import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../test/helpers.js';
import { killImportWorkers, startImportWorker } from '../../../../test/worker-process.js';
import { createBackup, restoreBackup } from '../../platform/db/backup.js';
import type { RunningServer } from '../../server.js';
import { orderImportTuning } from './import.service.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-order-import-recovery-'));
afterAll(() => {
  killImportWorkers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

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

const lease = async (s: RunningServer, id: string) =>
  (await s.database.pool.query('SELECT lease FROM import_jobs WHERE id = $1', [id])).rows[0].lease as string | null;
const processed = async (s: RunningServer, id: string) =>
  Number((await s.database.pool.query('SELECT processed_count FROM import_jobs WHERE id = $1', [id])).rows[0].processed_count);

/** Every row exactly once: the orders, their lines, the metric sums and the one rejected row. */
async function expectExact(s: RunningServer, workspaceId: string, personId: string, id: string) {
  const job = await waitFor(
    'the order import to complete',
    async () => {
      const { rows } = await s.database.pool.query('SELECT * FROM import_jobs WHERE id = $1', [id]);
      if (rows[0]?.status === 'failed') throw new Error(`import failed: ${rows[0].failure}`);
      return rows[0]?.status === 'completed' ? rows[0] : undefined;
    },
    {
      describe: async () => (await s.database.pool.query('SELECT name, state FROM pgboss.job WHERE data->>$1 = $2', ['importId', id])).rows,
    },
  );
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

describe('order import after a crash', () => {
  it('resumes within seconds when servers restart after the worker running it was killed (SIGKILL), one runner only', async () => {
    const databaseUrl = await createTestDatabase();
    const front = await startTestServer({ databaseUrl, config: { workers: false } });
    const servers: RunningServer[] = [front];
    try {
      const { ws, c, person } = await shop(front);
      const id = await upload(c);
      const worker = startImportWorker(databaseUrl);
      await waitFor('the worker half-way', async () => (await processed(front, id)) >= 10, { timeoutMs: 90_000, describe: worker.output });
      await worker.kill();
      const killedAt = Date.now();
      const atKill = await processed(front, id);
      const leaseAtKill = await lease(front, id);
      expect(leaseAtKill).toBeTruthy();
      expect(atKill).toBeLessThan(80);
      const boss = await front.database.pool.query('SELECT state FROM pgboss.job WHERE data->>$1 = $2', ['importId', id]);
      expect(boss.rows.map((r) => r.state)).toEqual(['active']);
      servers.push(...(await Promise.all([startTestServer({ databaseUrl }), startTestServer({ databaseUrl })])));
      const readyAt = Date.now();
      // Resumed: a new runner holds the lease (and goes on from the checkpoint).
      await waitFor('a new runner', async () => (await lease(front, id)) !== leaseAtKill, { timeoutMs: 60_000, intervalMs: 20 });
      const claimedAt = Date.now();
      await waitFor('the next committed rows', async () => (await processed(front, id)) > atKill, { timeoutMs: 60_000, intervalMs: 20 });
      const progressAt = Date.now();
      await expectExact(front, ws.workspaceId, person, id);
      console.info(
        `[import recovery] orders: killed at row ${atKill}/${80}; servers ready ${readyAt - killedAt} ms after the kill; ` +
          `a new runner ${claimedAt - readyAt} ms after they were ready (${claimedAt - killedAt} ms after the kill), ` +
          `its first rows committed ${progressAt - readyAt} ms after they were ready`,
      );
      // Resuming is the start-up sweep plus a pg-boss poll; starting the servers is most of the rest.
      expect(claimedAt - readyAt).toBeLessThan(5_000);
      expect(claimedAt - killedAt).toBeLessThan(30_000);
    } finally {
      for (const s of servers.reverse()) await s.stop();
    }
  });
});

/** A brand-new database with nothing in it, as a restore needs. */
async function emptyDatabase(): Promise<string> {
  const name = `crm_e_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(inject('adminUrl'));
  u.pathname = `/${name}`;
  return u.toString();
}

describe('order import across a backup and restore', () => {
  it('resumes an import that was running when the backup was taken, right after the restored server starts', async () => {
    const source = await startTestServer();
    const { ws, c, person } = await shop(source);
    const archive = path.join(tmp, 'running-order-import.crmbackup');
    let taken: Promise<unknown> | undefined;
    orderImportTuning.batchSize = 4;
    // The backup's snapshot is taken while the job is running, after its first batch.
    orderImportTuning.afterBatch = async () => {
      if (taken) return;
      taken = createBackup({ pool: source.database.pool, file: archive, appVersion: 'test' });
      await taken;
    };
    let id: string;
    try {
      id = await upload(c);
      await waitFor('the backup', () => taken);
      await taken;
    } finally {
      orderImportTuning.batchSize = 5000;
      orderImportTuning.afterBatch = undefined;
      await source.stop();
    }
    const target = await emptyDatabase();
    const pool = new pg.Pool({ connectionString: target, max: 2 });
    try {
      await restoreBackup({ pool, file: archive });
      const restored = await pool.query('SELECT status, processed_count FROM import_jobs WHERE id = $1', [id]);
      expect(restored.rows[0].status).toBe('running');
      expect(Number(restored.rows[0].processed_count)).toBeGreaterThan(0);
      expect(Number(restored.rows[0].processed_count)).toBeLessThan(80);
    } finally {
      await pool.end();
    }
    const startedAt = Date.now();
    const server = await startTestServer({ databaseUrl: target });
    try {
      await expectExact(server, ws.workspaceId, person, id);
      console.info(`[import recovery] orders: restored import completed ${Date.now() - startedAt} ms after the server was started`);
    } finally {
      await server.stop();
    }
  });
});
