import pg from 'pg';
import { createToken, createWorkspace } from '../../src/server/modules/accounts/index.js';
import { type Actor, systemActor } from '../../src/server/platform/actor.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import { freshDatabase } from '../lib/database.js';
import { summarize } from '../lib/stats.js';
import { startTarget } from '../lib/target.js';
import { type Benchmark, type Figure, figure, round } from '../lib/types.js';

const LIMIT = 20;

/**
 * The pipeline board over N open deals (default 100,000): `GET /api/v1/pipelines/:id/board` returns the
 * first 20 deals of every stage and every stage's totals in one call. Measured as server time through the
 * full API with an API token, one request at a time. Baseline: the same SQL (first page of every stage +
 * the maintained totals) run directly on PostgreSQL in the same run.
 */
export const pipelineBoard: Benchmark = {
  name: 'pipeline-board',
  description: 'pipeline board first page of every stage + totals p95 over N open deals, forecast and sales dashboard (server time)',
  defaultScale: 100_000,
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
      const target = await startTarget('full-app.ts', {
        env: { BENCH_DATABASE: db.url, BENCH_DATA_DIR: db.dataDir },
        profileDir: ctx.profileDir,
      });
      const raw = new pg.Pool({ connectionString: db.url, max: 1 });
      try {
        const get = async (path: string) => {
          const res = await fetch(`${target.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
          if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
          const body = await res.json();
          return { ms: Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN), body };
        };
        // The first read creates the default pipeline (初回接触 … 失注).
        const { body } = await get('/api/v1/pipelines');
        const pipeline = body.data[0] as { id: string; stages: { id: string; kind: string }[] };
        const open = pipeline.stages.filter((s) => s.kind === 'open').map((s) => s.id);

        ctx.log(`seeding ${ctx.scale} open deals over ${open.length} stages`);
        const t0 = Date.now();
        await raw.query(
          `INSERT INTO deals (workspace_id, id, title, pipeline_id, stage_id, status, amount, currency, expected_close_date,
             owner_id, stage_entered_at, created_by, updated_by)
           SELECT $1, gen_random_uuid(), '商談 ' || g, $2, ($3::uuid[])[1 + g % cardinality($3::uuid[])], 'open',
             (g * 7919) % 10000000, 'JPY', date '2026-01-01' + (g % 365), $4, now() - make_interval(secs => g), $4, $4
           FROM generate_series(1, $5::int) g`,
          [workspace.id, pipeline.id, open, userId, ctx.scale],
        );
        // The maintained totals as the app keeps them after these inserts.
        await raw.query(
          `INSERT INTO deal_stage_totals (workspace_id, pipeline_id, stage_id, currency, deal_count, amount)
           SELECT workspace_id, pipeline_id, stage_id, currency, count(*), sum(amount) FROM deals WHERE workspace_id = $1
           GROUP BY 1, 2, 3, 4
           ON CONFLICT (workspace_id, pipeline_id, stage_id, currency) DO UPDATE
           SET deal_count = EXCLUDED.deal_count, amount = EXCLUDED.amount`,
          [workspace.id],
        );
        await raw.query('VACUUM ANALYZE deals');
        await raw.query('ANALYZE deal_stage_totals');
        ctx.log(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

        const rawBoard = async () => {
          const t = performance.now();
          await raw.query(
            `SELECT s.id AS stage_id, x.* FROM pipeline_stages s CROSS JOIN LATERAL (
               SELECT d.* FROM deals d WHERE d.workspace_id = $1 AND d.pipeline_id = $2 AND d.stage_id = s.id AND d.deleted_at IS NULL
               ORDER BY d.stage_entered_at DESC, d.id DESC LIMIT ${LIMIT + 1}) x
             WHERE s.workspace_id = $1 AND s.pipeline_id = $2 AND s.deleted_at IS NULL`,
            [workspace.id, pipeline.id],
          );
          await raw.query('SELECT * FROM deal_stage_totals WHERE workspace_id = $1 AND pipeline_id = $2', [workspace.id, pipeline.id]);
          return performance.now() - t;
        };
        const rawFilteredTotals = async (month: string) => {
          const t = performance.now();
          await raw.query(
            `SELECT stage_id, currency, count(*), sum(amount) FROM deals WHERE workspace_id = $1 AND pipeline_id = $2 AND deleted_at IS NULL
             AND expected_close_date >= $3::date AND expected_close_date < $3::date + interval '1 month' GROUP BY 1, 2`,
            [workspace.id, pipeline.id, `${month}-01`],
          );
          return performance.now() - t;
        };

        const ITER = 200;
        const figures: Figure[] = [];
        const measure = async (label: string, path: (i: number) => string, baseline?: (i: number) => Promise<number>, what = 'board') => {
          for (let i = 0; i < 10; i++) await get(path(i));
          const app: number[] = [];
          const base: number[] = [];
          for (let i = 0; i < ITER; i++) {
            app.push((await get(path(i))).ms);
            if (baseline) base.push(await baseline(i));
          }
          const a = summarize(app);
          ctx.log(
            `${label}: p50 ${a.p50.toFixed(1)} ms, p95 ${a.p95.toFixed(1)} ms${baseline ? `; raw SQL p95 ${summarize(base).p95.toFixed(1)} ms` : ''}`,
          );
          figures.push(
            figure({
              figure: `${what} p95: ${label}`,
              value: round(a.p95),
              unit: 'ms',
              baseline: baseline ? round(summarize(base).p95) : null,
              scale: ctx.scale,
            }),
          );
        };
        const boardPath = `/api/v1/pipelines/${pipeline.id}/board?limit=${LIMIT}`;
        const month = (i: number) => `2026-${String(1 + (i % 12)).padStart(2, '0')}`;
        await measure('first page of every stage + maintained totals', () => boardPath, rawBoard);
        await measure(
          'close-month filter (totals aggregated per request)',
          (i) => `${boardPath}&closeMonth=${month(i)}`,
          (i) => rawFilteredTotals(month(i)),
        );
        await measure('owner filter (all deals match: worst case for the aggregate)', () => `${boardPath}&ownerId=${userId}`);
        const amount = encodeURIComponent(JSON.stringify({ field: 'amount', op: 'gte', value: 9_000_000 }));
        await measure('filter language: amount >= 9,000,000', () => `${boardPath}&filter=${amount}`);
        // The manager's screens over the same deals (not in a budget): the fiscal year 2026 (April start) holds
        // three quarters of them; one grouped statement over the deals per request.
        await measure('fiscal year 2026 by month', () => '/api/v1/forecast?period=month&fiscalYear=2026', undefined, 'forecast');
        await measure(
          'fiscal year 2026 by quarter and owner',
          () => '/api/v1/forecast?period=quarter&fiscalYear=2026&groupBy=owner',
          undefined,
          'forecast',
        );
        await measure('this month and this quarter', () => '/api/v1/sales-dashboard', undefined, 'sales dashboard');

        // Next pages of one stage by keyset cursor.
        const first = (await get(boardPath)).body as { columns: { stage: { id: string }; nextCursor: string | null }[] };
        const col = first.columns[0] as { stage: { id: string }; nextCursor: string | null };
        const pages: number[] = [];
        let cursor = col.nextCursor;
        for (let i = 0; i < ITER && cursor; i++) {
          const r = await get(
            `/api/v1/pipelines/${pipeline.id}/stages/${col.stage.id}/deals?limit=${LIMIT}&cursor=${encodeURIComponent(cursor)}`,
          );
          pages.push(r.ms);
          cursor = r.body.nextCursor;
        }
        figures.push(
          figure({
            figure: 'stage next page p95 (keyset)',
            value: round(summarize(pages).p95),
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
