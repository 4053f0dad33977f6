import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';

// timestamptz as Date, bigint/numeric as string are pg's defaults; int8 counts we cast in SQL.
export type Db = Kysely<any>;
export type Tx = Transaction<any>;
export type DbOrTx = Db | Tx;

/** Runs fn in the caller's transaction when given one, else in a new one: one use case can compose others atomically. */
export function inTransaction<T>(db: DbOrTx, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Tx) : (db as Db).transaction().execute(fn);
}

export interface Database {
  db: Db;
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

// A SQL `date` is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of a local-midnight Date.
pg.types.setTypeParser(1082, (v) => v);

/** How long to wait for a new connection before the request fails as `unavailable`. */
export const CONNECT_TIMEOUT_MS = 5_000;

export function openDatabase(url: string, options: { poolSize?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 20,
    application_name: options.applicationName ?? 'crm',
    idleTimeoutMillis: 30_000,
    // A database that is away answers 503 within seconds instead of holding each request until the OS gives up.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // A dropped idle connection must not crash the process.
  pool.on('error', () => {});
  // Nor one dropped while checked out between statements (a transaction awaiting app code, a LISTEN connection):
  // pg emits 'error' on such a client, and an 'error' nobody listens to ends the process. The statement that
  // uses it next fails instead, and releasing it removes it from the pool.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    url,
    close: async () => {
      await db.destroy();
    },
  };
}
