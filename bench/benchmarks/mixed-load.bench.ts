import autocannon from 'autocannon';
import { createToken, createWorkspace } from '../../src/server/modules/accounts/index.js';
import { type Actor, systemActor } from '../../src/server/platform/actor.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import { freshDatabase } from '../lib/database.js';
import { measureLoad } from '../lib/load.js';
import { seedPeople } from '../lib/people-seed.js';
import { summarize } from '../lib/stats.js';
import { startTarget } from '../lib/target.js';
import { type Benchmark, type Figure, figure, round } from '../lib/types.js';

const CONNECTIONS = 30;

/**
 * Mixed load over N people (default 100,000): 30 connections each cycling through 7 requests, 2 of them writes
 * (create a person; log a note on a person), for --duration seconds (use 120 for the 2 minutes).
 * Every response must be 2xx. Baseline: the bare Fastify + pg read of api-read under the same 30 connections.
 */
export const mixedLoad: Benchmark = {
  name: 'mixed-load',
  description: 'mixed reads and writes (2 of 7) over N people, 30 connections: errors, req/s, p95 vs a bare read',
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
      const { token } = await createToken({ db: database.db, actor, name: 'bench', scopes: ['read', 'write'] });
      await database.close();
      ctx.log(`seeding ${ctx.scale} people`);
      const sample = await seedPeople(db.url, workspace.id, userId, ctx.scale, ctx.log);
      const env = { BENCH_DATABASE: db.url, BENCH_DATA_DIR: db.dataDir, BENCH_WORKSPACE_ID: workspace.id };
      const bare = await startTarget('bare-users.ts', { env, profileDir: ctx.profileDir });
      const full = await startTarget('full-app.ts', { env, profileDir: ctx.profileDir }).catch(async (err) => {
        await bare.stop();
        throw err;
      });
      try {
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        const pick = (i: number) => sample[(i * 7919) % sample.length] as (typeof sample)[number];
        let n = 0;
        // One cycle of seven; each connection walks it with its own counter, so people and names vary.
        const requests: autocannon.Request[] = [
          // The list's default order; sorting 100,000 people by kana (sort=familyNameKana) takes ~140 ms a page today.
          { method: 'GET', path: '/api/v1/people?limit=50' },
          { method: 'GET', path: '/', setupRequest: (r) => ({ ...r, path: `/api/v1/people/${pick(n++).id}` }) },
          {
            method: 'GET',
            path: '/',
            setupRequest: (r) => ({ ...r, path: `/api/v1/search?q=${encodeURIComponent(pick(n++).familyName)}` }),
          },
          { method: 'GET', path: '/', setupRequest: (r) => ({ ...r, path: `/api/v1/timeline/person/${pick(n++).id}` }) },
          {
            method: 'POST',
            path: '/api/v1/people',
            setupRequest: (r) => ({
              ...r,
              body: JSON.stringify({ familyName: '負荷', givenName: `太郎${n++}`, ignoreDuplicates: true }),
            }),
          },
          { method: 'GET', path: '/api/v1/deals?limit=50' },
          {
            method: 'POST',
            path: '/api/v1/activities',
            setupRequest: (r) => ({
              ...r,
              body: JSON.stringify({ kind: 'note', body: `電話フォロー ${n}`, links: [{ entityType: 'person', entityId: pick(n++).id }] }),
            }),
          },
        ];
        ctx.log(`bare read: ${CONNECTIONS} connections, ${ctx.duration} s`);
        const baseline = await measureLoad({
          url: `${bare.url}/bare/users/${userId}`,
          connections: CONNECTIONS,
          duration: Math.min(ctx.duration, 30),
          warmup: 3,
        });
        ctx.log(`mixed: ${CONNECTIONS} connections, ${ctx.duration} s`);
        const latencies: number[] = [];
        const statuses = new Map<number, number>();
        const result = await new Promise<autocannon.Result>((resolve, reject) => {
          const instance = autocannon({ url: full.url, connections: CONNECTIONS, duration: ctx.duration, headers, requests }, (err, r) =>
            err ? reject(err) : resolve(r),
          );
          instance.on('response', (_c, status, _b, ms) => {
            latencies.push(ms);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          });
        });
        const s = summarize(latencies);
        const errors = result.errors + result.non2xx;
        ctx.log(`statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${result.errors} connection errors`);
        const figures: Figure[] = [
          figure({
            figure: 'mixed load errors (non-2xx + connection errors)',
            value: errors,
            unit: 'responses',
            baseline: 0,
            scale: ctx.scale,
          }),
          figure({
            figure: 'mixed load requests/s',
            value: round(result.requests.total / result.duration, 0),
            unit: 'req/s',
            baseline: round(baseline.requestsPerSec, 0),
            scale: ctx.scale,
          }),
          figure({
            figure: 'mixed load p95 latency',
            value: round(s.p95),
            unit: 'ms',
            baseline: round(baseline.latencyMs.p95),
            scale: ctx.scale,
          }),
          figure({
            figure: 'mixed load p50 latency',
            value: round(s.p50),
            unit: 'ms',
            baseline: round(baseline.latencyMs.p50),
            scale: ctx.scale,
          }),
          figure({
            figure: 'mixed load p99 latency',
            value: round(s.p99),
            unit: 'ms',
            baseline: round(baseline.latencyMs.p99),
            scale: ctx.scale,
          }),
          figure({ figure: 'mixed load requests', value: result.requests.total, unit: 'requests', baseline: null, scale: ctx.scale }),
        ];
        if (errors) throw new Error(`mixed load: ${errors} failed responses (${JSON.stringify(Object.fromEntries(statuses))})`);
        return figures;
      } finally {
        await Promise.all([bare.stop(), full.stop()]);
      }
    } finally {
      await db.stop();
    }
  },
};
