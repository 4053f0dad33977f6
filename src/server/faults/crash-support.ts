import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiBody } from '../../../test/helpers.js';
import { createTestDatabase, PASSWORD, uniqueEmail } from '../../../test/helpers.js';
import { createWorkspace } from '../modules/accounts/index.js';
import { openDatabase } from '../platform/db/database.js';
import { freePort } from '../platform/db/embedded.js';

/** Test support for crash tests: the server as a real child process that can be killed with SIGKILL. */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A seeded generator (mulberry32): the same kill points on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** SIGKILL: no shutdown hook runs, in-flight transactions are cut off by PostgreSQL. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** `node --import tsx src/server/main.ts` on a fixed port; resolves once it prints that it is ready. */
export async function startChild(env: Record<string, string>, port: number, timeoutMs = 60_000): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'silent',
      WORKERS: 'on',
      AUTH_RATE_LIMIT: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('[crm] ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${output.slice(-2000)}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface HttpClient {
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: ApiBody }>;
}

/** Signs in over HTTP like a browser (session cookie and CSRF token). */
export async function signInHttp(baseUrl: () => string, email: string, password: string): Promise<HttpClient> {
  const login = await fetch(`${baseUrl()}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  let csrf = '';
  const call: HttpClient['call'] = async (method, url, body, headers = {}) => {
    const isText = typeof body === 'string';
    const res = await fetch(`${baseUrl()}${url}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrf,
        ...(body === undefined ? {} : { 'content-type': isText ? 'text/csv' : 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: text };
    }
  };
  csrf = (await call('GET', '/api/v1/auth/session')).body.csrfToken;
  return { call };
}

/**
 * A crash test's world: a fresh database holding a workspace and its administrator (made by the service, as the
 * CLI does: no server runs yet), the server as a child process on a fixed port with its own data folder, and the
 * administrator signed in over HTTP. `client` keeps working across restarts (it signs in again on each); `q` runs
 * SQL straight on the database, to check what was committed; `killAndRestart` resolves with the milliseconds it took.
 */
export async function startCrashHarness(options: { dataDirPrefix: string; env?: Record<string, string> }) {
  const databaseUrl = await createTestDatabase();
  const database = openDatabase(databaseUrl, { poolSize: 4 });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), options.dataDirPrefix));
  const port = await freePort();
  const adminEmail = uniqueEmail('admin');
  const made = await createWorkspace({
    db: database.db,
    workspace: { name: '障害試験株式会社', timeZone: 'Asia/Tokyo', locale: 'ja', currency: 'JPY' },
    admin: { name: '管理 太郎', email: adminEmail, password: PASSWORD },
  });
  let child: ChildServer | undefined;
  let signedIn: HttpClient | undefined;
  const start = async () => {
    const running = await startChild({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir, ...options.env }, port);
    child = running;
    signedIn = await signInHttp(() => running.url, adminEmail, PASSWORD);
  };
  await start();
  return {
    workspaceId: made.workspace.id,
    client: { call: (...args) => (signedIn as HttpClient).call(...args) } satisfies HttpClient,
    q: async (text: string, values: unknown[] = []) => (await database.pool.query(text, values)).rows,
    killAndRestart: async () => {
      const t0 = Date.now();
      await child?.kill();
      await start();
      return Date.now() - t0;
    },
    close: async () => {
      await child?.kill();
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type CrashHarness = Awaited<ReturnType<typeof startCrashHarness>>;
