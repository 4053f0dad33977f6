import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTeam, makeUser, makeWorkspace } from '../../../../test/factories.js';
import { createTestDatabase, signIn, startTestServer, type TestClient, waitFor } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';
import type { OutboxEvent } from './outbox.js';

/** Two app instances on one database, as when scaled out behind a load balancer. */
let a: RunningServer;
let b: RunningServer;
const handled: { instance: string; event: OutboxEvent }[] = [];

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  const subscriber = (instance: string) => (bus: RunningServer['bus']) =>
    bus.subscribe('test-recorder', ['user.created', 'team.created'], async (event) => {
      handled.push({ instance, event });
    });
  a = await startTestServer({ databaseUrl, listen: true, configure: subscriber('a') });
  b = await startTestServer({ databaseUrl, listen: true, configure: subscriber('b') });
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

/** Reads a Server-Sent Events stream over real HTTP and collects `change` events. */
async function openStream(server: RunningServer, client: TestClient) {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/v1/realtime`, { headers: { cookie: client.cookie }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const events: Record<string, unknown>[] = [];
  let ready = false;
  let resyncs = 0;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let i = buffer.indexOf('\n\n');
        while (i >= 0) {
          const chunk = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          if (chunk.includes('event: ready')) ready = true;
          if (chunk.includes('event: resync')) resyncs++;
          const data = chunk.split('\n').find((l) => l.startsWith('data: '));
          if (chunk.includes('event: change') && data) events.push(JSON.parse(data.slice(6)));
          i = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  await waitFor(() => (ready ? true : undefined));
  return { events, resyncs: () => resyncs, close: () => controller.abort() };
}

describe('outbox delivery', () => {
  it('runs each subscriber job exactly once across two instances', async () => {
    const ws = await makeWorkspace(a);
    const team = await makeTeam(ws, [await makeUser(ws, 'member')], '営業一課');
    await waitFor(() => handled.find((h) => h.event.entityId === team.id));
    await new Promise((r) => setTimeout(r, 1500)); // give a duplicate the chance to show up
    const mine = handled.filter((h) => h.event.workspaceId === ws.id);
    const ids = mine.map((h) => h.event.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(mine.map((h) => h.event.type).sort()).toEqual(['team.created', 'user.created', 'user.created']);
    expect(mine.find((h) => h.event.type === 'team.created')?.event.actorId).toBe(ws.admin.id);
  });

  it('publishes every committed event and none of a rolled-back change', async () => {
    const ws = await makeWorkspace(a);
    const admin = ws.admin.client;
    const dup = await admin.post('/api/v1/teams', { name: 'A', memberIds: ['01890000-0000-7000-8000-000000000000'] });
    expect(dup.status).toBe(400);
    const { rows } = await a.database.pool.query(
      "SELECT count(*)::int AS n FROM outbox WHERE workspace_id = $1 AND type = 'team.created'",
      [ws.id],
    );
    expect(rows[0].n).toBe(0);
    const b2 = await admin.post('/api/v1/teams', { name: 'B' });
    await waitFor(() => handled.find((h) => h.event.entityId === b2.body.id));
    const pending = await a.database.pool.query('SELECT count(*)::int AS n FROM outbox WHERE workspace_id = $1 AND published_at IS NULL', [
      ws.id,
    ]);
    expect(pending.rows[0].n).toBe(0);
  });
});

describe('credentials across instances', () => {
  it('a token revoked on one instance stops working on the other at once', async () => {
    const ws = await makeWorkspace(a);
    const admin = ws.admin.client;
    const created = await admin.post('/api/v1/tokens', { name: 'x', scopes: ['read'] });
    const onB = () => fetch(`${b.url}/api/v1/users`, { headers: { authorization: `Bearer ${created.body.token}` } });
    expect((await onB()).status).toBe(200);
    expect((await onB()).status).toBe(200); // now served from B's actor cache
    await admin.delete(`/api/v1/tokens/${created.body.apiToken.id}`);
    const until = Date.now() + 2000;
    let status = 200;
    while (Date.now() < until && status === 200) {
      status = (await onB()).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
  });
});

describe('realtime', () => {
  it('pushes a change made on one instance to a browser connected to the other', async () => {
    const ws = await makeWorkspace(a);
    const onA = ws.admin.client;
    const onB = await signIn(b, ws.admin.email);
    const stream = await openStream(b, onB);
    try {
      const team = await onA.post('/api/v1/teams', { name: 'リアルタイム班' });
      const event = await waitFor(() => stream.events.find((e) => e.entityId === team.body.id));
      expect(event).toMatchObject({ type: 'team.created', entityType: 'team', actorId: ws.admin.id });
    } finally {
      stream.close();
    }
  });

  it('sends nothing from another workspace', async () => {
    const me = await signIn(b, (await makeWorkspace(a)).admin.email);
    const them = (await makeWorkspace(a)).admin.client;
    const stream = await openStream(b, me);
    try {
      const theirs = await them.post('/api/v1/teams', { name: '他社チーム' });
      const ours = await me.post('/api/v1/teams', { name: '自社チーム' });
      await waitFor(() => stream.events.find((e) => e.entityId === ours.body.id));
      expect(stream.events.some((e) => e.entityId === theirs.body.id)).toBe(false);
    } finally {
      stream.close();
    }
  });

  it('tells open streams to read again when the instance lost its LISTEN connection, then pushes changes again', async () => {
    const ws = await makeWorkspace(a);
    const onB = await signIn(b, ws.admin.email);
    const stream = await openStream(b, onB);
    try {
      // Instance b's realtime connection dies (a failover, a network cut): notices sent meanwhile are lost to it.
      const killed = await b.database.pool.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
          WHERE datname = current_database() AND query = 'LISTEN crm_events' AND pid <> pg_backend_pid()`,
      );
      expect(killed.rows.length).toBeGreaterThan(0);
      await waitFor('the resync notice', () => (stream.resyncs() > 0 ? true : undefined), 15_000);
      const team = await ws.admin.client.post('/api/v1/teams', { name: '再接続後' });
      await waitFor(() => stream.events.find((e) => e.entityId === team.body.id), 15_000);
    } finally {
      stream.close();
    }
  });

  it('refuses a stream without a session', async () => {
    const res = await fetch(`${a.url}/api/v1/realtime`);
    expect(res.status).toBe(401);
  });
});

describe('a failing subscriber', () => {
  it('retries the failing event without holding up the others', async () => {
    const databaseUrl = await createTestDatabase();
    let failOnce = true;
    const seen: string[] = [];
    const server = await startTestServer({
      databaseUrl,
      configure: (bus) =>
        bus.subscribe('flaky', ['team.created'], async (event) => {
          const name = String((event.payload as { name?: string }).name ?? event.entityId);
          if (failOnce && event.entityId === firstTeam) {
            failOnce = false;
            throw new Error('transient');
          }
          seen.push(name);
        }),
    });
    let firstTeam = '';
    try {
      const admin = (await makeWorkspace(server)).admin.client;
      firstTeam = (await admin.post('/api/v1/teams', { name: 'first' })).body.id;
      const second = (await admin.post('/api/v1/teams', { name: 'second' })).body.id;
      await waitFor(() => (seen.includes(second) ? true : undefined));
      await waitFor(() => (seen.includes(firstTeam) ? true : undefined), 20_000);
      expect(failOnce).toBe(false);
    } finally {
      await server.stop();
    }
  }, 40_000);
});
