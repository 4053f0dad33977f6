import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createTestDatabase, createTestWorkspace, signIn, startTestServer, uniqueEmail } from '../../test/helpers.js';
import { loadConfig } from './platform/config.js';
import { startServer } from './server.js';

const ROOT = process.cwd();
const CLI = path.resolve('src/server/cli.ts');
const PASSWORD = 'a long cli password';
let tmp: string;

/** Run the real CLI as a child process, as an operator would. */
function crm(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DATABASE_URL: _ignored, ...base } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      // Run from the project folder (where tsx resolves); DATA_DIR points away from any real data.
      { env: { ...base, DATA_DIR: path.join(tmp, 'unused-data'), ...env }, cwd: ROOT, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function emptyDatabase(): Promise<string> {
  const name = `crm_e_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`).finally(() => admin.end());
  const u = new URL(inject('adminUrl'));
  u.pathname = `/${name}`;
  return u.toString();
}

async function canSignIn(databaseUrl: string, email: string, password: string): Promise<boolean> {
  const server = await startTestServer({ databaseUrl });
  try {
    await signIn(server, email, password);
    return true;
  } catch {
    return false;
  } finally {
    await server.stop();
  }
}

let url: string;
let adminEmail: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cli-test-'));
  url = await createTestDatabase();
  adminEmail = uniqueEmail('cli-admin');
});
// Each CLI run is a fresh Node process compiling TypeScript through tsx: seconds, not milliseconds.
vi.setConfig({ testTimeout: 90_000 });

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('crm create-admin and reset-password', () => {
  it('creates the first workspace with its administrator, who can then sign in', async () => {
    const r = await crm(
      ['create-admin', '--email', adminEmail, '--name', '管理 花子', '--password', PASSWORD, '--workspace-name', '株式会社テスト'],
      {
        DATABASE_URL: url,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Created workspace "株式会社テスト"/);
    expect(await canSignIn(url, adminEmail, PASSWORD)).toBe(true);
  });

  it('adds a second administrator to the existing workspace, and refuses a taken address', async () => {
    const second = uniqueEmail('cli-admin2');
    const r = await crm(['create-admin', '--email', second, '--name', 'Second', '--password', PASSWORD], { DATABASE_URL: url });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Added administrator .* to workspace "株式会社テスト"/);
    const pool = new pg.Pool({ connectionString: url });
    try {
      const { rows } = await pool.query(
        `SELECT u.role, (SELECT count(*)::int FROM audit_log a WHERE a.entity_id = u.id AND a.action = 'user.created') AS audits,
                (SELECT count(*)::int FROM outbox o WHERE o.entity_id = u.id AND o.type = 'user.created') AS events
           FROM users u WHERE u.email = $1`,
        [second],
      );
      expect(rows).toEqual([{ role: 'admin', audits: 1, events: 1 }]);
    } finally {
      await pool.end();
    }
    const again = await crm(['create-admin', '--email', second, '--name', 'Again', '--password', PASSWORD], { DATABASE_URL: url });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already in use/);
  });

  it('resets a password: the new one works and the old one no longer does', async () => {
    const r = await crm(['reset-password', '--email', adminEmail, '--password', 'a brand new password'], { DATABASE_URL: url });
    expect(r.code).toBe(0);
    expect(await canSignIn(url, adminEmail, 'a brand new password')).toBe(true);
    expect(await canSignIn(url, adminEmail, PASSWORD)).toBe(false);
    const unknown = await crm(['reset-password', '--email', uniqueEmail(), '--password', 'a brand new password'], { DATABASE_URL: url });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No active user/);
  });
});

describe('crm config and usage', () => {
  it('prints the configuration with the database password masked', async () => {
    const r = await crm(['config'], { DATABASE_URL: 'postgres://crm:s3cret-pw@db.example.test:5432/crm' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).databaseUrl).toBe('postgres://crm:***@db.example.test:5432/crm');
    expect(r.stdout + r.stderr).not.toContain('s3cret-pw');
  });

  it('answers bad usage with exit code 2 and a message', async () => {
    const cases: [string[], RegExp][] = [
      [['no-such-command'], /Unknown command "no-such-command"/],
      [['create-admin', '--name', 'X', '--password', PASSWORD], /--email is required/],
      [['create-admin', '--email', 'not-an-email', '--name', 'X', '--password', PASSWORD], /not an email address/],
      [['create-admin', '--email', 'a@example.test', '--name', 'X', '--password', 'short'], /10 to 200 characters/],
      [['create-admin', '--email', 'a@example.test', '--name', 'X'], /--password is required when not run on a terminal/],
      [['reset-password', '--email', 'a@example.test', '--bogus'], /Unknown option '--bogus'/],
      [['backup'], /Expected 1 argument/],
    ];
    const results = await Promise.all(cases.map(([args]) => crm(args, { DATABASE_URL: url })));
    cases.forEach(([args, message], i) => {
      expect(results[i]?.code, args.join(' ')).toBe(2);
      expect(results[i]?.stderr, args.join(' ')).toMatch(message);
    });
    const help = await crm(['backup', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: crm backup <file>/);
  });

  it('runs through bin/crm.mjs from any folder and forwards the exit code', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, [path.join(ROOT, 'bin/crm.mjs'), ...args], { cwd: tmp, timeout: 60_000 }, (err, stdout) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
        );
      });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n {2}create-admin/);
    expect((await run(['nope'])).code).toBe(2);
  });
});

describe('crm backup and restore', () => {
  it('round-trips the database through an archive into a new empty database', async () => {
    const file = path.join(tmp, 'round-trip.crmbackup');
    const backup = await crm(['backup', file], { DATABASE_URL: url });
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/Backed up \d+ rows in \d+ tables/);
    const target = await emptyDatabase();
    const restore = await crm(['restore', file], { DATABASE_URL: target });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(await canSignIn(target, adminEmail, 'a brand new password')).toBe(true);
    const again = await crm(['restore', file], { DATABASE_URL: target });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not empty/);
  });

  it('applies pending migrations on an unmigrated database with crm migrate', async () => {
    const target = await emptyDatabase();
    const first = await crm(['migrate'], { DATABASE_URL: target });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration\(s\):\n {2}0001_platform/);
    const second = await crm(['migrate'], { DATABASE_URL: target });
    expect(second.stdout).toMatch(/up to date/);
  });
});

describe('crm on the embedded database while the server runs', () => {
  it('uses the running server’s PostgreSQL instead of failing on the data folder lock', async () => {
    // Its own folder: initdb as root runs as `postgres`, which must reach it (startEmbeddedPostgres opens it up).
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cli-embedded-'));
    const server = await startServer(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', DATA_DIR: dataDir, WORKERS: 'off' }, tmp), {
      listen: false,
      logger: false,
    });
    try {
      const ws = await createTestWorkspace(server, { name: '稼働中株式会社' });
      const file = path.join(tmp, 'live.crmbackup');
      const r = await crm(['backup', file], { DATA_DIR: dataDir });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/the CRM server \(pid \d+\) is running on .*: using its database/);
      const dir = fs.mkdtempSync(path.join(tmp, 'live-'));
      await tar.extract({ file, cwd: dir });
      expect(fs.readFileSync(path.join(dir, 'tables/workspaces.copy'), 'utf8')).toContain(ws.workspaceId);
    } finally {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
