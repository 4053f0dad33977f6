import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';

let server: RunningServer;
let admin: TestClient;

beforeAll(async () => {
  server = await startTestServer();
  const ws = await createTestWorkspace(server);
  admin = await signIn(server, ws.adminEmail);
});
afterAll(async () => {
  await server?.stop();
});

const tokyo = { field: 'prefecture', op: 'eq', value: '東京都' };
const names = (res: { body: { data: { name: string }[] } }) => res.body.data.map((v) => v.name).sort();

describe('saved views', () => {
  it('shows private views to their owner only and shared views to everyone, editable by owner or admin', async () => {
    const { client: member, userId } = await addUser(server, admin, 'member');
    const priv = await admin.post('/api/v1/views', { entityType: 'person', name: '管理者の個人ビュー', filter: tokyo, columns: ['name'] });
    expect(priv.status).toBe(201);
    expect(priv.body).toMatchObject({ shared: false, canEdit: true, filter: tokyo, version: 1 });
    const shared = await admin.post('/api/v1/views', {
      entityType: 'person',
      name: '共有: 東京',
      shared: true,
      filter: tokyo,
      sort: [{ field: 'name', dir: 'asc' }],
      columns: ['name', 'company.name', 'prefecture'],
    });
    const mine = await member.post('/api/v1/views', { entityType: 'person', name: '自分用', shared: false });

    expect(names(await member.get('/api/v1/views?entityType=person'))).toEqual(['共有: 東京', '自分用'].sort());
    expect(names(await admin.get('/api/v1/views?entityType=person'))).toEqual(['共有: 東京', '管理者の個人ビュー'].sort());
    expect((await admin.get('/api/v1/views?entityType=company')).body.data).toEqual([]);
    expect((await member.get(`/api/v1/views/${priv.body.id}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/views/${mine.body.id}`)).status).toBe(404);
    expect((await member.patch(`/api/v1/views/${priv.body.id}`, { version: 1, name: 'x' })).status).toBe(404);

    const seen = await member.get(`/api/v1/views/${shared.body.id}`);
    expect(seen.body.canEdit).toBe(false);
    expect((await member.patch(`/api/v1/views/${shared.body.id}`, { version: 1, name: '乗っ取り' })).status).toBe(403);
    expect((await member.delete(`/api/v1/views/${shared.body.id}`)).status).toBe(403);

    // The member shares a view: the administrator may change it, and a stale save is refused.
    const memberShared = await member.post('/api/v1/views', { entityType: 'person', name: '会員の共有', shared: true });
    expect(memberShared.body.ownerId).toBe(userId);
    const renamed = await admin.patch(`/api/v1/views/${memberShared.body.id}`, { version: 1, name: '会員の共有(改)' });
    expect(renamed.status).toBe(200);
    const stale = await member.patch(`/api/v1/views/${memberShared.body.id}`, { version: 1, name: '古い' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.name).toBe('会員の共有(改)');
    expect((await member.delete(`/api/v1/views/${memberShared.body.id}`)).status).toBe(200);
    expect((await member.get(`/api/v1/views/${memberShared.body.id}`)).status).toBe(404);
  });

  it('refuses a filter, sort or column the list would refuse, and accepts custom fields', async () => {
    const bad = [
      { filter: { field: 'nope', op: 'eq', value: 1 } },
      { filter: { field: 'birthday', op: 'contains', value: 'x' } },
      { filter: { field: 'birthday', op: 'eq', value: 'yesterday' } },
      { filter: { bogus: true } },
      { sort: [{ field: 'notes', dir: 'asc' }] },
      { columns: ['name', 'password'] },
      { columns: ['custom.missing'] },
    ];
    for (const b of bad) {
      const res = await admin.post('/api/v1/views', { entityType: 'person', name: '不正', ...b });
      expect(res.status, JSON.stringify(b)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    await admin.post('/api/v1/custom-fields', {
      entityType: 'person',
      key: 'rank',
      type: 'select',
      labelJa: 'ランク',
      labelEn: 'Rank',
      options: [{ value: 'a', labelJa: 'A', labelEn: 'A' }],
    });
    const ok = await admin.post('/api/v1/views', {
      entityType: 'person',
      name: 'ランクA',
      filter: { and: [{ field: 'custom.rank', op: 'eq', value: 'a' }, tokyo] },
      sort: [{ field: 'custom.rank', dir: 'desc' }],
      columns: ['name', 'custom.rank'],
    });
    expect(ok.status).toBe(201);
    const wrongOption = await admin.patch(`/api/v1/views/${ok.body.id}`, {
      version: 1,
      filter: { field: 'custom.rank', op: 'eq', value: 'z' },
    });
    expect(wrongOption.status).toBe(400);
    // A company field is not a person field.
    expect((await admin.post('/api/v1/views', { entityType: 'company', name: '会社', columns: ['familyName'] })).status).toBe(400);
    // The saved filter runs as-is on the list.
    const list = await admin.get(`/api/v1/people?filter=${encodeURIComponent(JSON.stringify(ok.body.filter))}`);
    expect(list.status).toBe(200);
  });

  it('keeps AND/OR groups and NOT in a saved view, and the list answers the nested filter', async () => {
    const ws = await createTestWorkspace(server);
    const a = await signIn(server, ws.adminEmail);
    const add = (familyName: string, prefecture: string, tags: string[], city?: string) =>
      a.post('/api/v1/people', { familyName, prefecture, tags, city, ignoreDuplicates: true });
    await add('東京VIP', '東京都', ['VIP']);
    await add('東京渋谷', '東京都', [], '渋谷区');
    await add('東京休眠', '東京都', ['VIP', '休眠']);
    await add('東京一般', '東京都', []);
    await add('大阪VIP', '大阪府', ['VIP']);
    // 東京 and (VIP or 渋谷) and not (休眠)
    const filter = {
      and: [
        tokyo,
        {
          or: [
            { field: 'tags', op: 'has_any', value: ['VIP'] },
            { field: 'city', op: 'contains', value: '渋谷' },
          ],
        },
        { not: { or: [{ field: 'tags', op: 'has_any', value: ['休眠'] }] } },
      ],
    };
    const saved = await a.post('/api/v1/views', { entityType: 'person', name: '東京の優良', filter });
    expect(saved.status).toBe(201);
    expect((await a.get(`/api/v1/views/${saved.body.id}`)).body.filter).toEqual(filter);
    const list = await a.get(`/api/v1/people?sort=familyName&filter=${encodeURIComponent(JSON.stringify(saved.body.filter))}`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { familyName: string }) => p.familyName)).toEqual(['東京VIP', '東京渋谷']);
    const count = await a.get(`/api/v1/people/count?filter=${encodeURIComponent(JSON.stringify(filter))}`);
    expect(count.body.count).toBe(2);
    // NOT over the whole filter: everyone else.
    const rest = await a.get(`/api/v1/people/count?filter=${encodeURIComponent(JSON.stringify({ not: filter }))}`);
    expect(rest.body.count).toBe(3);
  });

  it('lets a read-only user keep private views, and never shows another workspace’s', async () => {
    const { client: ro } = await addUser(server, admin, 'readonly');
    expect((await ro.post('/api/v1/views', { entityType: 'company', name: '閲覧者のビュー' })).status).toBe(201);
    const other = await createTestWorkspace(server);
    const o = await signIn(server, other.adminEmail);
    const theirs = await o.post('/api/v1/views', { entityType: 'person', name: '他社の共有', shared: true });
    expect((await admin.get(`/api/v1/views/${theirs.body.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/views/${theirs.body.id}`, { version: 1, name: 'x' })).status).toBe(404);
    expect((await admin.delete(`/api/v1/views/${theirs.body.id}`)).status).toBe(404);
    expect(names(await admin.get('/api/v1/views?entityType=person'))).not.toContain('他社の共有');
  });
});

describe('API documentation', () => {
  it('documents the duplicates, merge, views and privacy routes in the OpenAPI file', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    for (const p of [
      '/api/v1/duplicates',
      '/api/v1/duplicates/{id}/dismiss',
      '/api/v1/duplicates/scan',
      '/api/v1/people/merge',
      '/api/v1/companies/merge',
      '/api/v1/views',
      '/api/v1/views/{id}',
      '/api/v1/people/{id}/export',
      '/api/v1/people/{id}/erase',
      '/api/v1/people/{id}/purposes',
      '/api/v1/privacy-requests',
    ]) {
      expect(paths, p).toContain(p);
    }
    const merge = res.json().paths['/api/v1/people/merge'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(merge.properties)).toEqual(
      expect.arrayContaining(['survivorId', 'mergedId', 'survivorVersion', 'mergedVersion', 'fields']),
    );
  });
});
