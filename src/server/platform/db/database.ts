import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';

// timestamptz as Date, bigint/numeric as string are pg's defaults; int8 counts we cast in SQL.
export type Db = Kysely<any>;
export type Tx = Transaction<any>;
export type DbOrTx = Db | Tx;

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
