import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type pg from 'pg';
import type { Actor } from './actor.js';
import { PgListener } from './db/listener.js';
import { REALTIME_CHANNEL, type RealtimeNotice } from './events/bus.js';
import { maySee } from './policy.js';

interface Connection {
  actor: Actor;
  reply: FastifyReply;
}

/**
 * Pushes committed changes to the browsers connected to this instance (Server-Sent Events).
 * Changes made through any instance arrive by PostgreSQL LISTEN/NOTIFY.
 */
export class RealtimeHub {
  private readonly byWorkspace = new Map<string, Set<Connection>>();
  private listener?: PgListener;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(): Promise<void> {
    // A lost connection (PostgreSQL restarted) is re-established by itself; notices sent while it was down are
    // missed, so once it listens again every open stream is told to read its screens again (`resync`).
    let wasDown = false;
    this.listener = new PgListener(this.pool, [REALTIME_CHANNEL], {
      up: () => {
        if (!wasDown) return;
        wasDown = false;
        this.broadcast('event: resync\ndata: {}\n\n');
      },
      notification: (msg) => {
        if (msg.channel !== REALTIME_CHANNEL || !msg.payload) return;
        try {
          this.deliver(JSON.parse(msg.payload) as RealtimeNotice);
        } catch (err) {
          this.log.warn({ module: 'realtime', err }, 'bad realtime notice');
        }
      },
      down: (err) => {
        wasDown = true;
        this.log.warn({ module: 'realtime', err }, 'realtime listener lost; reconnecting');
      },
    });
    await this.listener.start();
    this.heartbeat = setInterval(() => this.broadcast(': ping\n\n'), 25_000);
  }

  private broadcast(data: string): void {
    for (const set of this.byWorkspace.values()) for (const c of set) c.reply.raw.write(data);
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const set of this.byWorkspace.values()) for (const c of set) c.reply.raw.end();
    this.byWorkspace.clear();
    await this.listener?.stop();
    this.listener = undefined;
  }

  get connectionCount(): number {
    let n = 0;
    for (const set of this.byWorkspace.values()) n += set.size;
    return n;
  }

  /** Turn the reply into an event stream for this actor until the client goes away. */
  open(actor: Actor, reply: FastifyReply): void {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.write('retry: 3000\n\n');
    const conn: Connection = { actor, reply };
    let set = this.byWorkspace.get(actor.workspaceId);
    if (!set) {
      set = new Set();
      this.byWorkspace.set(actor.workspaceId, set);
    }
    set.add(conn);
    reply.raw.write(`event: ready\ndata: {}\n\n`);
    reply.raw.on('close', () => {
      set.delete(conn);
      if (set.size === 0) this.byWorkspace.delete(actor.workspaceId);
    });
  }

  private deliver(notice: RealtimeNotice): void {
    const set = this.byWorkspace.get(notice.w);
    if (!set) return;
    const { w: _w, ...event } = notice;
    const data = `event: change\ndata: ${JSON.stringify(event)}\n\n`;
    for (const c of set) if (maySee(c.actor, notice)) c.reply.raw.write(data);
  }
}
