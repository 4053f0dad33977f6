import { sql } from 'kysely';
import type pg from 'pg';
import type { Actor } from '../../platform/actor.js';
import { PgListener } from '../../platform/db/listener.js';
import type { AccountsDb } from './accounts.db.js';

/**
 * Resolved credentials (session cookie or API token hash -> actor) kept for a few seconds, so a request
 * costs one database round trip instead of two. Any change that alters what an actor may do (logout,
 * password, role, status, teams, visibility, token revocation) clears the workspace's entries on every
 * instance at commit through NOTIFY; without a working listener nothing is cached.
 */
const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;
const CHANNEL = 'crm_auth';

type Cached = Omit<Actor, 'locale' | 'ip'> & { userLocale: 'ja' | 'en' | null };

class ActorCache {
  private readonly entries = new Map<string, { value: Cached; expires: number }>();
  enabled = false;

  get(key: string): Cached | undefined {
    if (!this.enabled) return undefined;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: Cached): void {
    if (!this.enabled) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expires: Date.now() + TTL_MS });
  }

  clearWorkspace(workspaceId: string): void {
    for (const [k, e] of this.entries) if (e.value.workspaceId === workspaceId) this.entries.delete(k);
  }

  clear(): void {
    this.entries.clear();
  }
}

export const actorCache = new ActorCache();

/** Call inside the transaction of any change to who may do what: every instance forgets the workspace's actors at commit. */
export async function invalidateActors(trx: AccountsDb, workspaceId: string): Promise<void> {
  actorCache.clearWorkspace(workspaceId);
  await sql`SELECT pg_notify(${CHANNEL}, ${workspaceId})`.execute(trx);
}

/**
 * LISTEN for invalidations; caching is on only while the listener is connected. A lost connection (PostgreSQL
 * restarted) turns caching off and empties the cache until the listener is back. Returns a stop function.
 */
export async function listenForInvalidations(pool: pg.Pool, log: (err: unknown) => void): Promise<() => Promise<void>> {
  const listener = new PgListener(pool, [CHANNEL], {
    notification: (msg) => {
      if (msg.channel === CHANNEL && msg.payload) actorCache.clearWorkspace(msg.payload);
    },
    up: () => {
      actorCache.clear();
      actorCache.enabled = true;
    },
    down: (err) => {
      actorCache.enabled = false;
      actorCache.clear();
      log(err);
    },
  });
  await listener.start();
  return async () => {
    actorCache.enabled = false;
    actorCache.clear();
    await listener.stop();
  };
}

export function toCached(actor: Actor, userLocale: 'ja' | 'en' | null): Cached {
  const { locale: _l, ip: _i, ...rest } = actor;
  return { ...rest, userLocale };
}
