import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './embedded.js';

/** The server as a user starts it, on the embedded PostgreSQL in a fresh data folder. */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-embedded-'));
const children: ChildProcess[] = [];

function startApp(port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('[crm] ready')) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`exited ${code}: ${output}`));
    });
  });
  ready.catch(() => {}); // awaited by the tests that expect a start; others only watch the exit
  return { child, ready, exited, output: () => output };
}

function postmasterPid(): number | null {
  const file = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!fs.existsSync(file)) return null;
  return Number.parseInt(fs.readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  const pid = postmasterPid();
  if (pid && alive(pid)) process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && pid && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded PostgreSQL lifecycle', () => {
  const password = 'correct horse battery staple';
  let port: number;

  it('starts on a fresh folder and keeps a second server out of it', async () => {
    port = await freePort();
    const first = startApp(port);
    await first.ready;
    const setup = await fetch(`http://127.0.0.1:${port}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workspaceName: '株式会社テスト', adminName: '山田 太郎', adminEmail: 'yamada@example.jp', password }),
    });
    expect(setup.status).toBe(201);

    const second = startApp(await freePort());
    const code = await second.exited;
    expect(code).toBe(3);
    expect(second.output()).toContain('already used by another CRM server');

    // SIGKILL leaves the postgres child running with the cluster: the next start must cope.
    first.child.kill('SIGKILL');
    await first.exited;
    const orphan = postmasterPid();
    expect(orphan && alive(orphan)).toBe(true);
  }, 90_000);

  it('recovers after SIGKILL without losing committed data, and shuts down cleanly on SIGTERM', async () => {
    const again = startApp(port);
    await again.ready;
    const status = await (await fetch(`http://127.0.0.1:${port}/api/v1/setup`)).json();
    expect(status.needsSetup).toBe(false);
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'yamada@example.jp', password }),
    });
    expect(login.status).toBe(200);
    const pg = postmasterPid();
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(pg && alive(pg)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'crm.lock'))).toBe(false);
  }, 90_000);
});
