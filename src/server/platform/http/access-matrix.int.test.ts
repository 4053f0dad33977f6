import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken, must, type TestUser } from '../../../../test/factories.js';
import { startTestServer, waitFor } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';
import { newId } from '../ids.js';
import { type Callers, makeCallers, OWNERS_A, type Principal, type UserKey, wsOf } from './access-matrix.callers.js';
import { casesFor, leaksIn } from './access-matrix.cases.js';
import { type Fixtures, makeFixtures } from './access-matrix.fixtures.js';
import { referencesToHidden } from './access-matrix.references.js';
import { type RouteSpec, routes } from './access-matrix.table.js';

/**
 * The access matrix: every API route of the built app, called by every kind of caller (access-matrix.callers.ts) on
 * records each may and may not see (access-matrix.fixtures.ts). The expectation comes from the route's declared
 * access and the visibility rules (access-matrix.cases.ts); a route missing from `routes` (access-matrix.table.ts)
 * fails the test, so a new route cannot ship without its row. Every answer a caller is granted is scanned for the
 * ids and names of records it may not see.
 */

let server: RunningServer;
let callers: Callers;
let users: Record<UserKey, TestUser>;
let fixtures: Fixtures;
const principal = (name: string) => callers.principals.find((p) => p.name === name) as Principal;

beforeAll(async () => {
  server = await startTestServer();
  callers = await makeCallers(server);
  users = callers.users;
  fixtures = await makeFixtures(callers);
}, 180_000);
afterAll(async () => {
  await server?.stop();
});

describe('access matrix', () => {
  // A row for a route not (or no longer) in the app is inert: routes being built on other branches may have theirs first.
  it('covers every route of the app with a row', () => {
    const missing = server.app.apiRoutes.map((r) => `${r.method} ${r.url}`).filter((k) => !(k in routes));
    expect(
      missing.map((k) => `${k}: add a row to \`routes\` in access-matrix.table.ts (which record its :id names, a valid body)`),
    ).toEqual([]);
  });

  it('answers every caller as its access and the record visibility say: 401, 403, 404 for what it may not see, else not refused', async () => {
    const cases = server.app.apiRoutes
      .filter((r) => routes[`${r.method} ${r.url}`])
      .flatMap((r) => casesFor(r, routes[`${r.method} ${r.url}`] as RouteSpec, callers.principals, fixtures));
    const failures: string[] = [];
    const BATCH = 24;
    for (let i = 0; i < cases.length; i += BATCH) {
      await Promise.all(
        cases.slice(i, i + BATCH).map(async (c) => {
          const res = await c.principal.client.request(c.method, c.url, c.body, c.headers);
          const e = c.expect;
          const got = `${res.status} ${typeof res.body === 'object' ? JSON.stringify(res.body).slice(0, 160) : String(res.body).slice(0, 80)}`;
          if (res.status >= 500) failures.push(`${c.label}: server error ${got}`);
          else if ('granted' in e) {
            if ([401, 403, 404].includes(res.status)) failures.push(`${c.label}: refused (${got}), should be allowed`);
            // A list, search or record the caller may read names no record it may not see.
            const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
            for (const what of leaksIn(text, c.principal, fixtures, c.spec.wholeWorkspace)) failures.push(`${c.label}: reveals ${what}`);
          } else if ('status' in e) {
            if (res.status !== e.status) failures.push(`${c.label}: expected ${e.status}, got ${got}`);
          }
        }),
      );
    }
    expect(failures).toEqual([]);
    console.info(
      `access matrix: ${cases.length} requests over ${server.app.apiRoutes.length} routes and ${callers.principals.length} callers`,
    );
  });

  it('refuses, like an unknown id, a record of another workspace or a hidden one named in a body or a query', async () => {
    const refs = await referencesToHidden(callers, fixtures);
    const failures: string[] = [];
    await Promise.all(
      refs.map(async ({ who, client, method, url, body, target }) => {
        const unknown = newId();
        const [hidden, none] = await Promise.all([
          client.request(method, url(target), body?.(target)),
          client.request(method, url(unknown), body?.(unknown)),
        ]);
        const label = `${method} ${url(':ref')} as ${who} naming ${target} ${body ? JSON.stringify(body(':ref')) : ''}`;
        if (hidden.status < 400 || hidden.status === 403 || hidden.status >= 500 || hidden.status !== none.status) {
          failures.push(`${label}: ${hidden.status} ${JSON.stringify(hidden.body).slice(0, 200)} (unknown id: ${none.status})`);
        }
      }),
    );
    // Filters by another workspace's record list nothing of it.
    for (const url of [
      `/api/v1/orders?personId=${fixtures.person.mate}`,
      `/api/v1/tasks?assignee=any&entityType=person&entityId=${fixtures.person.mate}`,
      `/api/v1/tasks?assignee=${users.mate.id}&bucket=all`,
    ]) {
      const res = await users.bAdmin.client.get(url);
      for (const what of leaksIn(JSON.stringify(res.body), principal('admin of workspace B'), fixtures)) {
        failures.push(`GET ${url} as B admin: ${res.status}, reveals ${what}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("lets an administrator's API token revoke another user's token only with the admin scope", async () => {
    const { id } = await makeToken(callers.workspaces.A, users.mate, ['read'], 'revocable');
    const by = (name: string) => principal(name).client;
    expect((await by('token:read+write').delete(`/api/v1/tokens/${id}`)).status).toBe(404);
    expect((await users.mate.client.get('/api/v1/tokens')).body.data.find((t: { id: string }) => t.id === id).revokedAt).toBeNull();
    expect((await by('token:admin').delete(`/api/v1/tokens/${id}`)).status).toBe(200);
    expect((await users.mate.client.get('/api/v1/tokens')).body.data.find((t: { id: string }) => t.id === id).revokedAt).not.toBeNull();
  });

  it("refuses another workspace's user in an imported user field, and takes one of its own", async () => {
    const b = users.bAdmin.client;
    await must(
      'user field',
      b.post('/api/v1/custom-fields', { entityType: 'person', key: 'imp_rep', type: 'user', labelJa: '担当', labelEn: 'Rep' }),
    );
    const csv = `姓,担当\n他社担当,${users.mate.id}\n自社担当,${users.bVictim.id}\n`;
    const up = await must(
      'upload',
      b.request('POST', '/api/v1/imports?entityType=person&filename=rep.csv', csv, { 'content-type': 'text/csv' }),
    );
    await must('start', b.post(`/api/v1/imports/${up.id}/start`, { mapping: { 0: 'familyName', 1: 'custom.imp_rep' } }));
    const done = await waitFor('the import', async () => {
      const job = (await b.get(`/api/v1/imports/${up.id}`)).body;
      return job.status === 'completed' || job.status === 'failed' ? job : undefined;
    });
    expect(done).toMatchObject({ status: 'completed', created: 1, rejected: 1 });
    const report = await b.request('GET', `/api/v1/imports/${up.id}/errors.csv`);
    expect(String(report.body)).toContain('not_a_user');
  });

  it('changes only what the caller may see in a bulk action by filter, and never another workspace', async () => {
    const all = { and: [] };
    const tag = `一括${Date.now().toString(36)}`;
    for (const [who, c] of [
      ['member (own)', users.member.client],
      ['B admin', users.bAdmin.client],
    ] as const) {
      const res = await c.post('/api/v1/people/bulk', { action: 'tag', filter: all, tags: [tag] });
      expect(res.status, `${who}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    }
    const tagged = async (owner: UserKey) => {
      const person = await users[wsOf(owner) === 'A' ? 'admin' : 'bAdmin'].client.get(`/api/v1/people/${fixtures.person[owner]}`);
      return (person.body.tags as string[]).includes(tag);
    };
    const seen = Object.fromEntries(await Promise.all([...OWNERS_A, 'bAdmin'].map(async (o) => [o, await tagged(o as UserKey)])));
    expect(seen).toEqual({ admin: false, manager: false, member: true, mate: false, outsider: false, bAdmin: true });
  });

  it('counts what the list shows: a count never includes hidden records or another workspace', async () => {
    const failures: string[] = [];
    for (const key of ['member', 'manager', 'readonly', 'bAdmin'] as UserKey[]) {
      const c = users[key].client;
      for (const entity of ['people', 'companies']) {
        const [count, list] = await Promise.all([c.get(`/api/v1/${entity}/count`), c.get(`/api/v1/${entity}?limit=200`)]);
        if (count.body.count !== list.body.data.length)
          failures.push(`${key} ${entity}: count ${count.body.count}, list ${list.body.data.length}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
