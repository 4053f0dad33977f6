import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addUser,
  anonymous,
  createTestWorkspace,
  signIn,
  startTestServer,
  type TestClient,
  testConfig,
  tokenClient,
  uniqueEmail,
  waitFor,
} from '../../../../test/helpers.js';
import { can, type Role, scopeFor, type TokenScope, type Visibility } from '../../../shared/permissions.js';
import { receiveMessage } from '../../modules/activities/mail/inbound-mail.js';
import type { RunningServer } from '../../server.js';
import { newId } from '../ids.js';
import { type Kind, models, type RouteSpec, routes, stageOf, stale } from './access-matrix.table.js';
import type { ApiRoute } from './app.js';

/**
 * The access matrix: every API route of the built app, called by every kind of caller (four roles with sessions,
 * API tokens of three scope sets, anonymous, and the administrator of another workspace), on records each may and
 * may not see. The expectation comes from the route's declared access and the visibility rules; a route missing
 * from `routes` (access-matrix.table.ts) fails the test, so a new route cannot ship without its row.
 *
 * Requests are harmless: where access should be granted to a write, the request carries a NUL in its query, which
 * the platform refuses (400 invalid_text) after authorization and before the handler; only requests that must be
 * refused reach the handler, with a valid body, and must answer 404 like an unknown id.
 */

// ---------- who calls, and who owns what ----------

/** Users: in workspace A a team T = {manager, member, mate}; outsider in no team; bAdmin and bVictim in workspace B. */
type UserKey = 'admin' | 'manager' | 'member' | 'mate' | 'outsider' | 'readonly' | 'bAdmin' | 'bVictim';
const teamT = new Set<UserKey>(['manager', 'member', 'mate']);
const wsOf = (u: UserKey) => (u === 'bAdmin' || u === 'bVictim' ? 'B' : 'A');

interface Principal {
  name: string;
  client: () => TestClient;
  kind: 'session' | 'token' | 'anonymous';
  user?: UserKey;
  role?: Role;
  visibility?: Visibility;
  scopes?: TokenScope[];
}

/** Record ids by kind and owner (for `workspace` kinds: `admin` holds A's, `bAdmin` B's). */
const fixtures = {} as Record<Kind, Partial<Record<UserKey, string>>>;

function sees(p: Principal, kind: Kind, owner: UserKey): boolean {
  const user = p.user as UserKey;
  if (wsOf(user) !== wsOf(owner)) return false;
  switch (models[kind]) {
    case 'workspace':
      return true;
    case 'personal':
      // An administrator may revoke anyone's API token, but through a token only with the admin scope.
      if (kind === 'token' && p.role === 'admin' && (p.kind === 'session' || p.scopes?.includes('admin'))) return true;
      return owner === user;
    case 'owned':
      if (p.visibility === 'all' || owner === user) return true;
      return p.visibility === 'team' && teamT.has(user) && teamT.has(owner);
    default:
      return false;
  }
}

// ---------- expectation ----------

type Expect = { granted: true } | { status: number } | { anything: true };
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 401 / 403 from the route's declared access alone, or null when the caller passes it. */
function refusedByAccess(route: ApiRoute, p: Principal, spec: RouteSpec): number | null {
  if (route.access === 'public') return null;
  if (p.kind === 'anonymous') return 401;
  const token = p.kind === 'token';
  if (token && spec.sessionOnly) return 403;
  if (route.access === 'authenticated') return token && !SAFE.has(route.method) && !p.scopes?.includes('write') ? 403 : null;
  if (!can(p.role as Role, route.access)) return 403;
  if (token && !p.scopes?.includes(scopeFor(route.access))) return 403;
  return null;
}

interface Case {
  label: string;
  spec: RouteSpec;
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  principal: Principal;
  expect: Expect;
}

const NUL_QUERY = 'matrix_guard=%00';

function fill(url: string, params: Record<string, string>): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${url}`);
    return encodeURIComponent(v);
  });
}

function withQuery(url: string, ...parts: (string | undefined)[]): string {
  const q = parts.filter(Boolean).join('&');
  return q ? `${url}?${q}` : url;
}

function casesFor(route: ApiRoute, spec: RouteSpec, principals: Principal[]): Case[] {
  const out: Case[] = [];
  const key = `${route.method} ${route.url}`;
  const write = !SAFE.has(route.method);
  const request = (p: Principal, id: string | undefined, target: string, granted: boolean): Case => {
    const params: Record<string, string> = { ...(id ? { id, entityId: id } : {}), ...(spec.params?.(id ?? newId()) ?? {}) };
    // A granted write is stopped after authorization by the NUL guard; a refused one reaches the handler.
    // A stale version is refused (409) after every check: such a write runs its handler for real.
    const staleWrite = route.method === 'PATCH' && (spec.body as { version?: number } | undefined)?.version === stale.version;
    const guard = granted && write && !staleWrite ? NUL_QUERY : undefined;
    const query = typeof spec.query === 'function' ? spec.query(id ?? newId()) : spec.query;
    const url = withQuery(fill(route.url, params), query, spec.upload?.query, guard);
    const base = { label: `${key} as ${p.name} on ${target}`, spec, method: route.method, url, principal: p };
    if (spec.upload)
      return { ...base, body: Buffer.from('matrix'), headers: { 'content-type': spec.upload.contentType }, expect: { anything: true } };
    return {
      ...base,
      body: SAFE.has(route.method) || route.method === 'DELETE' ? undefined : (spec.body ?? {}),
      expect: { anything: true },
    };
  };
  for (const p of principals) {
    if (spec.stream && route.access !== 'public' && refusedByAccess(route, p, spec) === null) continue;
    const refused = refusedByAccess(route, p, spec);
    if (route.access === 'public') {
      out.push({ ...request(p, spec.kind ? newId() : undefined, 'a public route', true), expect: { anything: true } });
      continue;
    }
    if (refused !== null) {
      out.push({ ...request(p, fixtureFor(spec.kind, 'mate'), 'any record', false), expect: { status: refused } });
      continue;
    }
    if (!spec.kind) {
      out.push({ ...request(p, undefined, 'no record', true), expect: { granted: true } });
      continue;
    }
    const unknown = newId();
    const refusal: Expect = spec.filter ? { granted: true } : { status: 404 };
    out.push({ ...request(p, unknown, 'an unknown id', false), expect: refusal });
    const kind = spec.kind;
    if (models[kind] === 'none') continue;
    for (const owner of targetsFor(p, kind)) {
      const id = fixtures[kind][owner];
      if (!id) throw new Error(`no ${kind} fixture for ${owner}`);
      const granted = sees(p, kind, owner);
      const where = `${kind} of ${owner} (workspace ${wsOf(owner)})`;
      out.push({ ...request(p, id, where, granted), expect: granted ? { granted: true } : refusal });
    }
  }
  return out;
}

function fixtureFor(kind: Kind | undefined, owner: UserKey): string | undefined {
  if (!kind) return undefined;
  return fixtures[kind]?.[models[kind] === 'workspace' ? 'admin' : owner] ?? fixtures[kind]?.admin ?? newId();
}

/** Own, a teammate's, an outsider's, and another workspace's: those that exist for this kind. */
function targetsFor(p: Principal, kind: Kind): UserKey[] {
  const user = p.user as UserKey;
  const keys: UserKey[] = models[kind] === 'workspace' ? ['admin', 'bAdmin'] : [user, 'mate', 'outsider', 'bAdmin'];
  return [...new Set(keys)].filter((k) => fixtures[kind][k] !== undefined);
}

/** Ids of the records a caller may not see, each with what it is. */
const hiddenCache = new Map<Principal, [string, string, boolean][]>();
function hiddenFrom(p: Principal): [string, string, boolean][] {
  if (!p.user) return [];
  let hidden = hiddenCache.get(p);
  if (!hidden) {
    hidden = [];
    for (const kind of Object.keys(fixtures) as Kind[]) {
      for (const [owner, id] of Object.entries(fixtures[kind]) as [UserKey, string][]) {
        const foreign = wsOf(owner) !== wsOf(p.user);
        if (!sees(p, kind, owner)) hidden.push([id, `${kind} of ${owner} (workspace ${wsOf(owner)})`, foreign]);
      }
    }
    // Exports and searches may name records without their ids: the fixtures' names carry their owner.
    for (const owner of [...OWNERS_A, 'bAdmin'] as UserKey[]) {
      if (sees(p, 'person', owner)) continue;
      for (const name of [`検査${owner}`, `案件${owner}`, `見込${owner}`, `作業${owner}`, `件名${owner}`]) {
        hidden.push([name, `the name ${name} (owned by ${owner}, workspace ${wsOf(owner)})`, wsOf(owner) !== wsOf(p.user)]);
      }
    }
    hiddenCache.set(p, hidden);
  }
  return hidden;
}

// ---------- the run ----------

let server: RunningServer;
const principals: Principal[] = [];
const users = {} as Record<UserKey, { client: TestClient; id: string; email: string }>;

async function ok<T = any>(what: string, res: Promise<{ status: number; body: any }>): Promise<T> {
  const r = await res;
  if (r.status >= 300) throw new Error(`fixture ${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as T;
}

async function setUp() {
  server = await startTestServer();
  const a = await createTestWorkspace(server, { name: '甲株式会社' });
  const b = await createTestWorkspace(server, { name: '乙株式会社' });
  workspaceIds.A = a.workspaceId;
  workspaceIds.B = b.workspaceId;
  const adminA = await signIn(server, a.adminEmail);
  const adminB = await signIn(server, b.adminEmail);
  const ws = await adminA.get('/api/v1/workspace');
  await ok('visibility', adminA.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own', manager: 'team' } }));
  users.admin = { client: adminA, id: a.adminId, email: a.adminEmail };
  users.bAdmin = { client: adminB, id: b.adminId, email: b.adminEmail };
  const roleOf: Partial<Record<UserKey, Role>> = {
    manager: 'manager',
    member: 'member',
    mate: 'member',
    outsider: 'member',
    readonly: 'readonly',
  };
  for (const [key, role] of Object.entries(roleOf) as [UserKey, Role][]) {
    const u = await addUser(server, adminA, role, `${key} 様`);
    users[key] = { client: u.client, id: u.userId, email: u.email };
  }
  const victim = await addUser(server, adminB, 'member', '乙 社員');
  users.bVictim = { client: victim.client, id: victim.userId, email: victim.email };
  const team = await ok('team T', adminA.post('/api/v1/teams', { name: 'T', memberIds: [...teamT].map((k) => users[k].id) }));
  // Sign in again after the team exists, so every actor carries its teams.
  for (const key of ['manager', 'member', 'mate'] as UserKey[]) users[key].client = await signIn(server, users[key].email);
  expect(team.id).toBeTruthy();

  const tokens: Record<string, TokenScope[]> = {
    'token:read': ['read'],
    'token:read+write': ['read', 'write'],
    'token:admin': ['read', 'write', 'admin'],
  };
  const session = (name: string, user: UserKey, role: Role, visibility: Visibility): Principal => ({
    name,
    client: () => users[user].client,
    kind: 'session',
    user,
    role,
    visibility,
  });
  principals.push(
    session('admin', 'admin', 'admin', 'all'),
    session('manager (team)', 'manager', 'manager', 'team'),
    session('member (own)', 'member', 'member', 'own'),
    session('read-only', 'readonly', 'readonly', 'all'),
  );
  for (const [name, scopes] of Object.entries(tokens)) {
    const t = await ok<{ token: string }>(name, adminA.post('/api/v1/tokens', { name, scopes }));
    const client = tokenClient(server, t.token);
    principals.push({ name, client: () => client, kind: 'token', user: 'admin', role: 'admin', visibility: 'all', scopes });
  }
  // A member's token sees what the member sees (own records only), whatever its scopes.
  const memberToken = await ok<{ token: string }>(
    'member token',
    users.member.client.post('/api/v1/tokens', { name: 'member', scopes: ['read', 'write'] }),
  );
  const memberClient = tokenClient(server, memberToken.token);
  principals.push({
    name: 'token:read+write of member (own)',
    client: () => memberClient,
    kind: 'token',
    user: 'member',
    role: 'member',
    visibility: 'own',
    scopes: ['read', 'write'],
  });
  const anon = anonymous(server);
  principals.push({ name: 'anonymous', client: () => anon, kind: 'anonymous' });
  principals.push(session('admin of workspace B', 'bAdmin', 'admin', 'all'));

  await makeFixtures();
}

const OWNERS_A: UserKey[] = ['admin', 'manager', 'member', 'mate', 'outsider'];

const workspaceIds: Record<string, string> = {};

function receive(workspaceId: string, from: string, subject: string, attachment = false) {
  const head = `From: ${from}\r\nTo: crm@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${newId()}@example.test>\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\n`;
  const file = Buffer.from('添付の中身').toString('base64');
  const raw = Buffer.from(
    attachment
      ? `${head}Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n本文\r\n--b1\r\nContent-Type: text/plain; name="memo.txt"\r\nContent-Disposition: attachment; filename="memo.txt"\r\nContent-Transfer-Encoding: base64\r\n\r\n${file}\r\n--b1--\r\n`
      : `${head}Content-Type: text/plain; charset=utf-8\r\n\r\n本文\r\n`,
  );
  return receiveMessage({ db: server.database.db, config: testConfig(server.databaseUrl) }, { workspaceId, raw, source: 'smtp' });
}

async function makeFixtures() {
  for (const kind of Object.keys(models) as Kind[]) fixtures[kind] = {};
  const adminOf = (owner: UserKey) => users[wsOf(owner) === 'A' ? 'admin' : 'bAdmin'].client;
  const owned = [...OWNERS_A, 'bAdmin'] as UserKey[];
  const products: Record<string, string> = {};
  for (const w of ['admin', 'bAdmin'] as UserKey[]) {
    const c = users[w].client;
    const product = await ok('product', c.post('/api/v1/products', { sku: `M-${w}`, name: '商品', unitPrice: 1000, currency: 'JPY' }));
    products[wsOf(w)] = product.id;
    fixtures.product[w] = product.id;
    const pipelines = await ok('pipelines', c.get('/api/v1/pipelines'));
    const pipeline = pipelines.data[0];
    fixtures.pipeline[w] = pipeline.id;
    stageOf.set(pipeline.id, pipeline.stages[0].id);
    fixtures.user[w] = users[w === 'admin' ? 'outsider' : 'bVictim'].id;
    fixtures.team[w] = (await ok('team', c.post('/api/v1/teams', { name: `spare ${w}` }))).id;
    fixtures.invitation[w] = (
      await ok('invitation', c.post('/api/v1/invitations', { email: uniqueEmail('inv'), role: 'member' }))
    ).invitation.id;
    fixtures.customField[w] = (
      await ok(
        'custom field',
        c.post('/api/v1/custom-fields', { entityType: 'person', key: 'matrix', type: 'text', labelJa: '検査', labelEn: 'Check' }),
      )
    ).id;
    fixtures.template[w] = (await ok('template', c.post('/api/v1/mail/templates', { name: '件', subject: '件名', body: '本文' }))).id;
    fixtures.rule[w] = (
      await ok(
        'rule',
        c.post('/api/v1/assignment-rules', { objectType: 'lead', name: '規則', method: 'user', userId: users[w].id, active: false }),
      )
    ).id;
    await ok('target', c.request('PUT', '/api/v1/sales-targets', { items: [{ month: '2026-04', amount: 1000 }] }));
    const targets = await ok('targets', c.get('/api/v1/sales-targets?fiscalYear=2026'));
    fixtures.target[w] = (targets.data ?? targets.targets ?? targets)[0]?.id;
    fixtures.scan[w] = (await ok('scan', c.post('/api/v1/duplicates/scan?entityType=person'))).id;
  }
  await Promise.all(
    owned.map(async (owner) => {
      const c = adminOf(owner);
      const ownerId = users[owner].id;
      const address = uniqueEmail(`from-${owner}`);
      const emails = [{ label: 'work', address }];
      const person = await ok('person', c.post('/api/v1/people', { familyName: `検査${owner}`, emails, ownerId, ignoreDuplicates: true }));
      fixtures.person[owner] = person.id;
      fixtures.company[owner] = (
        await ok('company', c.post('/api/v1/companies', { name: `検査${owner}社`, ownerId, ignoreDuplicates: true }))
      ).id;
      fixtures.deal[owner] = (await ok('deal', c.post('/api/v1/deals', { title: `案件${owner}`, ownerId, personId: person.id }))).id;
      fixtures.lead[owner] = (await ok('lead', c.post('/api/v1/leads', { familyName: `見込${owner}`, ownerId }))).id;
      fixtures.task[owner] = (await ok('task', c.post('/api/v1/tasks', { title: `作業${owner}`, assigneeId: ownerId }))).id;
      const activity = await ok(
        'activity',
        c.post('/api/v1/activities', { kind: 'note', body: 'メモ', links: [{ entityType: 'person', entityId: person.id }] }),
      );
      fixtures.activity[owner] = activity.id;
      const file = await ok(
        'attachment',
        c.request('POST', `/api/v1/activities/${activity.id}/attachments?filename=a.txt`, Buffer.from('添付'), {
          'content-type': 'text/plain',
        }),
      );
      fixtures.attachment[owner] = file.id;
      const product = products[wsOf(owner)] as string;
      fixtures.order[owner] = (
        await ok('order', c.post('/api/v1/orders', { personId: person.id, currency: 'JPY', lines: [{ productId: product, quantity: 1 }] }))
      ).id;
      // Mail from the person's address is filed on the person (seen like them); from an unknown one it waits for review.
      const workspaceId = workspaceIds[wsOf(owner)] as string;
      // The outsider's and workspace B's attachments come with mail, the others' with activities: both paths are tried.
      const withFile = owner === 'outsider' || owner === 'bAdmin';
      fixtures.email[owner] = (await receive(workspaceId, address, `件名${owner}`, withFile)).emailId as string;
      if (withFile) fixtures.attachment[owner] = (await ok('mail', c.get(`/api/v1/emails/${fixtures.email[owner]}`))).attachments[0].id;
      if (owner === 'admin' || owner === 'bAdmin')
        fixtures.review[owner] = (await receive(workspaceId, uniqueEmail('stranger'), '未登録')).emailId as string;
      const mine = users[owner].client;
      fixtures.import[owner] = (
        await ok(
          'import',
          mine.request('POST', '/api/v1/imports?entityType=person&filename=p.csv', '姓\n山田\n', { 'content-type': 'text/csv' }),
        )
      ).id;
      fixtures.orderImport[owner] = (
        await ok(
          'order import',
          mine.request('POST', '/api/v1/orders/imports?format=csv', 'order_number,email,sku,quantity\n1,a@example.jp,X,1\n', {
            'content-type': 'text/csv',
          }),
        )
      ).id;
    }),
  );
  // Personal records: each user's own token, private view, second session and a notification.
  const personal: UserKey[] = ['admin', 'manager', 'member', 'mate', 'bAdmin'];
  await Promise.all(
    personal.map(async (u) => {
      const c = users[u].client;
      fixtures.token[u] = (await ok('token', c.post('/api/v1/tokens', { name: 'fixture', scopes: ['read'] }))).apiToken.id;
      fixtures.view[u] = (await ok('view', c.post('/api/v1/views', { entityType: 'person', name: '自分用' }))).id;
      fixtures.emailAttachment[u] = (
        await ok(
          'draft attachment',
          c.request('POST', '/api/v1/emails/attachments?filename=draft.txt', Buffer.from('下書き'), { 'content-type': 'text/plain' }),
        )
      ).id;
      const second = await signIn(server, users[u].email);
      const list = await ok('sessions', second.get('/api/v1/me/sessions'));
      fixtures.session[u] = list.data.find((s: { current: boolean }) => s.current).id;
    }),
  );
  // A duplicate pair per owner (both people theirs), found by the detector after the second one is created.
  await Promise.all(
    (['mate', 'outsider', 'member', 'bAdmin'] as UserKey[]).map(async (owner) => {
      const c = adminOf(owner);
      const email = uniqueEmail(`dup-${owner}`);
      const pair: string[] = [];
      for (const given of ['一', '二']) {
        const body = {
          familyName: `重複${owner}`,
          givenName: given,
          emails: [{ label: 'work', address: email }],
          ownerId: users[owner].id,
          ignoreDuplicates: true,
        };
        pair.push((await ok('duplicate person', c.post('/api/v1/people', body))).id);
      }
      fixtures.duplicate[owner] = await waitFor(`a duplicate pair of ${owner}`, async () => {
        const list = await c.get('/api/v1/duplicates?entityType=person');
        const found = (list.body.data ?? []).find(
          (d: { a: { id: string }; b: { id: string } }) => pair.includes(d.a.id) && pair.includes(d.b.id),
        );
        return found?.id as string | undefined;
      });
    }),
  );
  const mention = async (author: UserKey, mentioned: UserKey[]) =>
    ok(
      'mention',
      users[author].client.post('/api/v1/activities', {
        kind: 'note',
        body: 'ご確認ください',
        links: [{ entityType: 'person', entityId: fixtures.person[wsOf(author) === 'A' ? 'mate' : 'bAdmin'] }],
        mentionIds: mentioned.map((m) => users[m].id),
      }),
    );
  await mention('admin', ['manager', 'member', 'mate']);
  await mention('mate', ['admin']);
  await mention('bVictim', ['bAdmin']);
  await Promise.all(
    personal.map(async (u) => {
      const list = await waitFor(`a notification for ${u}`, async () => {
        const r = await users[u].client.get('/api/v1/notifications');
        return r.body.data?.length ? r.body.data : undefined;
      });
      fixtures.notification[u] = list[0].id;
    }),
  );
}

beforeAll(setUp, 180_000);
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
      .flatMap((r) => casesFor(r, routes[`${r.method} ${r.url}`] as RouteSpec, principals));
    const failures: string[] = [];
    const BATCH = 24;
    for (let i = 0; i < cases.length; i += BATCH) {
      await Promise.all(
        cases.slice(i, i + BATCH).map(async (c) => {
          const res = await c.principal.client().request(c.method, c.url, c.body, c.headers);
          const e = c.expect;
          const got = `${res.status} ${typeof res.body === 'object' ? JSON.stringify(res.body).slice(0, 160) : String(res.body).slice(0, 80)}`;
          if (res.status >= 500) failures.push(`${c.label}: server error ${got}`);
          else if ('granted' in e) {
            if ([401, 403, 404].includes(res.status)) failures.push(`${c.label}: refused (${got}), should be allowed`);
            // A list, search or record the caller may read names no record it may not see.
            const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
            for (const [id, what, foreign] of hiddenFrom(c.principal)) {
              if ((foreign || !c.spec.wholeWorkspace) && text.includes(id)) failures.push(`${c.label}: reveals ${what}`);
            }
          } else if ('status' in e) {
            if (res.status !== e.status) failures.push(`${c.label}: expected ${e.status}, got ${got}`);
          }
        }),
      );
    }
    expect(failures).toEqual([]);
    console.info(`access matrix: ${cases.length} requests over ${server.app.apiRoutes.length} routes and ${principals.length} callers`);
  });

  it('refuses, like an unknown id, a record of another workspace or a hidden one named in a body or a query', async () => {
    const b = users.bAdmin.client;
    const member = users.member.client;
    const a = (kind: Kind, owner: UserKey = 'mate') => fixtures[kind][models[kind] === 'workspace' ? 'admin' : owner] as string;
    const bDeal = await b.get(`/api/v1/deals/${fixtures.deal.bAdmin}`);
    const bLead = await b.get(`/api/v1/leads/${fixtures.lead.bAdmin}`);
    const bPerson = await b.get(`/api/v1/people/${fixtures.person.bAdmin}`);
    const repField = await ok(
      'user field',
      b.post('/api/v1/custom-fields', { entityType: 'person', key: 'rep', type: 'user', labelJa: '担当', labelEn: 'Rep' }),
    );
    await ok(
      'company user field',
      b.post('/api/v1/custom-fields', { entityType: 'company', key: 'rep', type: 'user', labelJa: '担当', labelEn: 'Rep' }),
    );
    // A user of the caller's own workspace is a valid value.
    await ok(
      'own user as value',
      b.post('/api/v1/people', { familyName: '担当付き', custom: { rep: users.bVictim.id }, ignoreDuplicates: true }),
    );
    const note = (type: string) => (id: string) => ({ kind: 'note', body: 'x', links: [{ entityType: type, entityId: id }] });
    const order = (patch: (id: string) => object) => (id: string) => ({
      currency: 'JPY',
      lines: [{ productId: fixtures.product.bAdmin, quantity: 1 }],
      ...patch(id),
    });
    type Ref = [string, TestClient, string, (id: string) => string, ((id: string) => unknown) | undefined, string];
    const post = (c: TestClient, who: string, url: string, body: (id: string) => unknown, target: string): Ref => [
      who,
      c,
      'POST',
      () => url,
      body,
      target,
    ];
    const refs: Ref[] = [
      post(b, 'B admin', '/api/v1/activities', note('person'), a('person')),
      post(b, 'B admin', '/api/v1/activities', note('company'), a('company')),
      post(b, 'B admin', '/api/v1/activities', note('deal'), a('deal')),
      post(b, 'B admin', '/api/v1/activities', note('lead'), a('lead')),
      post(b, 'B admin', '/api/v1/tasks', (id) => ({ title: 't', links: [{ entityType: 'person', entityId: id }] }), a('person')),
      post(b, 'B admin', '/api/v1/tasks', (id) => ({ title: 't', assigneeId: id }), users.mate.id),
      post(b, 'B admin', '/api/v1/people', (id) => ({ familyName: '参照', companyId: id, ignoreDuplicates: true }), a('company')),
      post(b, 'B admin', '/api/v1/people', (id) => ({ familyName: '参照', ownerId: id, ignoreDuplicates: true }), users.mate.id),
      post(b, 'B admin', '/api/v1/people', (id) => ({ familyName: '参照', teamId: id, ignoreDuplicates: true }), a('team')),
      post(b, 'B admin', '/api/v1/companies', (id) => ({ name: '参照', parentId: id, ignoreDuplicates: true }), a('company')),
      post(b, 'B admin', '/api/v1/deals', (id) => ({ title: 'd', personId: id }), a('person')),
      post(b, 'B admin', '/api/v1/deals', (id) => ({ title: 'd', companyId: id }), a('company')),
      post(b, 'B admin', '/api/v1/deals', (id) => ({ title: 'd', pipelineId: id }), a('pipeline')),
      post(b, 'B admin', '/api/v1/deals', (id) => ({ title: 'd', ownerId: id }), users.mate.id),
      post(b, 'B admin', '/api/v1/leads', (id) => ({ familyName: 'l', ownerId: id }), users.mate.id),
      post(
        b,
        'B admin',
        '/api/v1/orders',
        order((id) => ({ personId: id })),
        a('person'),
      ),
      post(
        b,
        'B admin',
        '/api/v1/orders',
        order((id) => ({ companyId: id })),
        a('company'),
      ),
      post(
        b,
        'B admin',
        '/api/v1/orders',
        order((id) => ({ repId: id })),
        users.mate.id,
      ),
      post(b, 'B admin', '/api/v1/orders', (id) => ({ currency: 'JPY', lines: [{ productId: id, quantity: 1 }] }), a('product')),
      post(b, 'B admin', '/api/v1/people', (id) => ({ familyName: '参照', custom: { rep: id }, ignoreDuplicates: true }), users.mate.id),
      post(b, 'B admin', '/api/v1/companies', (id) => ({ name: '参照', custom: { rep: id }, ignoreDuplicates: true }), users.mate.id),
      post(
        b,
        'B admin',
        '/api/v1/custom-fields',
        (id) => ({
          entityType: 'person',
          key: `rep_${id.slice(-6).replace(/-/g, '')}`,
          type: 'user',
          labelJa: '担当',
          labelEn: 'Rep',
          defaultValue: id,
        }),
        users.mate.id,
      ),
      [
        'B admin',
        b,
        'PATCH',
        () => `/api/v1/custom-fields/${repField.id}`,
        (id) => ({ version: repField.version, defaultValue: id }),
        users.mate.id,
      ],
      [
        'B admin',
        b,
        'PATCH',
        () => `/api/v1/people/${fixtures.person.bAdmin}`,
        (id) => ({ version: bPerson.body.version, custom: { rep: id } }),
        users.mate.id,
      ],
      post(b, 'B admin', '/api/v1/teams', (id) => ({ name: `参照${id.slice(-4)}`, memberIds: [id] }), users.mate.id),
      post(b, 'B admin', '/api/v1/invitations', (id) => ({ email: uniqueEmail('ref'), role: 'member', teamId: id }), a('team')),
      post(
        b,
        'B admin',
        '/api/v1/assignment-rules',
        (id) => ({ objectType: 'lead', name: 'r', method: 'user', userId: id, active: false }),
        users.mate.id,
      ),
      post(b, 'B admin', '/api/v1/people/bulk', (id) => ({ action: 'tag', ids: [id], tags: ['参照'] }), a('person')),
      post(b, 'B admin', '/api/v1/emails/preview', (id) => ({ personId: id, subject: 's', body: 'b' }), a('person')),
      post(b, 'B admin', '/api/v1/emails', (id) => ({ personId: id, subject: 's', body: 'b' }), a('person')),
      [
        'B admin',
        b,
        'PUT',
        () => '/api/v1/sales-targets',
        (id) => ({ items: [{ month: '2026-05', ownerId: id, amount: 1 }] }),
        users.mate.id,
      ],
      [
        'B admin',
        b,
        'PATCH',
        () => `/api/v1/people/${fixtures.person.bAdmin}`,
        (id) => ({ version: bPerson.body.version, companyId: id }),
        a('company'),
      ],
      [
        'B admin',
        b,
        'POST',
        () => `/api/v1/deals/${fixtures.deal.bAdmin}/move`,
        (id) => ({ version: bDeal.body.version, stageId: id }),
        stageOf.get(a('pipeline')) as string,
      ],
      [
        'B admin',
        b,
        'PUT',
        () => `/api/v1/deals/${fixtures.deal.bAdmin}/line-items`,
        (id) => ({ version: bDeal.body.version, items: [{ productId: id, quantity: 1 }] }),
        a('product'),
      ],
      [
        'B admin',
        b,
        'POST',
        () => `/api/v1/leads/${fixtures.lead.bAdmin}/convert`,
        (id) => ({ version: bLead.body.version, person: { mode: 'existing', id } }),
        a('person'),
      ],
      ['B admin', b, 'GET', (id) => `/api/v1/timeline/company/${id}`, undefined, a('company')],
      ['B admin', b, 'GET', (id) => `/api/v1/timeline/deal/${id}`, undefined, a('deal')],
      ['B admin', b, 'GET', (id) => `/api/v1/timeline/lead/${id}`, undefined, a('lead')],
      ['member', member, 'GET', (id) => `/api/v1/timeline/company/${id}`, undefined, a('company')],
      ['member', member, 'GET', (id) => `/api/v1/timeline/deal/${id}`, undefined, a('deal')],
      ['member', member, 'GET', (id) => `/api/v1/timeline/lead/${id}`, undefined, a('lead')],
      post(member, 'member', '/api/v1/activities', note('person'), a('person')),
      post(member, 'member', '/api/v1/activities', note('deal'), a('deal')),
      post(member, 'member', '/api/v1/tasks', (id) => ({ title: 't', links: [{ entityType: 'person', entityId: id }] }), a('person')),
      post(member, 'member', '/api/v1/people/bulk', (id) => ({ action: 'tag', ids: [id], tags: ['参照'] }), a('person')),
      post(member, 'member', '/api/v1/emails/preview', (id) => ({ personId: id, subject: 's', body: 'b' }), a('person')),
    ];
    const failures: string[] = [];
    await Promise.all(
      refs.map(async ([who, client, method, url, body, target]) => {
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
      `/api/v1/orders?personId=${a('person')}`,
      `/api/v1/tasks?assignee=any&entityType=person&entityId=${a('person')}`,
      `/api/v1/tasks?assignee=${users.mate.id}&bucket=all`,
    ]) {
      const res = await b.get(url);
      for (const [id, what] of hiddenFrom(principals.find((p) => p.user === 'bAdmin') as Principal)) {
        if (JSON.stringify(res.body).includes(id)) failures.push(`GET ${url} as B admin: ${res.status}, reveals ${what}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("lets an administrator's API token revoke another user's token only with the admin scope", async () => {
    const mine = await ok<{ apiToken: { id: string } }>(
      'token',
      users.mate.client.post('/api/v1/tokens', { name: 'revocable', scopes: ['read'] }),
    );
    const by = (name: string) => (principals.find((p) => p.name === name) as Principal).client();
    const id = mine.apiToken.id;
    expect((await by('token:read+write').delete(`/api/v1/tokens/${id}`)).status).toBe(404);
    expect((await users.mate.client.get('/api/v1/tokens')).body.data.find((t: { id: string }) => t.id === id).revokedAt).toBeNull();
    expect((await by('token:admin').delete(`/api/v1/tokens/${id}`)).status).toBe(200);
    expect((await users.mate.client.get('/api/v1/tokens')).body.data.find((t: { id: string }) => t.id === id).revokedAt).not.toBeNull();
  });

  it("refuses another workspace's user in an imported user field, and takes one of its own", async () => {
    const b = users.bAdmin.client;
    await ok(
      'user field',
      b.post('/api/v1/custom-fields', { entityType: 'person', key: 'imp_rep', type: 'user', labelJa: '担当', labelEn: 'Rep' }),
    );
    const csv = `姓,担当\n他社担当,${users.mate.id}\n自社担当,${users.bVictim.id}\n`;
    const up = await ok(
      'upload',
      b.request('POST', '/api/v1/imports?entityType=person&filename=rep.csv', csv, { 'content-type': 'text/csv' }),
    );
    await ok('start', b.post(`/api/v1/imports/${up.id}/start`, { mapping: { 0: 'familyName', 1: 'custom.imp_rep' } }));
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
