/**
 * A server process for the import crash tests (`node --import tsx test/import-worker.ts`, DATABASE_URL in the
 * environment): small chunks with a pause after each, so a test can SIGKILL it half-way through an import.
 */
import { orderImportTuning } from '../src/server/modules/commerce/import.service.js';
import { importTuning } from '../src/server/modules/customers/import/import.service.js';
import { loadConfig } from '../src/server/platform/config.js';
import { startServer } from '../src/server/server.js';

const pause = () => new Promise<void>((r) => setTimeout(r, 150));
importTuning.batchSize = 5;
importTuning.afterBatch = pause;
orderImportTuning.batchSize = 2;
orderImportTuning.afterBatch = pause;
await startServer(
  loadConfig({ PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: process.env.DATABASE_URL, AUTH_RATE_LIMIT: '100000' }, process.cwd()),
  { listen: false, logger: false },
);
console.log('[import-worker] ready');
