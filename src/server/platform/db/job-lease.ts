import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import type PgBoss from 'pg-boss';
import { newId } from '../ids.js';

/**
 * Jobs that resume from a checkpoint in their own row (the customers and order imports) run under a lease, so
 * one that lost its runner resumes at once instead of when pg-boss's 15-minute expiry gives up on it:
 * - the runner claims the row with a fresh token (`lease`) and holds a session advisory lock named after the
 *   row on a connection of its own, over which it writes `heartbeat_at` every few seconds. A process that dies
 *   closes that connection: PostgreSQL frees the lock at once.
 * - every checkpoint commits only under the runner's token (compare-and-set), so a runner that lost its lease
 *   can never commit a chunk a second runner also writes.
 * - a sweep (at start-up and every few seconds, on every instance with workers) requeues an unfinished job that
 *   no live runner holds (lock free, or no heartbeat for `staleSeconds`: a hung process, a half-open connection)
 *   and that no queued pg-boss job will start (a crashed runner's job stays `active`; a restored backup has none).
 * The owner of the table names it here; the table has workspace_id, id, kind (the jobs of one queue), status
 * ('queued' | 'running' | …), started_at, finished_at, failure, updated_at, lease, heartbeat_at and queue_job_id.
 */
export const leaseTiming = { heartbeatMs: 5_000, staleSeconds: 60, sweepMs: 15_000 };

export interface LeasedJobs {
  table: string;
  /** The rows of the table that this queue runs (one table holds several kinds of job, each with its queue). */
  kind: string;
  queue: string;
  /** pg-boss options for every send of this queue (first start and requeue alike). */
  sendOptions: PgBoss.SendOptions;
}
interface Key {
  workspaceId: string;
  id: string;
}

export interface Lease {
  token: string;
  /** True once the heartbeat found the row taken over (or its connection, and with it the lock, gone). */
  lost(): boolean;
  release(): Promise<void>;
}

const lockName = (jobs: LeasedJobs, id: string) => `${jobs.table}:${id}`;
const table = (jobs: LeasedJobs) => sql.raw(jobs.table);

/**
 * Claims an unfinished job for this runner: always when its advisory lock is free (the last runner is gone),
 * otherwise only when the holder's heartbeat is stale. Marks it running. Null when a live runner has it.
 */
export async function acquireLease(pool: pg.Pool, jobs: LeasedJobs, key: Key): Promise<Lease | null> {
  const client = await pool.connect();
  const name = lockName(jobs, key.id);
  let locked = false;
  const token = newId();
  const letGo = async () => {
    try {
      if (locked) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]);
      client.release();
    } catch (err) {
      client.release(err as Error);
    }
  };
  try {
    locked =
      (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [name])).rows[0]?.ok ?? false;
    const claimed = await client.query(
      `UPDATE ${jobs.table} SET lease = $3, heartbeat_at = now(), status = 'running', started_at = coalesce(started_at, now()),
              updated_at = now()
        WHERE workspace_id = $1 AND id = $2 AND status IN ('queued', 'running')
          AND ($4 OR lease IS NULL OR heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => $5))`,
      [key.workspaceId, key.id, token, locked, leaseTiming.staleSeconds],
    );
    if (claimed.rowCount !== 1) {
      await letGo();
      return null;
    }
  } catch (err) {
    await letGo();
    throw err;
  }
  let lost = false;
  let beating = false;
  const timer = setInterval(() => {
    if (beating || lost) return;
    beating = true;
    client
      .query(`UPDATE ${jobs.table} SET heartbeat_at = now() WHERE workspace_id = $1 AND id = $2 AND lease = $3`, [
        key.workspaceId,
        key.id,
        token,
      ])
      .then((r) => {
        if (r.rowCount !== 1) lost = true;
      })
      // The connection holding the lock is gone, and with it the lock: another runner may take over.
      .catch(() => {
        lost = true;
      })
      .finally(() => {
        beating = false;
      });
  }, leaseTiming.heartbeatMs);
  timer.unref();
  return {
    token,
    lost: () => lost,
    release: async () => {
      clearInterval(timer);
      await letGo();
    },
  };
}

/** Run `work` under the job's lease, released afterwards; nothing when another live runner holds it. */
export async function withLease(pool: pg.Pool, jobs: LeasedJobs, key: Key, work: (lease: Lease) => Promise<void>): Promise<void> {
  const lease = await acquireLease(pool, jobs, key);
  if (!lease) return;
  try {
    await work(lease);
  } finally {
    await lease.release();
  }
}

/** Locks the job row in the caller's transaction if this runner still holds it (before finishing it). */
export async function holdsLease<D>(trx: Kysely<D>, jobs: LeasedJobs, key: Key, token: string): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM ${table(jobs)} WHERE workspace_id = ${key.workspaceId} AND id = ${key.id}
    AND lease = ${token} AND status = 'running' FOR UPDATE`.execute(trx);
  return rows.length === 1;
}

/** Ends the job as failed, if this runner still holds it. */
export async function failLeased<D>(db: Kysely<D>, jobs: LeasedJobs, key: Key, token: string, failure: string): Promise<void> {
  await sql`UPDATE ${table(jobs)} SET status = 'failed', failure = ${failure}, finished_at = now(), updated_at = now()
    WHERE workspace_id = ${key.workspaceId} AND id = ${key.id} AND lease = ${token} AND status = 'running'`.execute(db);
}

/** Queues the job's pg-boss job on the caller's transaction (`client`) and records its id on the row. */
export async function queueLeased(client: pg.PoolClient, boss: PgBoss, jobs: LeasedJobs, key: Key): Promise<string> {
  const id = await boss.send(
    jobs.queue,
    { workspaceId: key.workspaceId, importId: key.id },
    { ...jobs.sendOptions, db: { executeSql: (text: string, values: unknown[]) => client.query(text, values) } },
  );
  if (!id) throw new Error(`pg-boss did not queue ${jobs.queue}`);
  await client.query(`UPDATE ${jobs.table} SET queue_job_id = $3 WHERE workspace_id = $1 AND id = $2`, [key.workspaceId, key.id, id]);
  return id;
}

interface Candidate {
  workspace_id: string;
  id: string;
  status: string;
  queue_job_id: string | null;
  fresh: boolean;
  held: boolean;
}

/**
 * Requeues every unfinished job that nobody runs or will run (see above); returns how many. Safe on several
 * instances at once: the requeue is a compare-and-set on queue_job_id in the send's transaction.
 */
export async function requeueOrphans(pool: pg.Pool, boss: PgBoss, jobs: LeasedJobs): Promise<number> {
  // A bigint advisory lock shows in pg_locks as its high (classid) and low (objid) 32 bits, objsubid 1.
  const { rows } = await pool.query<Candidate>(
    `SELECT j.workspace_id, j.id, j.status, j.queue_job_id,
            coalesce(j.heartbeat_at >= now() - make_interval(secs => $2), false) AS fresh,
            EXISTS (SELECT 1 FROM pg_locks l
                     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                       AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1 || j.id::text, 0)) AS held
       FROM ${jobs.table} j WHERE j.status IN ('queued', 'running') AND j.kind = $3`,
    [`${jobs.table}:`, leaseTiming.staleSeconds, jobs.kind],
  );
  let requeued = 0;
  for (const r of rows) {
    if (r.held && r.fresh) continue;
    const queued = r.queue_job_id ? await boss.getJobById(jobs.queue, r.queue_job_id) : null;
    if (queued && (queued.state === 'created' || queued.state === 'retry')) continue;
    // Fetched by a worker that has not claimed the row yet (a matter of milliseconds).
    const fetchedAt = queued?.startedOn ? new Date(queued.startedOn).getTime() : 0;
    if (queued?.state === 'active' && r.status === 'queued' && Date.now() - fetchedAt < leaseTiming.staleSeconds * 1000) continue;
    if (await requeue(pool, boss, jobs, r)) {
      requeued++;
      // The dead runner's job would otherwise be retried when its expiry passes: the row's lease makes that a no-op.
      if (queued?.state === 'active') await boss.cancel(jobs.queue, queued.id).catch(() => {});
    }
  }
  return requeued;
}

async function requeue(pool: pg.Pool, boss: PgBoss, jobs: LeasedJobs, r: Candidate): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rowCount } = await client.query(
      `SELECT 1 FROM ${jobs.table} WHERE workspace_id = $1 AND id = $2 AND queue_job_id IS NOT DISTINCT FROM $3
          AND status IN ('queued', 'running') FOR UPDATE SKIP LOCKED`,
      [r.workspace_id, r.id, r.queue_job_id],
    );
    if (rowCount !== 1) {
      await client.query('ROLLBACK');
      return false;
    }
    await queueLeased(client, boss, jobs, { workspaceId: r.workspace_id, id: r.id });
    await client.query('COMMIT');
    return true;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Runs the sweep now (an instance that restarts resumes its own interrupted jobs at once) and every sweepMs. */
export function startLeaseSweep(
  pool: pg.Pool,
  boss: PgBoss,
  jobs: LeasedJobs,
  log: (msg: string, extra: Record<string, unknown>) => void,
): { stop(): void } {
  let stopped = false;
  let busy = false;
  const sweep = () => {
    if (stopped || busy) return;
    busy = true;
    void requeueOrphans(pool, boss, jobs)
      .then((n) => {
        if (n) log('interrupted jobs requeued', { queue: jobs.queue, jobs: n });
      })
      .catch((err) => {
        if (!stopped) log('lease sweep failed', { queue: jobs.queue, err: (err as Error).message });
      })
      .finally(() => {
        busy = false;
      });
  };
  sweep();
  const timer = setInterval(sweep, leaseTiming.sweepMs);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
