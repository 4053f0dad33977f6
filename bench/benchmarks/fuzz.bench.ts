import { randomInt } from 'node:crypto';
import { createWorkspace } from '../../src/server/modules/accounts/index.js';
import { loadConfig } from '../../src/server/platform/config.js';
import { startServer } from '../../src/server/server.js';
import { ApiFuzzer } from '../../test/fuzz/api-fuzz-runner.js';
import { freshDatabase } from '../lib/database.js';
import { type Benchmark, type Figure, figure, round } from '../lib/types.js';

const PASSWORD = 'correct horse battery staple';

/**
 * The long run of the API fuzzer (issue 10; the CI test runs a bounded slice with a fixed seed): requests generated
 * from every route's schema, with mutations, as administrator session, API token and anonymous, spread evenly over
 * all routes. Properties: no 5xx, every 4xx in the API error format, no audit row from a rejected request (rows from
 * its address; background workers run, so only those are its own), the server answering afterwards. The seed is
 * random unless FUZZ_SEED is set, and printed: `FUZZ_SEED=<seed> npm run bench -- fuzz` replays a run.
 * Scale: requests in all (at least).
 */
export const fuzzBench: Benchmark = {
  name: 'fuzz',
  description: 'API fuzzing from the route schemas: requests over all routes, 5xx answers (must be 0), server alive',
  defaultScale: 20_000,
  async run(ctx) {
    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
    ctx.log(`seed ${seed} (replay with FUZZ_SEED=${seed})`);
    const db = await freshDatabase(ctx.log);
    try {
      const config = loadConfig(
        { PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: db.url, DATA_DIR: db.dataDir, AUTH_RATE_LIMIT: '100000', WORKERS: 'on' },
        process.cwd(),
      );
      const server = await startServer(config, { listen: false, logger: false });
      try {
        const adminEmail = 'admin@fuzz.example';
        const { workspace } = await createWorkspace({
          db: server.database.db,
          workspace: { name: 'ファズ株式会社', timeZone: 'Asia/Tokyo', locale: 'ja', currency: 'JPY' },
          admin: { name: '管理 太郎', email: adminEmail, password: PASSWORD },
        });
        const fuzzer = new ApiFuzzer({
          app: server.app,
          pool: server.database.pool,
          workspaceId: workspace.id,
          adminEmail,
          password: PASSWORD,
          quiet: false,
        });
        await fuzzer.setup();
        const routes = fuzzer.routes();
        const numRuns = Math.ceil(ctx.scale / routes.length);
        ctx.log(`${routes.length} routes, ${numRuns} requests each, ${fuzzer.ctx.knownIds.length} known record ids`);
        const started = performance.now();
        for (const [i, route] of routes.entries()) {
          await fuzzer.fuzzRoute(route, { seed: seed + i, numRuns });
          if ((i + 1) % 25 === 0) ctx.log(`  ${i + 1}/${routes.length} routes, ${fuzzer.stats.requests} requests`);
        }
        const seconds = (performance.now() - started) / 1000;
        const alive = await fuzzer.alive();
        ctx.log(fuzzer.summary());
        for (const f of fuzzer.stats.failures) ctx.log(`FAILURE ${f}`);
        const fivexx = Object.entries(fuzzer.stats.statuses)
          .filter(([s]) => Number(s) >= 500)
          .reduce((n, [, c]) => n + c, 0);
        if (fuzzer.stats.failures.length || !alive) process.exitCode = 1;
        const s = ctx.scale;
        const figures: Figure[] = [
          figure({ figure: 'requests sent', value: fuzzer.stats.requests, unit: 'requests', baseline: null, scale: s }),
          figure({ figure: 'routes covered', value: fuzzer.stats.routes.size, unit: 'routes', baseline: routes.length, scale: s }),
          figure({ figure: '5xx answers', value: fivexx, unit: 'responses', baseline: null, scale: s }),
          figure({
            figure: 'failing routes (any property)',
            value: fuzzer.stats.failures.length,
            unit: 'routes',
            baseline: null,
            scale: s,
          }),
          figure({
            figure: 'audit checks of rejected requests',
            value: fuzzer.stats.auditChecks,
            unit: 'requests',
            baseline: null,
            scale: s,
          }),
          figure({ figure: 'server alive afterwards', value: alive ? 1 : 0, unit: 'bool', baseline: null, scale: s }),
          figure({
            figure: 'requests per second',
            value: round(fuzzer.stats.requests / seconds, 0),
            unit: 'req/s',
            baseline: null,
            scale: s,
          }),
          figure({ figure: 'seed', value: seed, unit: 'seed', baseline: null, scale: s }),
          ...Object.entries(fuzzer.stats.statuses).map(([status, n]) =>
            figure({ figure: `status ${status}`, value: n, unit: 'responses', baseline: null, scale: s }),
          ),
        ];
        return figures;
      } finally {
        await server.stop();
      }
    } finally {
      await db.stop();
    }
  },
};
