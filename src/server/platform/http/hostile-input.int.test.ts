import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePerson, makeUser, makeWorkspace } from '../../../../test/factories.js';
import { anonymous, startTestServer, type TestClient, tokenClient } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';

/** Requests a hostile tester sent: each once crashed the server or answered 500. */
let server: RunningServer;
let admin: TestClient;
let manager: TestClient;

beforeAll(async () => {
  server = await startTestServer({ listen: true });
  const ws = await makeWorkspace(server);
  admin = ws.admin.client;
  manager = (await makeUser(ws, 'manager')).client;
  await makePerson(admin);
});
afterAll(async () => {
  await server?.stop();
});

async function alive() {
  const res = await fetch(`${server.url}/api/v1/auth/session`);
  expect(res.status).toBeLessThan(500);
}

describe('an export with text PostgreSQL cannot store', () => {
  for (const path of ['people', 'companies', 'people.vcf']) {
    it(`GET /exports/${path}?sort=%00x answers 400 and the server keeps serving`, async () => {
      const res = await fetch(`${server.url}/api/v1/exports/${path}?sort=%00x`, {
        headers: { cookie: manager.cookie, 'accept-language': 'en' },
      });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('invalid_text');
      await alive();
    });
  }
});

describe('NUL and unpaired surrogates, once for every route', () => {
  it('an unauthenticated sign-in with a NUL answers 400 invalid_text in the caller language', async () => {
    const res = await anonymous(server, 'en').post('/api/v1/auth/login', { email: 'a\u0000@example.test', password: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_text', details: { in: 'body', path: 'email' } });
    expect(res.body.error.message).toMatch(/cannot be stored/);
    const ja = await anonymous(server, 'ja').post('/api/v1/auth/login', { email: 'a\u0000@example.test', password: 'x' });
    expect(ja.body.error.message).toMatch(/保存できない文字/);
  });

  it('a NUL in a query parameter, a path parameter and an object key', async () => {
    expect((await admin.get('/api/v1/people?q=%00')).status).toBe(400);
    expect((await admin.get('/api/v1/people/%00')).status).toBe(400);
    const res = await admin.post('/api/v1/people', { familyName: '林', custom: { 'a\u0000': 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({ in: 'body', path: 'custom.a\u0000' });
  });

  it('a lone surrogate in a deal title, a token name, a department and a custom-field default changes nothing', async () => {
    const before = (await admin.get('/api/v1/deals')).body.data.length;
    for (const bad of ['\ud800', 'x\udc00y', '\udfff\ud800']) {
      expect((await admin.post('/api/v1/deals', { title: bad })).status).toBe(400);
      expect((await admin.post('/api/v1/tokens', { name: bad, scopes: ['read'] })).status).toBe(400);
    }
    const company = await admin.post('/api/v1/companies', { name: '株式会社サロゲート' });
    expect((await admin.post(`/api/v1/companies/${company.body.id}/departments`, { name: '営業\ud800部' })).status).toBe(400);
    const field = await admin.post('/api/v1/custom-fields', {
      entityType: 'person',
      key: 'surrogate',
      type: 'text',
      labelJa: '項目',
      labelEn: 'Field',
      defaultValue: '\ud83d',
    });
    expect(field.status).toBe(400);
    expect((await admin.get('/api/v1/deals')).body.data.length).toBe(before);
    // A well-formed pair (an emoji) is text like any other.
    expect((await admin.post('/api/v1/deals', { title: '商談 🎉' })).status).toBe(201);
  });

  it('a task with an empty rrule is a task without recurrence, not a 500', async () => {
    const res = await admin.post('/api/v1/tasks', { title: '電話する', rrule: '' });
    expect(res.status).toBe(201);
    expect(res.body.rrule).toBeNull();
  });

  it('four concurrent custom fields with one key: one is created, the others get 409', async () => {
    const body = { entityType: 'company', key: 'race_key', type: 'text', labelJa: '競合', labelEn: 'Race' };
    const results = await Promise.all([1, 2, 3, 4].map(() => admin.post('/api/v1/custom-fields', body)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    // The loser sees either the service's own check (400, key taken) or the unique index (409): never a 500.
    for (const r of results.filter((x) => x.status !== 201)) {
      expect([400, 409]).toContain(r.status);
      expect(['validation_failed', 'already_exists']).toContain(r.body.error.code);
    }
  });
});

describe('API tokens', () => {
  it('a read+write token cannot mint an admin token (nor any scope it lacks)', async () => {
    const created = await admin.post('/api/v1/tokens', { name: 'rw', scopes: ['read', 'write'] });
    expect(created.status).toBe(201);
    const rw = tokenClient(server, created.body.token);
    const escalate = await rw.post('/api/v1/tokens', { name: 'escalated', scopes: ['read', 'write', 'admin'] });
    expect(escalate.status).toBe(403);
    expect(escalate.body.error.code).toBe('insufficient_scope');
    const same = await rw.post('/api/v1/tokens', { name: 'narrower', scopes: ['read'] });
    expect(same.status).toBe(201);
    const names = (await admin.get('/api/v1/tokens')).body.data.map((t: { name: string }) => t.name);
    expect(names).not.toContain('escalated');
  });
});

describe('errors before a route answers in the API format', () => {
  it('414 for an over-long path parameter', async () => {
    const res = await fetch(`${server.url}/api/v1/people/${'a'.repeat(500)}`, {
      headers: { cookie: admin.cookie, 'accept-language': 'en' },
    });
    expect(res.status).toBe(414);
    expect((await res.json()).error).toMatchObject({ code: 'uri_too_long', message: 'The URL is too long.' });
  });

  it('431 for headers over the limit', async () => {
    const { port } = new URL(server.url);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/auth/session', headers: { 'x-big': 'x'.repeat(20_000) } }, (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body).error.code).toBe('headers_too_large');
    await alive();
  });

  it('400 in the API format for a malformed URL', async () => {
    const res = await fetch(`${server.url}/api/v1/people/%E0%A4%A`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBeDefined();
  });
});
