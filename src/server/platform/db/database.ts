import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';

// timestamptz as Date, bigint/numeric as string are pg's defaults; int8 counts we cast in SQL.
/**
 * The server's connection, typed with the whole migrated schema. Only the wiring holds it (server start, the
 * platform's own workers); a module views it through its own tables with `<module>Db(db)` (see `DbOf`).
 */
export type Db = Kysely<DB>;

/** A table of the migrated schema (`schema.ts`, generated). */
export type Table = keyof DB;

/**
 * A connection or transaction that sees only the tables T: each module's repositories take one typed to the
 * module's own tables (`<module>.db.ts`), so selecting another module's table, or a column that does not exist,
 * is a compile error. A transaction is a handle too (Transaction extends Kysely).
 */
export type DbOf<T extends Table> = Kysely<Pick<DB, T>>;
export type TxOf<T extends Table> = Transaction<Pick<DB, T>>;

/**
 * The same connection or transaction, seen through tables T. Called where a handle crosses a boundary: a module's
 * entry points (routes, jobs, consumers, its index.ts ports) and the platform's writers (audit, outbox), which
 * accept any module's transaction. Nowhere else: inside a module, the handle already has the right type.
 */
export function tablesOf<T extends Table, D>(db: Kysely<D>): DbOf<T> {
  return db as unknown as DbOf<T>;
}
export function txTablesOf<T extends Table, D>(trx: Transaction<D>): TxOf<T> {
  return trx as unknown as TxOf<T>;
}

/** Runs fn in the caller's transaction when given one, else in a new one: one use case can compose others atomically. */
export function inTransaction<D, T>(db: Kysely<D>, fn: (trx: Transaction<D>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Transaction<D>) : db.transaction().execute(fn);
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
  const db: Db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    url,
    close: async () => {
      await db.destroy();
    },
  };
}
