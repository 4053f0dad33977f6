import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmptyDatabase, createTestDatabase, createTestWorkspace, signIn, startTestServer, uniqueEmail } from '../../test/helpers.js';
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

describe('crm create-workspace', () => {
  let wsUrl: string;
  beforeAll(async () => {
    wsUrl = await createTestDatabase();
  });

  async function workspaceRows(name: string) {
    const pool = new pg.Pool({ connectionString: wsUrl });
    try {
      const { rows } = await pool.query(
        `SELECT w.id, w.locale, w.time_zone, w.currency,
                (SELECT count(*)::int FROM users u WHERE u.workspace_id = w.id) AS users,
                (SELECT count(*)::int FROM audit_log a WHERE a.workspace_id = w.id AND a.action = 'workspace.created') AS audits
           FROM workspaces w WHERE w.name = $1`,
        [name],
      );
      return rows;
    } finally {
      await pool.end();
    }
  }

  it('adds workspaces beside each other: with a password the administrator signs in at once, each sees only their own', async () => {
    const first = uniqueEmail('ws-a');
    const second = uniqueEmail('ws-b');
    const a = await crm(
      ['create-workspace', '--name', '甲商事株式会社', '--admin-email', first, '--admin-name', '甲 太郎', '--password', PASSWORD],
      {
        DATABASE_URL: wsUrl,
      },
    );
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/Created workspace "甲商事株式会社" \(.+\)\.\nAdministrator .* can sign in now/);
    const b = await crm(
      [
        'create-workspace',
        '--name',
        'Otsu Trading',
        '--admin-email',
        second,
        '--password',
        PASSWORD,
        '--locale',
        'en',
        '--time-zone',
        'Europe/London',
        '--currency',
        'GBP',
      ],
      { DATABASE_URL: wsUrl },
    );
    expect(b.code).toBe(0);
    expect(await workspaceRows('Otsu Trading')).toEqual([
      expect.objectContaining({ locale: 'en', time_zone: 'Europe/London', currency: 'GBP', users: 1, audits: 1 }),
    ]);
    const server = await startTestServer({ databaseUrl: wsUrl });
    try {
      const ca = await signIn(server, first, PASSWORD);
      const cb = await signIn(server, second, PASSWORD);
      const [wa, wb] = [(await ca.get('/api/v1/workspace')).body, (await cb.get('/api/v1/workspace')).body];
      expect([wa.name, wb.name]).toEqual(['甲商事株式会社', 'Otsu Trading']);
      const users = (await ca.get('/api/v1/users')).body;
      expect(JSON.stringify(users)).not.toContain(second);
      expect((await cb.get('/api/v1/auth/session')).body.user).toMatchObject({ role: 'admin', name: second.split('@')[0] });
    } finally {
      await server.stop();
    }
    const again = await crm(['create-workspace', '--name', '甲商事株式会社', '--admin-email', uniqueEmail(), '--password', PASSWORD], {
      DATABASE_URL: wsUrl,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists already \(pass --allow-same-name/);
    expect(await workspaceRows('甲商事株式会社')).toHaveLength(1);
  });

  it('without a password prints a one-time setup link where the administrator sets their own', async () => {
    const email = uniqueEmail('ws-link');
    const r = await crm(['create-workspace', '--name', '丙工業', '--admin-email', email], { DATABASE_URL: wsUrl });
    expect(r.code).toBe(0);
    const link = /(\S+\/invite\/(\S+))\n/.exec(r.stdout);
    expect(link, r.stdout).not.toBeNull();
    expect(await workspaceRows('丙工業')).toEqual([
      expect.objectContaining({ locale: 'ja', time_zone: 'Asia/Tokyo', currency: 'JPY', users: 0 }),
    ]);
    const server = await startTestServer({ databaseUrl: wsUrl });
    try {
      const token = link?.[2] as string;
      const described = await server.app.inject({ method: 'GET', url: `/api/v1/invitations/by-token/${token}` });
      expect(described.json()).toMatchObject({ email, role: 'admin', workspaceName: '丙工業' });
      const accept = { token, name: '丙 花子', password: 'her own long password' };
      expect((await server.app.inject({ method: 'POST', url: '/api/v1/invitations/accept', payload: accept })).statusCode).toBe(201);
      const admin = await signIn(server, email, 'her own long password');
      expect((await admin.get('/api/v1/auth/session')).body.user).toMatchObject({ role: 'admin', name: '丙 花子' });
      expect((await server.app.inject({ method: 'POST', url: '/api/v1/invitations/accept', payload: accept })).statusCode).toBe(410);
    } finally {
      await server.stop();
    }
  });

  it('refuses bad input with exit code 2, a message naming the option, and creates nothing', async () => {
    const email = uniqueEmail('ws-bad');
    const cases: [string[], RegExp][] = [
      [['--admin-email', email], /--name is required/],
      [['--name', '丁'], /--admin-email is required/],
      [['--name', '丁', '--admin-email', 'not-an-email'], /Invalid --admin-email/],
      [['--name', '丁\u0001株式会社', '--admin-email', email], /--name must not contain control characters/],
      [['--name', '丁', '--admin-email', email, '--locale', 'fr'], /Invalid --locale \(ja or en\)/],
      [['--name', '丁', '--admin-email', email, '--time-zone', 'Mars/Base', '--currency', 'yen'], /Invalid --time-zone .*, --currency/],
      [['--name', '丁', '--admin-email', email, '--password', 'short'], /10 to 200 characters/],
    ];
    const results = await Promise.all(cases.map(([args]) => crm(['create-workspace', ...args], { DATABASE_URL: wsUrl })));
    cases.forEach(([args, message], i) => {
      expect(results[i]?.code, args.join(' ')).toBe(2);
      expect(results[i]?.stderr, args.join(' ')).toMatch(message);
    });
    expect(await workspaceRows('丁')).toEqual([]);
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
    expect(help.stdout).toMatch(/Commands:\n {2}create-workspace .*\n {2}create-admin /);
    expect(help.stdout).toMatch(/\n {2}audit +check the hash-chained audit trail/);
    expect((await run(['nope'])).code).toBe(2);
  });
});

describe('crm backup and restore', () => {
  it('round-trips the database through an archive into a new empty database', async () => {
    const file = path.join(tmp, 'round-trip.crmbackup');
    const backup = await crm(['backup', file], { DATABASE_URL: url });
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/Backed up \d+ rows in \d+ tables/);
    const target = await createEmptyDatabase();
    const restore = await crm(['restore', file], { DATABASE_URL: target });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(await canSignIn(target, adminEmail, 'a brand new password')).toBe(true);
    const again = await crm(['restore', file], { DATABASE_URL: target });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not empty/);
  });

  it('applies pending migrations on an unmigrated database with crm migrate', async () => {
    const target = await createEmptyDatabase();
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
