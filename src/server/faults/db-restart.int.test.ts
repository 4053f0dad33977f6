import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiBody, createTestWorkspace, PASSWORD, testConfig, waitFor } from '../../../test/helpers.js';
import { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from '../platform/db/embedded.js';
import { type RunningServer, startServer } from '../server.js';

/**
 * PostgreSQL restarted under a running server. This file starts its own embedded PostgreSQL on a fixed port (the
 * suite's shared one serves other files in parallel and is never stopped): while it is away every request answers
 * 503 `unavailable` at once, the process and its background work (outbox relay, pg-boss, audit sealer, realtime)
 * survive, and once it is back everything works again without anyone restarting the app.
 */

let dataDir: string;
let port: number;
let pg: EmbeddedDatabase | undefined;
let server: RunningServer;
let cookie = '';
let csrf = '';
let workspaceId: string;
const logs: { level: number; module?: string; msg: string }[] = [];

/** A real HTTP request with a hard time limit: a hang fails the test instead of holding it. */
async function call(method: string, url: string, body?: unknown, limitMs = 10_000) {
  const started = Date.now();
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: {
      cookie,
      'x-csrf-token': csrf,
      'accept-language': 'en',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(limitMs),
  });
  const text = await res.text();
  let parsed: ApiBody = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers, ms: Date.now() - started };
}

/** What a test counts as "the app is back": a signed-in read answers 200. */
const healthy = async () => (await call('GET', '/api/v1/people?limit=1').catch(() => ({ status: 0 }))).status === 200;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-fault-pg-'));
  port = await freePort();
  pg = await startEmbeddedPostgres({ dataDir, port });
  // Logs are kept (not printed): the outage must not flood them.
  const logger = {
    level: 'warn',
    hooks: {
      logMethod(args: unknown[], _method: unknown, level: number) {
        const [first, second] = args as [Record<string, unknown> | string, string | undefined];
        logs.push({ level, module: typeof first === 'object' ? (first?.module as string) : undefined, msg: String(second ?? first) });
      },
    },
  };
  server = await startServer(testConfig(pg.url), { listen: true, logger });
  const ws = await createTestWorkspace(server);
  workspaceId = ws.workspaceId;
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ws.adminEmail, password: PASSWORD }),
  });
  expect(login.status).toBe(200);
  cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  csrf = (await call('GET', '/api/v1/auth/session')).body.csrfToken;
}, 120_000);

afterAll(async () => {
  await server?.stop().catch(() => {});
  await pg?.stop().catch(() => {});
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function pgQuery(text: string, values: unknown[] = []) {
  return (await server.database.pool.query(text, values)).rows;
}

/** Opens the realtime stream and collects its events until closed. */
async function openRealtime() {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/v1/realtime`, { headers: { cookie }, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
      }
    } catch {
      // aborted
    }
  })();
  return { text: () => text, close: () => controller.abort() };
}

describe('PostgreSQL restarted while the server serves', () => {
  it('answers 503 quickly while the database is away and recovers by itself when it is back', async () => {
    const before = await call('POST', '/api/v1/people', { familyName: '再起動前', emails: [{ address: 'before@example.jp' }] });
    expect(before.status).toBe(201);

    await (pg as EmbeddedDatabase).stop();
    pg = undefined;
    const downAt = Date.now();

    // Reads, writes and the session check: the API's error format, 503 with Retry-After, no hang.
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/v1/people?limit=5'],
      ['GET', `/api/v1/people/${before.body.id}`],
      ['POST', '/api/v1/people', { familyName: '停止中' }],
      ['PATCH', `/api/v1/people/${before.body.id}`, { version: before.body.version, givenName: '花子' }],
      ['GET', '/api/v1/auth/session'],
    ];
    for (const [method, url, body] of requests) {
      const res = await call(method, url, body);
      expect({ method, url, status: res.status, code: res.body?.error?.code }).toEqual({ method, url, status: 503, code: 'unavailable' });
      expect(res.body.error.message).toEqual(expect.any(String));
      expect(res.headers.get('retry-after')).toBe('2');
      expect(res.ms).toBeLessThan(6_000);
    }
    // A sign-in while the database is away is temporary too, not "wrong password".
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.jp', password: PASSWORD }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(login.status).toBe(503);

    // Stay down past one audit sealing pass (5 s) and many relay and pg-boss polls: none may end the process.
    while (Date.now() - downAt < 7_000) {
      expect((await call('GET', '/api/v1/people?limit=1')).status).toBe(503);
      await new Promise((r) => setTimeout(r, 500));
    }

    // The background work logged the outage without flooding: warnings at most every 10 s, no errors.
    const events = logs.filter((l) => l.module === 'events');
    expect(events.filter((l) => l.level >= 50)).toEqual([]);
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThanOrEqual(4);

    pg = await startEmbeddedPostgres({ dataDir, port });
    const upAt = Date.now();
    await waitFor('the API to answer again', healthy, { timeoutMs: 20_000, intervalMs: 200 });
    const recoveredMs = Date.now() - upAt;
    expect(recoveredMs).toBeLessThan(15_000);
    expect((await call('GET', '/api/v1/auth/session')).status).toBe(200);

    // Background work resumed: an event written after recovery is relayed and becomes a timeline entry, and
    // the realtime stream (its LISTEN connection died with the database) pushes the change.
    const stream = await openRealtime();
    try {
      await waitFor('the realtime stream to open', () => stream.text().includes('event: ready'), 10_000);
      // Every LISTEN connection (outbox relay, realtime, actor cache) came back by itself.
      await waitFor(
        'the LISTEN connections to be back',
        async () =>
          (await pgQuery("SELECT DISTINCT query FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'"))
            .map((r) => r.query)
            .sort()
            .join() === 'LISTEN crm_auth,LISTEN crm_events,LISTEN crm_outbox',
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      const after = await call('POST', '/api/v1/people', { familyName: '再起動後', emails: [{ address: 'after@example.jp' }] });
      expect(after.status).toBe(201);
      await waitFor(
        'a timeline entry for the person created after recovery',
        async () => (await call('GET', `/api/v1/timeline/person/${after.body.id}`)).body?.data?.length > 0,
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      await waitFor('the realtime change of the person created after recovery', () => stream.text().includes(after.body.id), {
        timeoutMs: 15_000,
        describe: () => stream.text().slice(-500),
      });
      // The audit sealer kept its timer: rows written after recovery are sealed into the chain.
      await waitFor(
        'the audit rows written after recovery to be sealed',
        async () => {
          const rows = await pgQuery('SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1 AND seq IS NULL', [workspaceId]);
          return rows[0].n === 0;
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      const verify = await call('GET', '/api/v1/audit/verify');
      expect(verify.body).toMatchObject({ intact: true, problems: [] });
    } finally {
      stream.close();
    }
    // The write refused while the database was away left nothing behind.
    const names = await pgQuery('SELECT family_name FROM people WHERE workspace_id = $1 ORDER BY family_name', [workspaceId]);
    expect(names.map((r) => r.family_name).sort()).toEqual(['再起動前', '再起動後'].sort());
    console.log(`[faults] database restart: API healthy ${recoveredMs} ms after PostgreSQL was back`);
  }, 120_000);
});
