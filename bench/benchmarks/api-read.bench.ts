import { createToken, createWorkspace } from '../../src/server/modules/accounts/index.js';
import type { Actor } from '../../src/server/platform/actor.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import { freshDatabase } from '../lib/database.js';
import { type LoadResult, measureLoad, medianRun } from '../lib/load.js';
import { startTarget } from '../lib/target.js';
import { type Benchmark, type Figure, figure, round } from '../lib/types.js';

const CONNECTIONS = 10;

/**
 * A user record read through the full API (bearer token -> actor, route access + scope check, zod
 * params, service, repository, presenter, zod response) against a bare Fastify + `pg` route that
 * reads the same row with one SELECT, loaded one after the other (never both at once).
 * Scale: users in the workspace.
 */
export const apiRead: Benchmark = {
  name: 'api-read',
  description: 'GET /api/v1/users/:id with an API token vs a bare Fastify + pg route (requests/s, p95)',
  defaultScale: 1000,
  async run(ctx) {
    const db = await freshDatabase(ctx.log);
    try {
      const { workspaceId, userId, token } = await seed(db.url, ctx.scale);
      ctx.log(`workspace with ${ctx.scale} users; reading user ${userId}`);
      const env = { BENCH_DATABASE: db.url, BENCH_DATA_DIR: db.dataDir, BENCH_WORKSPACE_ID: workspaceId };
      // Both servers stay up, but only one is under load at a time; rounds alternate them so a
      // neighbour's burst of CPU on a shared machine hits both sides alike.
      const bareTarget = await startTarget('bare-users.ts', { env, profileDir: ctx.profileDir });
      const fullTarget = await startTarget('full-app.ts', { env, profileDir: ctx.profileDir }).catch(async (err) => {
        await bareTarget.stop();
        throw err;
      });
      const bareRuns: LoadResult[] = [];
      const fullRuns: LoadResult[] = [];
      try {
        for (let round = 1; round <= ctx.rounds; round++) {
          ctx.log(`round ${round}/${ctx.rounds}: ${CONNECTIONS} connections, ${ctx.duration} s each after warm-up`);
          const options = { connections: CONNECTIONS, duration: ctx.duration, warmup: round === 1 ? 5 : 1 };
          bareRuns.push(await measureLoad({ ...options, url: `${bareTarget.url}/bare/users/${userId}`, serverCpuMs: bareTarget.cpuMs }));
          fullRuns.push(
            await measureLoad({
              ...options,
              url: `${fullTarget.url}/api/v1/users/${userId}`,
              headers: { authorization: `Bearer ${token}` },
              serverCpuMs: fullTarget.cpuMs,
            }),
          );
          const [b, f] = [bareRuns.at(-1) as LoadResult, fullRuns.at(-1) as LoadResult];
          ctx.log(
            `  bare ${Math.round(b.requestsPerSec)} req/s ${b.cpuMsPerRequest?.toFixed(3)} cpu-ms/req, full ${Math.round(f.requestsPerSec)} req/s ${f.cpuMsPerRequest?.toFixed(3)} cpu-ms/req`,
          );
        }
      } finally {
        await Promise.all([bareTarget.stop(), fullTarget.stop()]);
      }
      const bare = medianRun(bareRuns);
      const full = medianRun(fullRuns);
      const s = ctx.scale;
      const figures: Figure[] = [
        figure({
          figure: 'full API requests/s',
          value: round(full.requestsPerSec, 0),
          unit: 'req/s',
          baseline: round(bare.requestsPerSec, 0),
          scale: s,
        }),
        figure({
          figure: 'full API p95 latency',
          value: round(full.latencyMs.p95),
          unit: 'ms',
          baseline: round(bare.latencyMs.p95),
          scale: s,
        }),
        figure({
          figure: 'full API p50 latency',
          value: round(full.latencyMs.p50),
          unit: 'ms',
          baseline: round(bare.latencyMs.p50),
          scale: s,
        }),
        figure({
          figure: 'full API p99 latency',
          value: round(full.latencyMs.p99),
          unit: 'ms',
          baseline: round(bare.latencyMs.p99),
          scale: s,
        }),
        figure({
          figure: 'full API server CPU per request',
          value: round(full.cpuMsPerRequest ?? Number.NaN, 3),
          unit: 'ms',
          baseline: round(bare.cpuMsPerRequest ?? Number.NaN, 3),
          scale: s,
        }),
        figure({ figure: 'bare Fastify + pg requests/s', value: round(bare.requestsPerSec, 0), unit: 'req/s', baseline: null, scale: s }),
        figure({ figure: 'bare Fastify + pg p95 latency', value: round(bare.latencyMs.p95), unit: 'ms', baseline: null, scale: s }),
      ];
      return figures;
    } finally {
      await db.stop();
    }
  },
};

/** A workspace made through the accounts services, its admin's read token, and `scale - 1` filler users. */
async function seed(url: string, scale: number) {
  const database = openDatabase(url, { poolSize: 2, applicationName: 'crm-bench' });
  try {
    const { workspace, userId: adminId } = await createWorkspace({
      db: database.db,
      workspace: { name: 'ベンチマーク株式会社', timeZone: 'Asia/Tokyo', locale: 'ja', currency: 'JPY' },
      admin: { name: '管理 太郎', email: 'admin@bench.example', password: 'correct horse battery staple' },
    });
    const actor: Actor = {
      kind: 'user',
      workspaceId: workspace.id,
      userId: adminId,
      role: 'admin',
      teamIds: [],
      teammateIds: [],
      visibility: 'all',
      locale: 'ja',
    };
    const { token } = await createToken({ db: database.db, actor, name: 'bench', scopes: ['read'] });
    // Filler rows are test data: one INSERT ... SELECT, sharing the admin's (valid) argon2 hash.
    await database.pool.query(
      `INSERT INTO users (workspace_id, id, email, name, password_hash, role, locale)
       SELECT $1, gen_random_uuid(), 'user' || g || '@bench.example', 'ユーザー ' || g, u.password_hash,
              (ARRAY['manager', 'member', 'member', 'readonly'])[1 + g % 4], CASE WHEN g % 5 = 0 THEN 'en' ELSE NULL END
         FROM generate_series(1, $3::int) g, users u
        WHERE u.workspace_id = $1 AND u.id = $2`,
      [workspace.id, adminId, Math.max(0, scale - 1)],
    );
    const { rows } = await database.pool.query<{ id: string }>(
      `SELECT id FROM users WHERE workspace_id = $1 ORDER BY email OFFSET $2 LIMIT 1`,
      [workspace.id, Math.floor(scale / 2)],
    );
    const userId = rows[0]?.id ?? adminId;
    // The read user is in a team, so the team lookup returns something.
    await database.pool.query(
      `WITH t AS (INSERT INTO teams (workspace_id, id, name) VALUES ($1, gen_random_uuid(), '営業部') RETURNING id)
       INSERT INTO team_members (workspace_id, team_id, user_id) SELECT $1, t.id, $2 FROM t`,
      [workspace.id, userId],
    );
    await database.pool.query('ANALYZE');
    return { workspaceId: workspace.id as string, userId, token };
  } finally {
    await database.close();
  }
}
