import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createWorkspace } from '../src/server/modules/accounts/index.js';
import { type Config, loadConfig } from '../src/server/platform/config.js';
import type { EventBus } from '../src/server/platform/events/bus.js';
import { type RunningServer, startServer } from '../src/server/server.js';

/** A fresh database cloned from the run's migrated template: parallel test files never share state. */
export async function createTestDatabase(): Promise<string> {
  const adminUrl = inject('adminUrl');
  const name = `crm_t_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // CREATE DATABASE ... TEMPLATE needs the template to have no other sessions: retry while another file clones it.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDb')}`);
        break;
      } catch (err) {
        if (attempt > 50 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh database with nothing in it (not even migrations): for restoring backups and first starts. */
export async function createEmptyDatabase(): Promise<string> {
  const name = `crm_e_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(inject('adminUrl'));
  u.pathname = `/${name}`;
  return u.toString();
}

/** Tests talk to mail servers running in-process on loopback, so loopback is allowed (MAIL_ALLOW_PRIVATE_HOSTS). */
export function testConfig(databaseUrl: string, overrides: Partial<Config> = {}): Config {
  const env = {
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    AUTH_RATE_LIMIT: '100000',
    MAIL_ALLOW_PRIVATE_HOSTS: '127.0.0.0/8,::1',
  };
  return {
    ...loadConfig(env, process.cwd()),
    ...overrides,
  };
}

export async function startTestServer(
  options: { databaseUrl?: string; listen?: boolean; configure?: (bus: EventBus) => void; config?: Partial<Config>; webDir?: string } = {},
): Promise<RunningServer> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  return startServer(testConfig(databaseUrl, options.config), {
    listen: options.listen ?? false,
    logger: false,
    configure: options.configure,
    webDir: options.webDir,
  });
}

let seq = 0;
/** A name no other test (in any file of the run) uses: for values that must be unique in a workspace or the database. */
export function uniqueName(prefix: string): string {
  seq += 1;
  return `${prefix}.${Date.now().toString(36)}.${seq}.${randomBytes(3).toString('hex')}`;
}

export function uniqueEmail(prefix = 'user'): string {
  return `${uniqueName(prefix)}@example.test`;
}

export const PASSWORD = 'correct horse battery staple';

/** A workspace with its administrator, made through the service as setup would. */
export async function createTestWorkspace(server: RunningServer, options: { name?: string; locale?: 'ja' | 'en' } = {}) {
  const email = uniqueEmail('admin');
  const { workspace, userId } = await createWorkspace({
    db: server.database.db,
    workspace: { name: options.name ?? 'テスト株式会社', timeZone: 'Asia/Tokyo', locale: options.locale ?? 'ja', currency: 'JPY' },
    admin: { name: '管理 太郎', email, password: PASSWORD },
  });
  return { workspaceId: workspace.id, adminId: userId, adminEmail: email };
}

/**
 * The JSON a test gets back from the API. Tests read it by the shape they expect (the server's zod schemas check the
 * real contract), so it is deliberately untyped here: the one `any` of the test helpers.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type ApiBody = any;

export interface TestClient {
  csrf: string;
  cookie: string;
  request(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: ApiBody; headers: Record<string, unknown> }>;
  get(url: string): Promise<{ status: number; body: ApiBody }>;
  post(url: string, body?: unknown): Promise<{ status: number; body: ApiBody }>;
  patch(url: string, body?: unknown): Promise<{ status: number; body: ApiBody }>;
  delete(url: string): Promise<{ status: number; body: ApiBody }>;
}

/** Sign in through the API like a browser: session cookie plus the CSRF token from /auth/session. */
export async function signIn(server: RunningServer, email: string, password = PASSWORD, locale = 'ja'): Promise<TestClient> {
  const res = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const session = await server.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } });
  const csrf = session.json().csrfToken as string;
  return clientFor(server, { cookie, 'x-csrf-token': csrf, 'accept-language': locale }, csrf, cookie);
}

/** A client that authenticates with an API token. */
export function tokenClient(server: RunningServer, token: string, locale = 'en'): TestClient {
  return clientFor(server, { authorization: `Bearer ${token}`, 'accept-language': locale }, '', '');
}

export function anonymous(server: RunningServer, locale = 'ja'): TestClient {
  return clientFor(server, { 'accept-language': locale }, '', '');
}

function clientFor(server: RunningServer, base: Record<string, string>, csrf: string, cookie: string): TestClient {
  const request: TestClient['request'] = async (method, url, body, headers = {}) => {
    const res = await server.app.inject({
      method: method as 'GET',
      url,
      headers: { ...base, ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    let parsed: unknown = res.body;
    try {
      parsed = res.json();
    } catch {
      // not JSON
    }
    return { status: res.statusCode, body: parsed, headers: res.headers };
  };
  return {
    csrf,
    cookie,
    request,
    get: (url) => request('GET', url),
    post: (url, body) => request('POST', url, body ?? {}),
    patch: (url, body) => request('PATCH', url, body ?? {}),
    delete: (url) => request('DELETE', url),
  };
}

/** Invite a user with a role and let them accept; returns a signed-in client for them. */
export async function addUser(
  server: RunningServer,
  admin: TestClient,
  role: 'admin' | 'manager' | 'member' | 'readonly',
  name = '鈴木 花子',
) {
  const email = uniqueEmail(role);
  const inv = await admin.post('/api/v1/invitations', { email, role });
  if (inv.status !== 201) throw new Error(`invite failed: ${inv.status} ${JSON.stringify(inv.body)}`);
  const token = String(inv.body.url).split('/invite/')[1];
  const acc = await anonymous(server).post('/api/v1/invitations/accept', { token, name, password: PASSWORD });
  if (acc.status !== 201) throw new Error(`accept failed: ${acc.status} ${JSON.stringify(acc.body)}`);
  const client = await signIn(server, email);
  const me = await client.get('/api/v1/auth/session');
  return { client, email, userId: me.body.user.id as string };
}

type Probe<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;
interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** The state to print when the wait times out (where a job stood, what arrived so far). */
  describe?: () => unknown;
}

/**
 * Polls `probe` until it returns a value (not undefined, null or false), for at most `timeoutMs` of wall time
 * (default 60 s): background jobs on a loaded CI machine can take many seconds, so limits are in time, not in
 * attempts. `what` names the awaited thing in the timeout error, with `describe()`'s state when given.
 */
export async function waitFor<T>(probe: Probe<T>, options?: WaitOptions | number): Promise<T>;
export async function waitFor<T>(what: string, probe: Probe<T>, options?: WaitOptions | number): Promise<T>;
export async function waitFor<T>(...args: [Probe<T>, (WaitOptions | number)?] | [string, Probe<T>, (WaitOptions | number)?]) {
  const [what, probe, given] = (typeof args[0] === 'string' ? args : ['a result', ...args]) as [
    string,
    Probe<T>,
    WaitOptions | number | undefined,
  ];
  const options: WaitOptions = typeof given === 'number' ? { timeoutMs: given } : (given ?? {});
  const timeoutMs = options.timeoutMs ?? 60_000;
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await (probe as Probe<T>)();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > until) {
      const state = options.describe ? await options.describe() : undefined;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state === undefined ? '' : `: ${JSON.stringify(state)}`}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}
