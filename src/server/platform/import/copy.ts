import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DB } from '../db/schema.js';

/**
 * Bulk writes for imports: rows go to PostgreSQL with COPY (text format) on the batch's own connection, inside its
 * transaction; rows that update existing records go through a per-connection staging table first.
 */

/**
 * Kysely over one checked-out client inside the transaction its caller began (BEGIN), so a module's repository,
 * audit and outbox writes join the batch's transaction.
 */
export function kyselyOn(client: pg.PoolClient): Transaction<DB> {
  const pool = { connect: async () => ({ query: client.query.bind(client), release: () => {} }), end: async () => {} };
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as never }) }) as unknown as Transaction<DB>;
}

const COPY_ESC: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const NEEDS_ESC = /[\\\t\n\r]/;

function esc(s: string): string {
  return NEEDS_ESC.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => COPY_ESC[c] as string) : s;
}

/** One value in COPY text format: NULL, text, a text[] literal, or JSON. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string') return esc(v);
  if (Array.isArray(v)) return esc(`{${v.map((x) => `"${String(x).replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
  if (typeof v === 'object') return esc(JSON.stringify(v));
  return String(v);
}

/** One COPY line from a row object: the `json` columns (jsonb) as JSON, arrays elsewhere as text[]. */
export function copyLine(columns: readonly string[], row: Record<string, unknown>, json: ReadonlySet<string> = NO_JSON): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i] as string;
    const v = row[c];
    if (i) line += '\t';
    line += json.has(c) && v !== null && v !== undefined ? esc(JSON.stringify(v)) : copyValue(v);
  }
  return line;
}
const NO_JSON: ReadonlySet<string> = new Set();

/** COPY the lines into `table` on the caller's connection (and transaction). */
export async function copyInto(client: pg.PoolClient, table: string, columns: readonly string[], lines: string[]) {
  if (!lines.length) return;
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  // Hand the text over in pieces of ~1 MB so the event loop is never blocked by one huge string.
  const pieces: string[] = [];
  let piece: string[] = [];
  let size = 0;
  for (const l of lines) {
    piece.push(l);
    size += l.length;
    if (size > 512 * 1024) {
      pieces.push(`${piece.join('\n')}\n`);
      piece = [];
      size = 0;
    }
  }
  if (piece.length) pieces.push(`${piece.join('\n')}\n`);
  await pipeline(Readable.from(pieces), stream);
}

/** A staging table `stage` shaped like `table`, per connection and emptied at each commit: COPY in, then set-based SQL. */
export async function ensureStage(client: pg.PoolClient, stage: string, table: string) {
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (LIKE ${table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
}
