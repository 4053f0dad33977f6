import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { accountsRoutes, makeAuthenticator } from './modules/accounts/index.js';
import { activitiesModule } from './modules/activities/index.js';
import { commerceModule } from './modules/commerce/index.js';
import { auditRoutes } from './modules/compliance/index.js';
import { customersModule } from './modules/customers/index.js';
import { salesModule } from './modules/sales/index.js';
import type { Config } from './platform/config.js';
import { type Database, openDatabase } from './platform/db/database.js';
import { type EmbeddedDatabase, lockDataDir, startEmbeddedPostgres } from './platform/db/embedded.js';
import { migrate } from './platform/db/migrate.js';
import { EventBus } from './platform/events/bus.js';
import { type App, buildApp, type ModulePlugin } from './platform/http/app.js';
import { importsRoutes } from './platform/import/import.routes.js';
import { MailReceiver } from './platform/mail-receiver.js';
import { RealtimeHub } from './platform/realtime.js';
import { realtimeRoutes } from './platform/realtime.routes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = path.join(root, 'dist/web');

/** Every module's routes, in one place. */
export const modules: ModulePlugin[] = [
  realtimeRoutes,
  importsRoutes,
  accountsRoutes,
  auditRoutes,
  customersModule,
  activitiesModule,
  salesModule,
  commerceModule,
];

export interface RunningServer {
  app: App;
  database: Database;
  bus: EventBus;
  url: string;
  databaseUrl: string;
  mailReceiver: MailReceiver;
  stop(): Promise<void>;
}

/** The database the config points at: a PostgreSQL server, or the embedded one in the data folder. */
export async function connectDatabase(config: Config, log: (m: string) => void) {
  let embedded: EmbeddedDatabase | undefined;
  let release: (() => void) | undefined;
  let url = config.databaseUrl;
  if (!url) {
    release = lockDataDir(config.dataDir);
    try {
      embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
    } catch (err) {
      release();
      throw err;
    }
    url = embedded.url;
  }
  const database = openDatabase(url, { poolSize: config.dbPoolSize });
  await migrate(database.pool);
  return {
    database,
    url,
    close: async () => {
      await database.close();
      await embedded?.stop();
      release?.();
    },
  };
}

export async function startServer(
  config: Config,
  options: {
    listen?: boolean;
    logger?: boolean | object;
    configure?: (bus: EventBus) => void;
    /** The built web app to serve (default dist/web); the benchmarks serve a build of their own. */
    webDir?: string;
  } = {},
): Promise<RunningServer> {
  const log = (m: string) => console.log(`[crm] ${m}`);
  const conn = await connectDatabase(config, log);
  const { database } = conn;
  let app: App | undefined;
  try {
    const logger = options.logger ?? { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] };
    const { default: pino } = await import('pino');
    const baseLog = pino(typeof logger === 'object' ? logger : { level: logger ? config.logLevel : 'silent' });
    const bus = new EventBus(database.pool, conn.url, baseLog);
    const realtime = new RealtimeHub(database.pool, baseLog);
    options.configure?.(bus);
    const mailReceiver = new MailReceiver({ ...config.mailInbound, log: baseLog });
    app = await buildApp({
      mailReceiver,
      config,
      database,
      bus,
      realtime,
      authenticator: makeAuthenticator(database.db, config.sessionDays),
      modules,
      webDir: options.webDir ?? WEB_DIR,
      logger: options.logger,
    });
    await bus.start({ workers: config.workers });
    await realtime.start();
    await mailReceiver.start();
    let url = config.publicUrl;
    if (options.listen !== false) {
      const address = await app.listen({ port: config.port, host: config.host });
      if (config.port === 0) url = address.replace('0.0.0.0', '127.0.0.1');
    }
    const running = app;
    return {
      app: running,
      database,
      bus,
      url,
      databaseUrl: conn.url,
      mailReceiver,
      stop: async () => {
        await mailReceiver.stop();
        await realtime.stop();
        await running.close();
        await bus.stop();
        await conn.close();
      },
    };
  } catch (err) {
    await app?.close().catch(() => {});
    await conn.close();
    throw err;
  }
}
