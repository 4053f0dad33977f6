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

export function openDatabase(url: string, options: { poolSize?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 20,
    application_name: options.applicationName ?? 'crm',
    idleTimeoutMillis: 30_000,
  });
  // A dropped idle connection must not crash the process.
  pool.on('error', () => {});
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
