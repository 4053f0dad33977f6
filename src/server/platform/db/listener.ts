import type pg from 'pg';

export interface ListenerHandlers {
  notification(message: pg.Notification): void;
  /** Listening (again): what was notified while the connection was down is lost, so catch up here. */
  up?(): void;
  /** The connection dropped (PostgreSQL restarted, a network cut): notifications stop until `up`. */
  down?(err: unknown): void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 2_000;

/**
 * A LISTEN connection that comes back by itself. A plain pooled client that LISTENs stays dead after PostgreSQL
 * restarts (and holds its pool slot for good); this one releases the broken client and reconnects with a growing
 * pause until the database answers again.
 */
export class PgListener {
  private current?: { client: pg.PoolClient; closed: boolean };
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channels: string[],
    private readonly handlers: ListenerHandlers,
  ) {
    for (const c of channels) if (!/^[a-z_][a-z0-9_]*$/.test(c)) throw new Error(`bad channel name ${c}`);
  }

  get listening(): boolean {
    return this.current !== undefined;
  }

  /** Connect and LISTEN; fails when the database cannot be reached now (as at start). */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      this.stopped = true;
      clearTimeout(this.retry);
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const conn = this.current;
    this.current = undefined;
    if (!conn) return;
    await conn.client.query('UNLISTEN *').catch(() => {});
    // The connection may have ended while UNLISTEN was under way (the pool closing): it was released then.
    if (conn.closed) return;
    conn.closed = true;
    // Close the listening connection instead of pooling it: nothing else should inherit it.
    conn.client.release(true);
  }

  private async connect(): Promise<void> {
    const client = await this.pool.connect();
    const conn = { client, closed: false };
    const lost = (err: unknown) => {
      if (conn.closed) return;
      conn.closed = true;
      if (this.current === conn) this.current = undefined;
      client.release(err instanceof Error ? err : new Error('listener connection lost'));
      if (this.stopped) return;
      this.handlers.down?.(err);
      this.schedule(FIRST_RETRY_MS);
    };
    client.on('notification', (m) => this.handlers.notification(m));
    client.on('error', lost);
    client.on('end', () => lost(new Error('listener connection ended')));
    try {
      for (const channel of this.channels) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      if (!conn.closed) {
        conn.closed = true;
        client.release(err instanceof Error ? err : true);
      }
      throw err;
    }
    if (this.stopped || conn.closed) {
      if (!conn.closed) {
        conn.closed = true;
        client.release(true);
      }
      return;
    }
    this.current = conn;
    this.handlers.up?.();
  }

  private schedule(ms: number): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().catch(() => this.schedule(Math.min(ms * 2, MAX_RETRY_MS)));
    }, ms);
    this.retry.unref();
  }
}
