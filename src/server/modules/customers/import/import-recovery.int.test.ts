import { afterAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../../test/helpers.js';
import {
  jobValue,
  type RecoveryKind,
  resumesAfterRestore,
  resumesAfterWorkerKill,
  waitCompleted,
} from '../../../../../test/import-recovery.js';
import { killImportWorkers } from '../../../../../test/worker-process.js';
import { leaseTiming } from '../../../platform/db/job-lease.js';
import { runImport } from '../../../platform/import/import.service.js';
import type { RunningServer } from '../../../server.js';
import { customersImport, importTuning } from './import.service.js';

afterAll(() => killImportWorkers());

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

const checkpoint = async (s: RunningServer, id: string) => Number(await jobValue(s, id, 'next_row'));

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

const people: RecoveryKind = {
  label: 'customers',
  rowsTotal: ROWS,
  tuning: importTuning,
  async prepare(s) {
    const ws = await createTestWorkspace(s);
    const c = await signIn(s, ws.adminEmail);
    return { workspaceId: ws.workspaceId, start: () => startUpload(c) };
  },
  expectExact,
};

describe('import after a crash', () => {
  it('resumes within seconds when servers restart after the worker running it was killed (SIGKILL), one runner only', () =>
    resumesAfterWorkerKill(people, 20));

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

describe('import across a backup and restore', () => {
  it('resumes an import that was running when the backup was taken, right after the restored server starts', () =>
    resumesAfterRestore(people, 5));
});
