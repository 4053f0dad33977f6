import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { createBackup, restoreBackup } from '../src/server/platform/db/backup.js';
import type { ImportTuning } from '../src/server/platform/import/import.service.js';
import type { RunningServer } from '../src/server/server.js';
import { createEmptyDatabase, createTestDatabase, startTestServer, waitFor } from './helpers.js';
import { startImportWorker } from './worker-process.js';

/**
 * The import engine's recovery scenarios, run by each import kind's test (customers, orders) with its own file and
 * checks: a worker killed half-way, and a backup taken while an import runs. One engine, one set of scenarios.
 */
export interface RecoveryKind {
  /** How the kind is named in the timings printed. */
  label: string;
  /** Rows of the file. */
  rowsTotal: number;
  /** The kind's tuning (platform/import ImportKind.tuning): the scenarios set a small batch and a hook after each. */
  tuning: ImportTuning;
  /** A workspace with what the file needs; `start` uploads the file and starts the import, answering its id. */
  prepare(s: RunningServer): Promise<{ workspaceId: string; start(): Promise<string> }>;
  /** Every row exactly once, checked after the job completed. */
  expectExact(s: RunningServer, workspaceId: string, importId: string): Promise<void>;
}

type JobColumn = 'lease' | 'processed_count' | 'next_row' | 'status';

export async function jobValue(s: RunningServer, importId: string, column: JobColumn): Promise<string | null> {
  const { rows } = await s.database.pool.query(`SELECT ${column}::text AS v FROM import_jobs WHERE id = $1`, [importId]);
  return rows[0]?.v ?? null;
}
const processed = async (s: RunningServer, id: string) => Number(await jobValue(s, id, 'processed_count'));

/** The job row once completed (fails the test at once if the job failed). */
export async function waitCompleted(s: RunningServer, importId: string) {
  return waitFor(
    'the import to complete',
    async () => {
      const { rows } = await s.database.pool.query('SELECT * FROM import_jobs WHERE id = $1', [importId]);
      if (rows[0]?.status === 'failed') throw new Error(`import failed: ${rows[0].failure}`);
      return rows[0]?.status === 'completed' ? rows[0] : undefined;
    },
    {
      describe: async () =>
        (await s.database.pool.query('SELECT name, state, retry_count FROM pgboss.job WHERE data->>$1 = $2', ['importId', importId])).rows,
    },
  );
}

/**
 * A worker process (test/import-worker.ts) runs the import and is SIGKILLed once `halfway` rows are committed; two
 * servers then start at once on the database. One of them takes the job over within seconds of being ready (the
 * start-up sweep, not pg-boss's 15-minute expiry) and finishes it from the checkpoint, every row exactly once.
 */
export async function resumesAfterWorkerKill(kind: RecoveryKind, halfway: number) {
  const databaseUrl = await createTestDatabase();
  // The API without job workers: the import runs in the worker process only.
  const front = await startTestServer({ databaseUrl, config: { workers: false } });
  const servers: RunningServer[] = [front];
  try {
    const { workspaceId, start } = await kind.prepare(front);
    const id = await start();
    const worker = startImportWorker(databaseUrl);
    await waitFor('the worker half-way', async () => (await processed(front, id)) >= halfway, {
      timeoutMs: 90_000,
      describe: worker.output,
    });
    await worker.kill();
    const killedAt = Date.now();
    const atKill = await processed(front, id);
    const leaseAtKill = await jobValue(front, id, 'lease');
    expect(leaseAtKill).toBeTruthy();
    expect(atKill).toBeLessThan(kind.rowsTotal);
    // The killed worker's pg-boss job is still active: left to pg-boss it would be retried after its 15-minute expiry.
    const boss = await front.database.pool.query('SELECT state FROM pgboss.job WHERE data->>$1 = $2', ['importId', id]);
    expect(boss.rows.map((r) => r.state)).toEqual(['active']);
    servers.push(...(await Promise.all([startTestServer({ databaseUrl }), startTestServer({ databaseUrl })])));
    const readyAt = Date.now();
    // Resumed: a new runner holds the lease (and goes on from the checkpoint).
    await waitFor('a new runner', async () => (await jobValue(front, id, 'lease')) !== leaseAtKill, { timeoutMs: 60_000, intervalMs: 20 });
    const claimedAt = Date.now();
    await waitFor('the next committed rows', async () => (await processed(front, id)) > atKill, { timeoutMs: 60_000, intervalMs: 20 });
    const progressAt = Date.now();
    await waitCompleted(front, id);
    await kind.expectExact(front, workspaceId, id);
    console.info(
      `[import recovery] ${kind.label}: killed at row ${atKill}/${kind.rowsTotal}; servers ready ${readyAt - killedAt} ms after the kill; ` +
        `a new runner ${claimedAt - readyAt} ms after they were ready (${claimedAt - killedAt} ms after the kill), ` +
        `its first rows committed ${progressAt - readyAt} ms after they were ready`,
    );
    // Resuming is the start-up sweep plus a pg-boss poll; starting the servers is most of the rest.
    expect(claimedAt - readyAt).toBeLessThan(5_000);
    expect(claimedAt - killedAt).toBeLessThan(30_000);
  } finally {
    for (const s of servers.reverse()) await s.stop();
  }
}

/**
 * A backup is taken while the import runs (after its first batch of `batchSize`); restored into an empty database,
 * the job is still running there, part-done, and the restored server finishes it: every row exactly once.
 */
export async function resumesAfterRestore(kind: RecoveryKind, batchSize: number) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-restore-'));
  const archive = path.join(tmp, `running-${kind.label}-import.crmbackup`);
  const source = await startTestServer();
  const { workspaceId, start } = await kind.prepare(source);
  const defaultBatchSize = kind.tuning.batchSize;
  let taken: Promise<unknown> | undefined;
  kind.tuning.batchSize = batchSize;
  kind.tuning.afterBatch = async () => {
    if (taken) return;
    taken = createBackup({ pool: source.database.pool, file: archive, appVersion: 'test' });
    await taken;
  };
  let id: string;
  try {
    id = await start();
    await waitFor('the backup', () => taken);
    await taken;
    await waitCompleted(source, id);
  } finally {
    kind.tuning.batchSize = defaultBatchSize;
    kind.tuning.afterBatch = undefined;
    await source.stop();
  }
  const target = await createEmptyDatabase();
  const pool = new pg.Pool({ connectionString: target, max: 2 });
  try {
    await restoreBackup({ pool, file: archive });
    const { rows } = await pool.query('SELECT status, processed_count::int AS processed FROM import_jobs WHERE id = $1', [id]);
    expect(rows[0].status).toBe('running');
    expect(rows[0].processed).toBeGreaterThan(0);
    expect(rows[0].processed).toBeLessThan(kind.rowsTotal);
  } finally {
    await pool.end();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const startedAt = Date.now();
  const server = await startTestServer({ databaseUrl: target });
  try {
    await waitCompleted(server, id);
    await kind.expectExact(server, workspaceId, id);
    console.info(`[import recovery] ${kind.label}: restored import completed ${Date.now() - startedAt} ms after the server was started`);
  } finally {
    await server.stop();
  }
}
