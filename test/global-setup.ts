import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { TestProject } from 'vitest/node';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../src/server/platform/db/embedded.js';
import { migrate } from '../src/server/platform/db/migrate.js';

/**
 * One PostgreSQL for the run: the embedded one by default, or a fresh database on the server named by
 * TEST_DATABASE_URL. A migrated template database is prepared once; each test file clones it.
 */
let embedded: EmbeddedDatabase | undefined;
let tmpDir: string | undefined;
let cleanup: (() => Promise<void>) | undefined;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let adminUrl: string;
  if (process.env.TEST_DATABASE_URL) {
    adminUrl = process.env.TEST_DATABASE_URL;
  } else {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-test-'));
    embedded = await startEmbeddedPostgres({ dataDir: tmpDir });
    adminUrl = embedded.url;
  }
  const template = `crm_tpl_${runId}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const templateUrl = withDatabase(adminUrl, template);
  const pool = new pg.Pool({ connectionString: templateUrl, max: 2 });
  await migrate(pool);
  await pool.end();
  // pg-boss creates its schema on first start; do it once in the template.
  const boss = new PgBoss({ connectionString: templateUrl, schema: 'pgboss', max: 2, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', template);
  project.provide('runId', runId);
  cleanup = async () => {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`crm_%${runId}%`]);
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`).catch(() => {});
    await admin.end();
  };
}

export async function teardown() {
  await cleanup?.();
  await embedded?.stop();
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
    runId: string;
  }
}
