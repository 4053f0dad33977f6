import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';
import { registerPersonalDataProvider, unregisterPersonalDataProvider } from './index.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const q = async (text: string, values: unknown[] = []) => (await server.database.pool.query(text, values)).rows;

async function workspace() {
  const ws = await createTestWorkspace(server);
  return { ...ws, a: await signIn(server, ws.adminEmail) };
}

/** A person with something in every personal field, a consent, a purpose and a history. */
async function richPerson(a: TestClient) {
  await a.post('/api/v1/custom-fields', { entityType: 'person', key: 'hobby', type: 'text', labelJa: '趣味', labelEn: 'Hobby' });
  const co = await a.post('/api/v1/companies', { name: '株式会社ひみつ' });
  const p = await a.post('/api/v1/people', {
    familyName: '秘密',
    givenName: '花子',
    familyNameKana: 'ヒミツ',
    givenNameKana: 'ハナコ',
    emails: [{ address: 'hanako.himitsu@example.jp' }],
    phones: [{ label: 'mobile', number: '090-8765-4321' }],
    postalCode: '1000001',
    prefecture: '東京都',
    city: '千代田区',
    town: '千代田',
    addressLine: '1-1-1 ひみつハイツ',
    birthday: '1979-12-24',
    gender: 'female',
    household: [{ relation: '夫', name: '秘密一郎' }],
    preferences: '甘いものが好き',
    companyId: co.body.id,
    title: '取締役',
    tags: ['お得意様'],
    custom: { hobby: '盆栽' },
    notes: '誕生日に花を贈る',
  });
  expect(p.status).toBe(201);
  await a.post(`/api/v1/people/${p.body.id}/consents`, {
    channel: 'email',
    status: 'granted',
    method: 'web_form',
    wording: '花子様へのメール配信に同意',
    source: 'キャンペーンLP',
  });
  const purpose = await a.post(`/api/v1/people/${p.body.id}/purposes`, {
    purpose: '商品の発送',
    status: 'agreed',
    method: 'paper',
    wording: '発送のため住所を利用します',
  });
  expect(purpose.status).toBe(201);
  const v = (await a.get(`/api/v1/people/${p.body.id}`)).body.version;
  await a.patch(`/api/v1/people/${p.body.id}`, { version: v, title: '代表取締役' });
  return { id: p.body.id as string, companyId: co.body.id as string };
}

/** Values that must not survive an erasure anywhere. */
const secrets = [
  '秘密',
  '花子',
  'ヒミツ',
  'ハナコ',
  'hanako',
  // Digits long enough never to turn up by chance inside a UUID's hex (a bare '4321' did, once).
  '87654321',
  '8765-4321',
  '100-0001',
  '千代田',
  'ひみつハイツ',
  '1979-12-24',
  '甘いもの',
  '盆栽',
  '誕生日に花',
  '取締役',
  'お得意様',
  'メール配信に同意',
  'キャンペーンLP',
  '発送のため',
];

describe('purposes of use', () => {
  it('keeps the history and where each purpose stands', async () => {
    const { a } = await workspace();
    const p = await a.post('/api/v1/people', { familyName: '目的' });
    await a.post(`/api/v1/people/${p.body.id}/purposes`, { purpose: 'newsletter', status: 'agreed', method: 'web_form' });
    await a.post(`/api/v1/people/${p.body.id}/purposes`, { purpose: 'survey', status: 'notified', method: 'email' });
    await a.post(`/api/v1/people/${p.body.id}/purposes`, { purpose: 'newsletter', status: 'withdrawn', method: 'email' });
    const res = await a.get(`/api/v1/people/${p.body.id}/purposes`);
    expect(res.body.current.map((c: { purpose: string; status: string }) => [c.purpose, c.status])).toEqual([['survey', 'notified']]);
    expect(res.body.history).toHaveLength(3);
    expect((await a.post(`/api/v1/people/${p.body.id}/purposes`, { purpose: '', status: 'agreed', method: 'x' })).status).toBe(400);
  });
});

describe('personal data export', () => {
  it('returns the record, custom fields, consents, purposes, employments, history and other modules’ data, and is audited', async () => {
    const { a, workspaceId } = await workspace();
    const { id, companyId } = await richPerson(a);
    registerPersonalDataProvider('test-notes', async ({ personId, personIds }) => ({ personId, count: personIds.length }));
    try {
      const res = await a.get(`/api/v1/people/${id}/export?reference=REQ-1`);
      expect(res.status).toBe(200);
      expect(res.body.person).toMatchObject({ id, familyName: '秘密', custom: { hobby: '盆栽' }, title: '代表取締役' });
      expect(res.body.customFields).toEqual([{ key: 'hobby', labelJa: '趣味', labelEn: 'Hobby', type: 'text' }]);
      expect(res.body.consents[0]).toMatchObject({ channel: 'email', status: 'granted', wording: '花子様へのメール配信に同意' });
      expect(res.body.purposes[0]).toMatchObject({ purpose: '商品の発送', status: 'agreed' });
      expect(res.body.employments[0]).toMatchObject({ companyId, endedOn: null });
      expect(res.body.contactPoints.map((c: { value: string }) => c.value).sort()).toEqual(['+819087654321', 'hanako.himitsu@example.jp']);
      expect(res.body.history.map((h: { action: string }) => h.action)).toEqual(
        expect.arrayContaining(['person.created', 'consent.granted', 'purpose.agreed', 'person.updated']),
      );
      expect(res.body.modules['test-notes']).toEqual({ personId: id, count: 1 });
    } finally {
      unregisterPersonalDataProvider('test-notes');
    }
    const audit = await q("SELECT after FROM audit_log WHERE workspace_id = $1 AND entity_id = $2 AND action = 'person.data_exported'", [
      workspaceId,
      id,
    ]);
    expect(audit).toHaveLength(1);
    const requests = await a.get('/api/v1/privacy-requests?kind=export');
    expect(requests.body.data).toHaveLength(1);
    expect(requests.body.data[0]).toMatchObject({ kind: 'export', personId: id, reference: 'REQ-1' });
    expect(requests.body.data[0].completedAt).not.toBeNull();
  });

  it('needs the export permission', async () => {
    const { a } = await workspace();
    const p = await a.post('/api/v1/people', { familyName: '権限' });
    const { client: member } = await addUser(server, a, 'member');
    expect((await member.get(`/api/v1/people/${p.body.id}/export`)).status).toBe(403);
  });
});

describe('erasure', () => {
  it('leaves no personal value in people, contact points, consents or the audit trail, but keeps the request', async () => {
    const { a, workspaceId } = await workspace();
    const { id } = await richPerson(a);
    // A duplicate merged into the person is the same human: it is erased too.
    const dup = await a.post('/api/v1/people', {
      familyName: '秘密',
      givenName: '花子',
      emails: [{ address: 'hanako2@example.jp' }],
      ignoreDuplicates: true,
    });
    const v = (await a.get(`/api/v1/people/${id}`)).body.version;
    const merged = await a.post('/api/v1/people/merge', { survivorId: id, mergedId: dup.body.id, survivorVersion: v, mergedVersion: 1 });
    expect(merged.status).toBe(200);
    await a.get(`/api/v1/people/${id}/export`);

    const { client: manager } = await addUser(server, a, 'manager');
    const body = { reason: '本人からの削除請求（書面）', requestedAt: '2026-11-01T10:00:00+09:00', requestReference: 'APPI-2026-007' };
    expect((await manager.post(`/api/v1/people/${id}/erase`, body)).status).toBe(403);
    expect((await a.post(`/api/v1/people/${id}/erase`, { ...body, reason: '' })).status).toBe(400);
    const res = await a.post(`/api/v1/people/${id}/erase`, body);
    expect(res.status).toBe(200);
    expect(res.body.erasedRecords).toBe(2);
    expect(res.body.request).toMatchObject({ kind: 'erasure', personId: id, reference: 'APPI-2026-007', reason: body.reason });

    const ids = [id, dup.body.id];
    const dumps = [
      ...(await q('SELECT row_to_json(p)::text AS t FROM people p WHERE workspace_id = $1 AND id = ANY($2)', [workspaceId, ids])),
      ...(await q("SELECT row_to_json(c)::text AS t FROM contact_points c WHERE workspace_id = $1 AND entity_type = 'person'", [
        workspaceId,
      ])),
      ...(await q('SELECT row_to_json(c)::text AS t FROM consents c WHERE workspace_id = $1 AND person_id = ANY($2)', [workspaceId, ids])),
      ...(await q('SELECT row_to_json(c)::text AS t FROM person_purposes c WHERE workspace_id = $1 AND person_id = ANY($2)', [
        workspaceId,
        ids,
      ])),
      ...(await q('SELECT row_to_json(e)::text AS t FROM employments e WHERE workspace_id = $1 AND person_id = ANY($2)', [
        workspaceId,
        ids,
      ])),
      ...(await q('SELECT row_to_json(l)::text AS t FROM audit_log l WHERE workspace_id = $1 AND entity_id = ANY($2)', [workspaceId, ids])),
    ].map((r) => r.t as string);
    expect(dumps.length).toBeGreaterThan(5);
    for (const s of secrets) {
      expect(
        dumps.filter((t) => t.includes(s)),
        s,
      ).toEqual([]);
    }
    expect(await q("SELECT 1 FROM contact_points WHERE workspace_id = $1 AND entity_type = 'person'", [workspaceId])).toEqual([]);
    const consents = await q('SELECT channel, status, wording FROM consents WHERE workspace_id = $1 AND person_id = ANY($2)', [
      workspaceId,
      ids,
    ]);
    expect(consents).toEqual([{ channel: 'email', status: 'granted', wording: null }]);

    const person = (await a.get(`/api/v1/people/${id}`)).body;
    expect(person).toMatchObject({ familyName: '削除済み', givenName: null, emails: [], phones: [], custom: {} });
    expect(person.deletedAt).not.toBeNull();
    expect((await a.get(`/api/v1/search?q=${encodeURIComponent('秘密')}`)).body.people).toEqual([]);

    const history = (await a.get(`/api/v1/people/${id}/history`)).body.data;
    expect(history[0].action).toBe('person.erased');
    expect(history.map((h: { action: string }) => h.action)).toEqual(expect.arrayContaining(['person.created', 'person.updated']));
    const requests = (await a.get('/api/v1/privacy-requests')).body.data;
    expect(requests.map((r: { kind: string }) => r.kind)).toEqual(['erasure', 'export']);
    expect(requests[0]).toMatchObject({ requestedAt: '2026-11-01T01:00:00.000Z', reason: body.reason });
  });

  it('logs a correction request and answers 404 for another workspace’s people everywhere', async () => {
    const { a } = await workspace();
    const other = await workspace();
    const theirs = await other.a.post('/api/v1/people', { familyName: '他社の人' });
    const tid = theirs.body.id;
    expect((await a.get(`/api/v1/people/${tid}/export`)).status).toBe(404);
    expect((await a.post(`/api/v1/people/${tid}/erase`, { reason: 'x', requestedAt: new Date().toISOString() })).status).toBe(404);
    expect((await a.get(`/api/v1/people/${tid}/purposes`)).status).toBe(404);
    expect((await a.post(`/api/v1/people/${tid}/purposes`, { purpose: 'x', status: 'agreed', method: 'other' })).status).toBe(404);
    const corr = { kind: 'correction', personId: tid, requestedAt: new Date().toISOString(), reference: 'C-1' };
    expect((await a.post('/api/v1/privacy-requests', corr)).status).toBe(404);
    expect((await other.a.get(`/api/v1/people/${tid}`)).body.familyName).toBe('他社の人');
    expect((await a.get('/api/v1/privacy-requests')).body.data).toEqual([]);

    const mine = await a.post('/api/v1/people', { familyName: '訂正' });
    const logged = await a.post('/api/v1/privacy-requests', { ...corr, personId: mine.body.id, completed: true });
    expect(logged.status).toBe(201);
    expect(logged.body).toMatchObject({ kind: 'correction', reference: 'C-1' });
    expect((await a.get(`/api/v1/privacy-requests?personId=${mine.body.id}`)).body.data).toHaveLength(1);
  });
});
