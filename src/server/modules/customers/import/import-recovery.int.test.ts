import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../../test/helpers.js';
import { killImportWorkers, startImportWorker } from '../../../../../test/worker-process.js';
import { createBackup, restoreBackup } from '../../../platform/db/backup.js';
import { leaseTiming } from '../../../platform/db/job-lease.js';
import { runImport } from '../../../platform/import/import.service.js';
import type { RunningServer } from '../../../server.js';
import { customersImport, importTuning } from './import.service.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-recovery-'));
afterAll(() => {
  killImportWorkers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** 150 people, row 44 (the 43rd data row) rejected. */
const ROWS = 150;
const csv = `姓,メール\n${Array.from({ length: ROWS }, (_, i) => (i === 42 ? `人${i},not-an-email` : `人${i},p${i}@example.jp`)).join('\n')}\n`;

async function startUpload(c: TestClient) {
  const up = await c.request('POST', '/api/v1/imports?entityType=person&filename=people.csv', csv, { 'content-type': 'text/csv' });
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  const start = await c.post(`/api/v1/imports/${up.body.id}/start`, { mapping: up.body.suggestedMapping });
  expect(start.status, JSON.stringify(start.body)).toBe(202);
  return up.body.id as string;
}

const lease = async (s: RunningServer, id: string) =>
  (await s.database.pool.query('SELECT lease FROM import_jobs WHERE id = $1', [id])).rows[0].lease as string | null;
const checkpoint = async (s: RunningServer, id: string) =>
  Number((await s.database.pool.query('SELECT next_row FROM import_jobs WHERE id = $1', [id])).rows[0].next_row);

async function waitCompleted(s: RunningServer, id: string) {
  return waitFor(
    'the import to complete',
    async () => {
      const { rows } = await s.database.pool.query('SELECT * FROM import_jobs WHERE id = $1', [id]);
      if (rows[0]?.status === 'failed') throw new Error(`import failed: ${rows[0].failure}`);
      return rows[0]?.status === 'completed' ? rows[0] : undefined;
    },
    {
      describe: async () =>
        (await s.database.pool.query('SELECT name, state, retry_count FROM pgboss.job WHERE data->>$1 = $2', ['importId', id])).rows,
    },
  );
}

/** Every row exactly once: 149 people with distinct names, one rejected row, the counts of the job equal to both. */
async function expectExact(s: RunningServer, workspaceId: string, id: string) {
  const job = await waitCompleted(s, id);
  expect({ rows: Number(job.rows_total), created: Number(job.counts.created), rejected: Number(job.rejected_count) }).toEqual({
    rows: ROWS,
    created: ROWS - 1,
    rejected: 1,
  });
  const people = await s.database.pool.query(
    'SELECT count(*)::int AS n, count(DISTINCT family_name)::int AS d FROM people WHERE workspace_id = $1',
    [workspaceId],
  );
  expect(people.rows[0]).toEqual({ n: ROWS - 1, d: ROWS - 1 });
  const errors = await s.database.pool.query('SELECT row_number FROM import_errors WHERE import_id = $1', [id]);
  expect(errors.rows.map((r) => Number(r.row_number))).toEqual([44]);
}

describe('import after a crash', () => {
  it('resumes within seconds when servers restart after the worker running it was killed (SIGKILL), one runner only', async () => {
    const databaseUrl = await createTestDatabase();
    // The API without job workers: the import runs in the worker process only.
    const front = await startTestServer({ databaseUrl, config: { workers: false } });
    const servers: RunningServer[] = [front];
    try {
      const ws = await createTestWorkspace(front);
      const id = await startUpload(await signIn(front, ws.adminEmail));
      const worker = startImportWorker(databaseUrl);
      await waitFor('the worker half-way', async () => (await checkpoint(front, id)) >= 20, { timeoutMs: 90_000, describe: worker.output });
      await worker.kill();
      const killedAt = Date.now();
      const atKill = await checkpoint(front, id);
      const leaseAtKill = await lease(front, id);
      expect(leaseAtKill).toBeTruthy();
      expect(atKill).toBeLessThan(ROWS);
      // The killed worker's pg-boss job is still active: left to pg-boss it would be retried after its 15-minute expiry.
      const boss = await front.database.pool.query('SELECT state FROM pgboss.job WHERE data->>$1 = $2', ['importId', id]);
      expect(boss.rows.map((r) => r.state)).toEqual(['active']);
      // Two instances start at once on the database.
      servers.push(...(await Promise.all([startTestServer({ databaseUrl }), startTestServer({ databaseUrl })])));
      const readyAt = Date.now();
      // Resumed: a new runner holds the lease (and goes on from the checkpoint).
      await waitFor('a new runner', async () => (await lease(front, id)) !== leaseAtKill, { timeoutMs: 60_000, intervalMs: 20 });
      const claimedAt = Date.now();
      await waitFor('the next committed rows', async () => (await checkpoint(front, id)) > atKill, { timeoutMs: 60_000, intervalMs: 20 });
      const progressAt = Date.now();
      await expectExact(front, ws.workspaceId, id);
      console.info(
        `[import recovery] customers: killed at row ${atKill}/${ROWS}; servers ready ${readyAt - killedAt} ms after the kill; ` +
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

  it('takes over from a runner that holds the import but stopped beating for a minute, and that runner then commits nothing', async () => {
    const server = await startTestServer();
    const ws = await createTestWorkspace(server);
    const c = await signIn(server, ws.adminEmail);
    let wake: () => void = () => {};
    const asleep = new Promise<void>((r) => {
      wake = r;
    });
    let stuck = false;
    // A hung process: no timer fires (no heartbeat), its connection stays open (the lock stays held).
    const { heartbeatMs } = leaseTiming;
    leaseTiming.heartbeatMs = 3_600_000;
    importTuning.batchSize = 5;
    importTuning.afterBatch = async ({ to: nextRow }) => {
      if (stuck || nextRow !== 5) return;
      stuck = true;
      await asleep;
    };
    try {
      const id = await startUpload(c);
      await waitFor('the runner stuck after its first chunk', () => stuck);
      const run = () => runImport(customersImport, { database: server.database, workspaceId: ws.workspaceId, importId: id });
      // Its heartbeat is fresh: a second runner leaves it alone.
      await run();
      expect(await checkpoint(server, id)).toBe(5);
      // No heartbeat for over a minute: the lease is taken over although the stuck runner still holds its lock.
      await server.database.pool.query(`UPDATE import_jobs SET heartbeat_at = now() - interval '61 seconds' WHERE id = $1`, [id]);
      await run();
      await expectExact(server, ws.workspaceId, id);
      // The stuck runner wakes up: its next chunk is refused and rolled back, its pg-boss job ends.
      wake();
      await waitFor('the stuck runner to give up', async () => {
        const { rows } = await server.database.pool.query('SELECT state FROM pgboss.job WHERE data->>$1 = $2', ['importId', id]);
        return rows.every((r) => ['completed', 'cancelled'].includes(r.state));
      });
      await expectExact(server, ws.workspaceId, id);
    } finally {
      wake();
      leaseTiming.heartbeatMs = heartbeatMs;
      importTuning.batchSize = 5000;
      importTuning.afterBatch = undefined;
      await server.stop();
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

describe('import across a backup and restore', () => {
  it('resumes an import that was running when the backup was taken, right after the restored server starts', async () => {
    const source = await startTestServer();
    const ws = await createTestWorkspace(source);
    const archive = path.join(tmp, 'running-import.crmbackup');
    let taken: Promise<unknown> | undefined;
    importTuning.batchSize = 5;
    // The backup's snapshot is taken while the job is running, its checkpoint at row 10.
    importTuning.afterBatch = async ({ to: nextRow }) => {
      if (nextRow !== 10 || taken) return;
      taken = createBackup({ pool: source.database.pool, file: archive, appVersion: 'test' });
      await taken;
    };
    let id: string;
    try {
      id = await startUpload(await signIn(source, ws.adminEmail));
      await waitFor('the backup', () => taken);
      await taken;
      await waitCompleted(source, id);
    } finally {
      importTuning.batchSize = 5000;
      importTuning.afterBatch = undefined;
      await source.stop();
    }
    const target = await emptyDatabase();
    const pool = new pg.Pool({ connectionString: target, max: 2 });
    try {
      await restoreBackup({ pool, file: archive });
      const restored = await pool.query('SELECT status, next_row FROM import_jobs WHERE id = $1', [id]);
      expect(restored.rows[0]).toEqual({ status: 'running', next_row: '10' });
    } finally {
      await pool.end();
    }
    const startedAt = Date.now();
    const server = await startTestServer({ databaseUrl: target });
    try {
      await expectExact(server, ws.workspaceId, id);
      console.info(`[import recovery] customers: restored import completed ${Date.now() - startedAt} ms after the server was started`);
    } finally {
      await server.stop();
    }
  });
});
