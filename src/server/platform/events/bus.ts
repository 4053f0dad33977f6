import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import PgBoss from 'pg-boss';
import { CONNECT_TIMEOUT_MS } from '../db/database.js';
import { classifyDbError } from '../db/db-errors.js';
import { PgListener } from '../db/listener.js';
import type { OutboxEvent } from './outbox.js';

export type EventHandler = (event: OutboxEvent) => Promise<void>;
/** A module's own queues (always) and job workers and cron schedules (only where `workers` is on), once pg-boss runs. */
export type JobStarter = (boss: PgBoss, options: { workers: boolean }) => Promise<void>;

interface Subscription {
  queue: string;
  matches: (type: string) => boolean;
  handler: EventHandler;
}

/**
 * A job fetched by a process that then dies (SIGKILL, power cut) stays `active` until it expires: pg-boss's
 * default of 15 minutes held a killed server's mails and timeline entries that long after a restart. Event
 * handlers take milliseconds to seconds (a batch of 50 mails to a slow provider stays well under a minute), and
 * they are idempotent, so a handler that does overrun only runs twice.
 */
export const EVENT_JOB_EXPIRE_SECONDS = 60;
const MAINTENANCE_INTERVAL_SECONDS = 15;
const UNAVAILABLE_LOG_MS = 10_000;

/** The realtime channel: every app instance LISTENs on it. */
export const REALTIME_CHANNEL = 'crm_events';

export interface RealtimeNotice {
  w: string;
  id: string;
  type: string;
  entityType: string;
  entityId: string | null;
  actorId: string | null;
  ownerId: string | null;
  teamId: string | null;
}

/**
 * Relays committed outbox rows to pg-boss queues (one per subscriber) and to the realtime channel,
 * in the transaction that marks them published: a crash loses nothing and sends nothing twice.
 * Subscribers are declared in code, so every instance relays to the same set.
 */
export class EventBus {
  private readonly subscriptions: Subscription[] = [];
  private readonly starters: JobStarter[] = [];
  private boss?: PgBoss;
  private listener?: PgListener;
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopping = false;
  private relaying?: Promise<void>;
  private again = false;
  private lastUnavailableLog = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    private readonly log: FastifyBaseLogger,
  ) {}

  subscribe(name: string, types: string[] | '*', handler: EventHandler): void {
    const set = types === '*' ? null : new Set(types);
    this.subscriptions.push({
      queue: `event.${name}`,
      matches: (t) => set === null || set.has(t),
      handler,
    });
  }

  /** Declared during module registration, like subscribe; run by start() once pg-boss runs. */
  onStart(starter: JobStarter): void {
    this.starters.push(starter);
  }

  get jobs(): PgBoss {
    if (!this.boss) throw new Error('EventBus not started');
    return this.boss;
  }

  async start(options: { workers: boolean }): Promise<void> {
    // pg-boss hands its options to its pg.Pool: the same connection timeout as the app's pool.
    const bossOptions: PgBoss.ConstructorOptions & Pick<pg.PoolConfig, 'connectionTimeoutMillis'> = {
      connectionString: this.connectionString,
      max: 4,
      schema: 'pgboss',
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // Maintenance gives jobs of a killed process back (see EVENT_JOB_EXPIRE_SECONDS): often enough for that.
      maintenanceIntervalSeconds: MAINTENANCE_INTERVAL_SECONDS,
    };
    this.boss = new PgBoss(bossOptions);
    this.boss.on('error', (err) => {
      // Stopping closes pg-boss's pool without waiting for each socket; when the embedded PostgreSQL then shuts
      // down it terminates those last connections (57P01). Expected at shutdown, an error at any other time.
      if (this.stopping && (err as { code?: string }).code === '57P01')
        return this.log.debug({ module: 'events', err }, 'pg-boss connection closed at shutdown');
      if (classifyDbError(err) === 'unavailable') return this.warnUnavailable(err, 'pg-boss cannot reach the database; retrying');
      this.log.error({ module: 'events', err }, 'pg-boss error');
    });
    await this.boss.start();
    for (const s of this.subscriptions) await this.boss.createQueue(s.queue);
    for (const starter of this.starters) await starter(this.boss, options);
    if (!options.workers) return;
    this.running = true;
    for (const s of this.subscriptions) {
      // pg-boss waits a polling interval between fetches even when busy, so fetch in batches. A failing
      // event is failed on its own (and retried); the rest of the batch completes.
      await this.boss.work<OutboxEvent>(s.queue, { pollingIntervalSeconds: 0.5, batchSize: 50 }, async (jobs) => {
        for (const job of jobs) {
          try {
            await s.handler(job.data);
          } catch (err) {
            this.log.warn({ module: 'events', err, queue: s.queue, eventId: job.data.eventId }, 'event handler failed; will retry');
            // With the database away the failure cannot be recorded either: the job stays active until it expires
            // and is retried then. This callback must not throw: pg-boss would record the whole batch as failed
            // without awaiting it (an unhandled rejection when the database is away).
            await this.boss
              ?.fail(s.queue, job.id, { message: err instanceof Error ? err.message : String(err) })
              .catch((failErr) => this.log.warn({ module: 'events', err: failErr, queue: s.queue }, 'could not record the failure'));
          }
        }
      });
    }
    // After a lost connection it listens again by itself; the timer below relays meanwhile.
    this.listener = new PgListener(this.pool, ['crm_outbox'], {
      notification: () => this.kick(),
      up: () => this.kick(),
      down: (err) => this.log.warn({ module: 'events', err }, 'outbox listener lost; reconnecting'),
    });
    await this.listener.start();
    this.timer = setInterval(() => this.kick(), 1000); // fallback when a notification is missed
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.relaying;
    await this.listener?.stop();
    this.listener = undefined;
    await this.boss?.stop({ graceful: true, timeout: 5000 });
  }

  /** Every poll fails while the database is away (each worker's, the relay's): one warning per 10 s, not dozens a second. */
  private warnUnavailable(err: unknown, message: string): void {
    const now = Date.now();
    if (now - this.lastUnavailableLog < UNAVAILABLE_LOG_MS) return;
    this.lastUnavailableLog = now;
    this.log.warn({ module: 'events', err }, message);
  }

  /** Run the relay now, or once more right after the current run. */
  private kick(): void {
    if (!this.running) return;
    if (this.relaying) {
      this.again = true;
      return;
    }
    this.relaying = this.relayUntilEmpty()
      .catch((err) => {
        if (classifyDbError(err) === 'unavailable') return this.warnUnavailable(err, 'outbox relay cannot reach the database; retrying');
        this.log.error({ module: 'events', err }, 'outbox relay failed');
      })
      .finally(() => {
        this.relaying = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async relayUntilEmpty(): Promise<void> {
    while (this.running && (await this.relayBatch(200)) > 0) {}
  }

  async relayBatch(limit: number): Promise<number> {
    const boss = this.jobs;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `SELECT workspace_id, id::text AS id, event_id, type, entity_type, entity_id, actor_id, payload, created_at
           FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
      for (const r of rows) {
        const event: OutboxEvent = {
          id: r.id,
          eventId: r.event_id,
          workspaceId: r.workspace_id,
          type: r.type,
          entityType: r.entity_type,
          entityId: r.entity_id,
          actorId: r.actor_id,
          payload: r.payload,
          createdAt: new Date(r.created_at).toISOString(),
        };
        for (const s of this.subscriptions) {
          if (s.matches(event.type))
            await boss.send(s.queue, event, { db, retryLimit: 5, retryBackoff: true, expireInSeconds: EVENT_JOB_EXPIRE_SECONDS });
        }
        const notice: RealtimeNotice = {
          w: event.workspaceId,
          id: event.id,
          type: event.type,
          entityType: event.entityType,
          entityId: event.entityId,
          actorId: event.actorId,
          ownerId: (r.payload?.ownerId as string) ?? null,
          teamId: (r.payload?.teamId as string) ?? null,
        };
        await client.query('SELECT pg_notify($1, $2)', [REALTIME_CHANNEL, JSON.stringify(notice)]);
      }
      if (rows.length) {
        await client.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[]) AND workspace_id = ANY($2::uuid[])', [
          rows.map((r) => r.id),
          [...new Set(rows.map((r) => r.workspace_id))],
        ]);
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
}
