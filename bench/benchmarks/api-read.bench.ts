import { createToken, createWorkspace } from '../../src/server/modules/accounts/index.js';
import type { Actor } from '../../src/server/platform/actor.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import { freshDatabase } from '../lib/database.js';
import { type LoadResult, measureLoad } from '../lib/load.js';
import { startTarget } from '../lib/target.js';
import { type Benchmark, type Figure, figure, round } from '../lib/types.js';

const CONNECTIONS = 10;

/**
 * A user record read through the full API (bearer token -> actor, route access + scope check, zod
 * params, service, repository, presenter, zod response) against a bare Fastify + `pg` route that
 * reads the same row with one SELECT, each alone on the machine, one after the other.
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
      const load = async (script: string, path: string, headers?: Record<string, string>): Promise<LoadResult> => {
        const target = await startTarget(script, { env, profileDir: ctx.profileDir });
        try {
          ctx.log(`${script}: ${CONNECTIONS} connections, ${ctx.duration} s after warm-up`);
          return await measureLoad({ url: `${target.url}${path}`, headers, connections: CONNECTIONS, duration: ctx.duration });
        } finally {
          await target.stop();
        }
      };
      const bare = await load('bare-users.ts', `/bare/users/${userId}`);
      const full = await load('full-app.ts', `/api/v1/users/${userId}`, { authorization: `Bearer ${token}` });
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
