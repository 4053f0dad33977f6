import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/server/platform/db/embedded.js';
import { migrate } from '../../src/server/platform/db/migrate.js';

export interface BenchDatabase {
  /** A fresh, migrated database of its own. */
  url: string;
  /** A data folder for the app (unused by PostgreSQL when the database is on a server). */
  dataDir: string;
  stop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * A fresh migrated database: a new database on the server named by BENCH_DATABASE_URL (dropped
 * afterwards), else an embedded PostgreSQL in a temporary folder (deleted afterwards).
 */
export async function freshDatabase(log: (m: string) => void = () => {}): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-'));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  let url: string;
  let stop: () => Promise<void>;
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (serverUrl) {
    const name = `crm_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    url = withDatabase(serverUrl, name);
    log(`database ${name} on ${new URL(serverUrl).host}`);
    stop = async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await c.end();
      removeDir();
    };
  } else {
    const embedded = await startEmbeddedPostgres({ dataDir, log });
    url = embedded.url;
    log(`embedded PostgreSQL in ${dataDir}`);
    stop = async () => {
      await embedded.stop();
      removeDir();
    };
  }
  try {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    await migrate(pool);
    await pool.end();
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, dataDir, stop };
}
