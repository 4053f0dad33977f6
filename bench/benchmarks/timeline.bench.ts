import pg from 'pg';
import { createToken, createWorkspace } from '../../src/server/modules/accounts/index.js';
import { type Actor, systemActor } from '../../src/server/platform/actor.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import { freshDatabase } from '../lib/database.js';
import { seedPeople } from '../lib/people-seed.js';
import { summarize } from '../lib/stats.js';
import { startTarget } from '../lib/target.js';
import { type Benchmark, type Figure, figure, round } from '../lib/types.js';

/**
 * A person's timeline among N timeline entries in all (default 10,000,000), the person holding 10,000 of
 * them: first page, a page deep in the history, and a kind filter, as server time (Server-Timing) through
 * the full API; baseline: the same keyset SQL straight on PostgreSQL in the same run. Then the time from
 * logging an activity through the API to the other user's realtime stream announcing the new entry and the
 * entry being readable (outbox → timeline consumer → outbox → SSE): what another browser waits for.
 */
const HOT_ENTRIES = 10_000;
const KINDS = ['note', 'call', 'meeting', 'email', 'change', 'task', 'sms'];

/** Drop the table's indexes and keys, fill it with one INSERT … SELECT, build them again (much faster than row by row). */
async function bulkLoadTimeline(
  pool: pg.Pool,
  workspaceId: string,
  actorId: string,
  hotId: string,
  total: number,
  log: (m: string) => void,
) {
  const c = await pool.connect();
  try {
    const constraints = (
      await c.query(
        `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
         WHERE conrelid = 'timeline_entries'::regclass AND contype IN ('p', 'u')`,
      )
    ).rows as { conname: string; def: string }[];
    const indexes = (
      await c.query(
        `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'timeline_entries'
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'timeline_entries'::regclass)`,
      )
    ).rows as { indexname: string; indexdef: string }[];
    for (const i of indexes) await c.query(`DROP INDEX ${i.indexname}`);
    for (const k of constraints) await c.query(`ALTER TABLE timeline_entries DROP CONSTRAINT ${k.conname}`);
    const insert = (n: number, entity: string) =>
      c.query(
        `INSERT INTO timeline_entries (workspace_id, id, entity_type, entity_id, occurred_at, kind, actor_id, source_type, event_id, summary)
         SELECT $1, gen_random_uuid(), 'person', ${entity}, now() - (random() * interval '1095 days'),
                ($4::text[])[1 + (g % ${KINDS.length})], $2, 'activity', gen_random_uuid(),
                jsonb_build_object('subject', 'ベンチマーク ' || g, 'recordLabel', '山田 太郎')
         FROM generate_series(1, $3::int) g`,
        [workspaceId, actorId, n, KINDS],
      );
    let t = performance.now();
    await insert(HOT_ENTRIES, `'${hotId}'::uuid`);
    // The rest over 1,000,000 other records (ids that exist only in the timeline: the index does not care).
    const chunk = 1_000_000;
    for (let done = HOT_ENTRIES; done < total; done += chunk) {
      await insert(Math.min(chunk, total - done), `('00000000-0000-4000-8000-' || lpad(to_hex((random() * 1000000)::int), 12, '0'))::uuid`);
      log(`  ${Math.min(done + chunk, total)} timeline entries`);
    }
    log(`inserted ${total} entries in ${((performance.now() - t) / 1000).toFixed(1)} s; building keys and indexes`);
    t = performance.now();
    await c.query("SET maintenance_work_mem = '512MB'");
    for (const k of constraints) await c.query(`ALTER TABLE timeline_entries ADD CONSTRAINT ${k.conname} ${k.def}`);
    for (const i of indexes) await c.query(i.indexdef);
    await c.query('VACUUM ANALYZE timeline_entries');
    log(`keys and indexes built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } finally {
    c.release();
  }
}

export const timelineBench: Benchmark = {
  name: 'timeline',
  description: "a person's timeline page p95 among N entries (server time) and event → entry seen by another user p95",
  defaultScale: 10_000_000,
  async run(ctx) {
    const db = await freshDatabase(ctx.log);
    try {
      const database = openDatabase(db.url, { poolSize: 2 });
      const { workspace, userId } = await createWorkspace({
        db: database.db,
        workspace: { name: 'ベンチ株式会社', timeZone: 'Asia/Tokyo', locale: 'ja', currency: 'JPY' },
        admin: { name: 'ベンチ', email: 'bench@example.jp', password: 'bench password long enough' },
      });
      const actor: Actor = { ...systemActor(workspace.id), kind: 'user', userId };
      const { token } = await createToken({ db: database.db, actor, name: 'bench', scopes: ['read', 'write'] });
      await database.close();
      await seedPeople(db.url, workspace.id, userId, 1000, ctx.log);
      const raw = new pg.Pool({ connectionString: db.url, max: 2 });
      const ids = (await raw.query('SELECT id FROM people WHERE workspace_id = $1 ORDER BY id LIMIT 2', [workspace.id])).rows as {
        id: string;
      }[];
      const hotId = ids[0]?.id as string;
      const otherId = ids[1]?.id as string;
      await bulkLoadTimeline(raw, workspace.id, userId, hotId, ctx.scale, ctx.log);

      const target = await startTarget('full-app.ts', {
        env: { BENCH_DATABASE: db.url, BENCH_DATA_DIR: db.dataDir },
        profileDir: ctx.profileDir,
      });
      try {
        const headers = { authorization: `Bearer ${token}` };
        const get = async (path: string) => {
          const res = await fetch(`${target.url}${path}`, { headers });
          if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
          const body = (await res.json()) as { data: { id: string }[]; nextCursor: string | null };
          return { ms: Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN), body };
        };
        const sqlPage = async (cursor: { at: Date; id: string } | null, kind: string | null) => {
          const t0 = performance.now();
          await raw.query(
            `SELECT t.*, u.name FROM timeline_entries t LEFT JOIN users u ON u.workspace_id = t.workspace_id AND u.id = t.actor_id
             WHERE t.workspace_id = $1 AND t.entity_type = 'person' AND t.entity_id = $2
               AND ($3::text IS NULL OR t.kind = $3) AND ($4::timestamptz IS NULL OR (t.occurred_at, t.id) < ($4, $5::uuid))
             ORDER BY t.occurred_at DESC, t.id DESC LIMIT 51`,
            [workspace.id, hotId, kind, cursor?.at ?? null, cursor?.id ?? null],
          );
          return performance.now() - t0;
        };
        const base = `/api/v1/timeline/person/${hotId}?limit=50`;
        // A cursor 40 pages (2,000 entries) deep.
        let deep: string | null = null;
        for (let i = 0; i < 40; i++) deep = (await get(`${base}${deep ? `&cursor=${deep}` : ''}`)).body.nextCursor;
        const deepRow = (
          await raw.query(
            `SELECT occurred_at, id FROM timeline_entries WHERE workspace_id = $1 AND entity_type = 'person' AND entity_id = $2
             ORDER BY occurred_at DESC, id DESC OFFSET 1999 LIMIT 1`,
            [workspace.id, hotId],
          )
        ).rows[0] as { occurred_at: Date; id: string };
        const cases: [string, string, () => Promise<number>][] = [
          ['timeline first page (50 of 10,000)', base, () => sqlPage(null, null)],
          ['timeline page 41 (keyset)', `${base}&cursor=${deep}`, () => sqlPage({ at: deepRow.occurred_at, id: deepRow.id }, null)],
          ['timeline filtered by kind (calls)', `${base}&kinds=call`, () => sqlPage(null, 'call')],
        ];
        const figures: Figure[] = [];
        const ITER = 100;
        for (const [label, path, sql] of cases) {
          for (let i = 0; i < 10; i++) await get(path);
          const app: number[] = [];
          const sqlTimes: number[] = [];
          for (let i = 0; i < ITER; i++) {
            app.push((await get(path)).ms);
            sqlTimes.push(await sql());
          }
          const a = summarize(app);
          const s = summarize(sqlTimes);
          ctx.log(`${label}: app p95 ${a.p95.toFixed(1)} ms, SQL p95 ${s.p95.toFixed(1)} ms`);
          figures.push(figure({ figure: `${label} p95`, value: round(a.p95), unit: 'ms', baseline: round(s.p95), scale: ctx.scale }));
        }

        // Event → visible: a second user's realtime stream (as a browser has it), then the entry read back.
        const latencies = await realtimeLatency(target.url, token, otherId, 40);
        const l = summarize(latencies);
        ctx.log(`activity logged → entry announced and readable: p50 ${l.p50.toFixed(0)} ms, p95 ${l.p95.toFixed(0)} ms`);
        figures.push(
          figure({
            figure: 'event → timeline entry seen by another client p95',
            value: round(l.p95, 0),
            unit: 'ms',
            baseline: null,
            scale: ctx.scale,
          }),
        );
        return figures;
      } finally {
        await target.stop();
        await raw.end();
      }
    } finally {
      await db.stop();
    }
  },
};

/** Log `n` calls on a person, one at a time; for each, wait for the SSE notice on its timeline and read the entry. */
async function realtimeLatency(url: string, token: string, personId: string, n: number): Promise<number[]> {
  const abort = new AbortController();
  const res = await fetch(`${url}/api/v1/realtime`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`realtime: ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const waiting: { resolve: (() => void) | null } = { resolve: null };
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        if (buffer.includes('timeline.added') && buffer.includes(personId)) {
          buffer = '';
          waiting.resolve?.();
        } else if (buffer.length > 1_000_000) buffer = '';
      }
    } catch {
      // aborted
    }
  })();
  const out: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < n; i++) {
      const seen = new Promise<void>((resolve) => {
        waiting.resolve = resolve;
      });
      const t0 = performance.now();
      const post = await fetch(`${url}/api/v1/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'call',
          subject: `電話 ${i}`,
          links: [{ entityType: 'person', entityId: personId }],
          call: { direction: 'out' },
        }),
      });
      if (post.status !== 201) throw new Error(`POST activity: ${post.status} ${await post.text()}`);
      const { id } = (await post.json()) as { id: string };
      await Promise.race([seen, new Promise((_, reject) => setTimeout(() => reject(new Error('no realtime notice within 10 s')), 10_000))]);
      const page = await fetch(`${url}/api/v1/timeline/person/${personId}?limit=5`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await page.json()) as { data: { sourceId: string | null }[] };
      if (!body.data.some((e) => e.sourceId === id)) throw new Error('announced entry not readable');
      out.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
    }
  } finally {
    abort.abort();
  }
  return out;
}
