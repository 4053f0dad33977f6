import { loadConfig } from '../../src/server/platform/config.js';
import { startServer } from '../../src/server/server.js';
import { serveTarget } from '../lib/target.js';

/**
 * The whole app as `npm start` runs it (all modules, helmet, swagger, auth hooks, event workers),
 * on a free port, against BENCH_DATABASE. Request logging is off unless BENCH_LOG_LEVEL is set, so
 * the comparison with the bare server is of the request path, not of writing log lines.
 */
serveTarget(async () => {
  const logLevel = process.env.BENCH_LOG_LEVEL ?? 'silent';
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: logLevel,
      DATABASE_URL: process.env.BENCH_DATABASE,
      DATA_DIR: process.env.BENCH_DATA_DIR ?? '.tmp/bench-data',
      WORKERS: process.env.BENCH_WORKERS ?? 'on',
    },
    process.cwd(),
  );
  const server = await startServer(config, { logger: logLevel === 'silent' ? false : undefined });
  return { url: server.url, stop: () => server.stop() };
});
