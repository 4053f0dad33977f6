import pg from 'pg';
import { createToken, createWorkspace } from '../../src/server/modules/accounts/index.js';
import { type Actor, systemActor } from '../../src/server/platform/actor.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import { companyNameKey } from '../../src/shared/jp-text.js';
import { freshDatabase } from '../lib/database.js';
import { seedPeople } from '../lib/people-seed.js';
import { summarize } from '../lib/stats.js';
import { startTarget } from '../lib/target.js';
import { type Benchmark, type Figure, figure, round } from '../lib/types.js';

/**
 * Type-ahead search and list pages over N people (default 1,000,000), measured as server time
 * (the app's Server-Timing header) through the full API with an API token, one request at a time.
 * Baseline: the same SQL run directly on PostgreSQL in the same run.
 */
export const customersQuery: Benchmark = {
  name: 'customers-query',
  description: 'type-ahead search p95 and filtered+sorted list page p95 over N people (server time)',
  defaultScale: 1_000_000,
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
      const { token } = await createToken({ db: database.db, actor, name: 'bench', scopes: ['read'] });
      await database.close();
      ctx.log(`seeding ${ctx.scale} people`);
      const sample = await seedPeople(db.url, workspace.id, userId, ctx.scale, ctx.log);
      const target = await startTarget('full-app.ts', {
        env: { BENCH_DATABASE: db.url, BENCH_DATA_DIR: db.dataDir },
        profileDir: ctx.profileDir,
      });
      const raw = new pg.Pool({ connectionString: db.url, max: 1 });
      try {
        const get = async (path: string) => {
          const res = await fetch(`${target.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
          if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
          return Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN);
        };
        // The same work as the route: a page of names and readings that start with the term (prefix btree indexes),
        // then, only when they do not fill it, the term's GIN index for the rest; all scoped to the workspace.
        const rawSearch = async (n: string) => {
          const starts = `${n.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
          const prefix = async (column: string) =>
            (
              await raw.query(
                `SELECT * FROM people r WHERE workspace_id = $1 AND deleted_at IS NULL AND (r.${column} COLLATE "C") LIKE $2
                  ORDER BY r.${column} COLLATE "C" LIMIT 11`,
                [workspace.id, starts],
              )
            ).rows as { id: string }[];
          const found = [...(await prefix('name_key')), ...(await prefix('sort_key'))];
          const ids = [...new Set(found.map((r) => r.id))];
          if (ids.length > 10 || [...n].length === 1) return;
          const cond = [...n].length === 2 ? 'search_bigrams @> ARRAY[$3::text]' : 'search_text LIKE $3';
          await raw.query('BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off');
          await raw.query(
            `SELECT * FROM (SELECT * FROM people r WHERE ${cond} AND workspace_id = $1
                AND deleted_at IS NULL AND NOT (id = ANY($4::uuid[])) LIMIT 300) c
             ORDER BY c.sort_key LIKE $2::text || '%' DESC, c.sort_key LIMIT $5`,
            [workspace.id, n, [...n].length === 2 ? n : `%${n}%`, ids, 11 - ids.length],
          );
          await raw.query('COMMIT');
        };
        const pickSample = (i: number) => sample[i % sample.length] as (typeof sample)[number];
        const searches: Record<string, (i: number) => string> = {
          'one kanji (佐, 林, 森 …)': (i) => ['佐', '林', '森', '山', '田', '東'][i % 6] as string,
          'two kanji (山田, 佐藤 …)': (i) => ['山田', '佐藤', '鈴木', '田中', '高橋', '中村'][i % 6] as string,
          'full kanji name': (i) => `${pickSample(i).familyName}${pickSample(i).givenName}`,
          'half-width kana': (i) => ['ﾔﾏﾀﾞ', 'ｽｽﾞｷﾀﾛｳ', 'ﾀﾅｶ'][i % 3] as string,
          'hiragana reading': (i) => ['やまだ', 'さとうはなこ', 'なかむら'][i % 3] as string,
          romaji: (i) => ['yamada', 'suzuki', 'tanaka'][i % 3] as string,
          'email fragment': (i) => pickSample(i).email.split('@')[0] as string,
          'phone digits': (i) => pickSample(i).phoneDigits.slice(3),
          // The company as another row spelt it: (株)大和運輸 for 株式会社大和運輸 or 大和運輸株式会社.
          company: (i) => `(株)${companyNameKey(companies[i % companies.length] as string)}`,
        };
        const companies = sample.map((p) => p.companyName).filter((c): c is string => !!c);
        const figures: Figure[] = [];
        const ITER = 60;
        const allSearch: number[] = [];
        for (const [label, q] of Object.entries(searches)) {
          for (let i = 0; i < 5; i++) await get(`/api/v1/search?q=${encodeURIComponent(q(i))}&limit=10`); // warm-up
          const app: number[] = [];
          const sqlTimes: number[] = [];
          for (let i = 0; i < ITER; i++) {
            const term = q(i);
            app.push(await get(`/api/v1/search?q=${encodeURIComponent(term)}&limit=10`));
            const n = companyNameKey(term);
            const t0 = performance.now();
            await rawSearch(n);
            sqlTimes.push(performance.now() - t0);
          }
          allSearch.push(...app);
          const a = summarize(app);
          figures.push(
            figure({
              figure: `search p95: ${label}`,
              value: round(a.p95),
              unit: 'ms',
              baseline: round(summarize(sqlTimes).p95),
              scale: ctx.scale,
            }),
          );
          ctx.log(`search ${label}: p50 ${a.p50.toFixed(1)} ms, p95 ${a.p95.toFixed(1)} ms`);
        }
        figures.unshift(
          figure({
            figure: 'type-ahead search p95 (all queries)',
            value: round(summarize(allSearch).p95),
            unit: 'ms',
            baseline: null,
            scale: ctx.scale,
          }),
        );

        const f = (x: unknown) => encodeURIComponent(JSON.stringify(x));
        const lists: Record<string, string> = {
          'all people by reading': '/api/v1/people?sort=name&limit=50',
          'prefecture = 東京都 by reading': `/api/v1/people?filter=${f({ field: 'prefecture', op: 'eq', value: '東京都' })}&sort=name&limit=50`,
          'tag vip, newest first': `/api/v1/people?filter=${f({ field: 'tags', op: 'has_any', value: ['vip'] })}&sort=-updatedAt&limit=50`,
          'updated in 2025, by reading': `/api/v1/people?filter=${f({ field: 'updatedAt', op: 'between', value: ['2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'] })}&sort=-updatedAt&limit=50`,
        };
        const allList: number[] = [];
        for (const [label, path] of Object.entries(lists)) {
          for (let i = 0; i < 3; i++) await get(path);
          const times: number[] = [];
          // Half first pages, half later pages through the cursor.
          let cursor: string | null = null;
          for (let i = 0; i < ITER; i++) {
            const url = cursor && i % 2 ? `${path}&cursor=${cursor}` : path;
            const res = await fetch(`${target.url}${url}`, { headers: { authorization: `Bearer ${token}` } });
            const body = (await res.json()) as { nextCursor: string | null };
            cursor = body.nextCursor;
            times.push(Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1]));
          }
          allList.push(...times);
          const s = summarize(times);
          figures.push(figure({ figure: `list page p95: ${label}`, value: round(s.p95), unit: 'ms', baseline: null, scale: ctx.scale }));
          ctx.log(`list ${label}: p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms`);
        }
        figures.splice(
          1,
          0,
          figure({
            figure: 'filtered + sorted list page p95 (all views)',
            value: round(summarize(allList).p95),
            unit: 'ms',
            baseline: null,
            scale: ctx.scale,
          }),
        );
        return figures;
      } finally {
        await raw.end();
        await target.stop();
      }
    } finally {
      await db.stop();
    }
  },
};
