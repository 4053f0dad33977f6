import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

/** Baseline 1: a raw `COPY` of a CSV file (with a header row of `columns` columns) into a table of text columns, no indexes. */
export async function copyCsvUnindexed(url: string, file: string, columns: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const cols = Array.from({ length: columns }, (_, i) => `c${i} text`);
    await client.query(`DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (${cols.join(', ')})`);
    const started = performance.now();
    await pipeline(fs.createReadStream(file), client.query(copyFrom('COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)')));
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await client.query('SELECT count(*)::int AS n FROM bench_copy');
    await client.query('DROP TABLE bench_copy');
    return { seconds, rows: rows[0].n as number };
  } finally {
    await client.end();
  }
}

/**
 * Baseline 2: the rows a workspace's import wrote into `tables`, copied out and `COPY`'d into empty twin tables with
 * the same columns and indexes (`LIKE … INCLUDING ALL`, no foreign keys): what PostgreSQL alone needs to load them.
 */
export async function copyIntoIndexedTwins(pool: pg.Pool, workspaceId: string, dir: string, tables: readonly string[]) {
  const client = await pool.connect();
  const rows: Record<string, number> = {};
  let seconds = 0;
  try {
    for (const table of tables) {
      const file = path.join(dir, `${table}.copy`);
      await pipeline(
        client.query(copyTo(`COPY (SELECT * FROM ${table} WHERE workspace_id = '${workspaceId}') TO STDOUT`)),
        fs.createWriteStream(file),
      );
      await client.query(`DROP TABLE IF EXISTS bench_${table}; CREATE TABLE bench_${table} (LIKE ${table} INCLUDING ALL)`);
      const started = performance.now();
      await pipeline(fs.createReadStream(file), client.query(copyFrom(`COPY bench_${table} FROM STDIN`)));
      seconds += (performance.now() - started) / 1000;
      rows[table] = Number((await client.query(`SELECT count(*) AS n FROM bench_${table}`)).rows[0].n);
      await client.query(`DROP TABLE bench_${table}`);
      fs.rmSync(file);
    }
  } finally {
    client.release();
  }
  return { seconds, rows };
}
