import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutesOf } from '../../../../test/fuzz/api-fuzz.js';
import { ApiFuzzer } from '../../../../test/fuzz/api-fuzz-runner.js';
import { createTestWorkspace, PASSWORD, startTestServer } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';

/**
 * Property-based fuzzing of every API route from its schema (issue 10): a fixed seed and a bounded count here;
 * `npm run bench -- fuzz` runs 20,000+ requests with a random seed. Properties: no 5xx, every 4xx in the API
 * error format, a rejected request writes no audit row, and the server still answers afterwards.
 */
const SEED = 20_261_206;
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS_PER_ROUTE ?? 8);

let server: RunningServer;
let fuzzer: ApiFuzzer;

beforeAll(async () => {
  // Workers off: no background job writes audit rows, so "a rejected request wrote nothing" is exact.
  server = await startTestServer({ config: { workers: false } });
  const ws = await createTestWorkspace(server);
  fuzzer = new ApiFuzzer(
    {
      app: server.app,
      pool: server.database.pool,
      workspaceId: ws.workspaceId,
      adminEmail: ws.adminEmail,
      password: PASSWORD,
      quiet: true,
    },
    process.env.FUZZ_VERBOSE ? (m) => console.log(`${new Date().toISOString()} ${m}`) : undefined,
  );
  const t0 = Date.now();
  await fuzzer.setup();
  if (process.env.FUZZ_VERBOSE) console.log(`setup ${Date.now() - t0} ms, ${fuzzer.ctx.knownIds.length} known ids`);
});
afterAll(async () => {
  await server?.stop();
});

describe('API fuzzing from the route schemas', () => {
  it('every registered API route has its request schemas in the OpenAPI document', () => {
    const { routes, undocumented } = apiRoutesOf(server.app);
    expect(undocumented).toEqual([]);
    expect(routes.length).toBeGreaterThan(150);
  });

  it('no request to any route answers 5xx, rejected requests write nothing, and the server keeps answering', async () => {
    const routes = fuzzer.routes();
    for (const [i, route] of routes.entries()) {
      await fuzzer.fuzzRoute(route, { seed: SEED + i, numRuns: RUNS_PER_ROUTE });
    }
    console.log(fuzzer.summary());
    expect(fuzzer.stats.failures).toEqual([]);
    expect(fuzzer.stats.routes.size).toBe(routes.length);
    expect(await fuzzer.alive()).toBe(true);
  }, 600_000);
});
