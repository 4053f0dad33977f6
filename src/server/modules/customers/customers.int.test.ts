import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient, tokenClient } from '../../../../test/helpers.js';
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

const yamada = {
  familyName: '山田',
  givenName: '太郎',
  familyNameKana: 'ヤマダ',
  givenNameKana: 'タロウ',
  emails: [{ label: 'work', address: 'Taro.Yamada@Example.co.jp' }],
  phones: [{ label: 'mobile', number: '０９０−１２３４−５６７８' }],
  postalCode: '１００−０００１',
  prefecture: '東京都',
  city: '千代田区',
  town: '千代田',
  birthday: '1985-04-01',
};

describe('people', () => {
  it('creates a person with normalised contacts and reads it back', async () => {
    const res = await admin.post('/api/v1/people', yamada);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      displayName: '山田 太郎',
      familyNameKana: 'ヤマダ',
      postalCode: '100-0001',
      phones: [{ label: 'mobile', number: '090-1234-5678', e164: '+819012345678' }],
      birthday: '1985-04-01',
      version: 1,
    });
    const read = await admin.get(`/api/v1/people/${res.body.id}`);
    expect(read.body.emails[0].address).toBe('Taro.Yamada@Example.co.jp');
  });

  it('warns about a likely duplicate by email, then creates it when told to', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const first = await a.post('/api/v1/people', { familyName: '佐藤', emails: [{ address: 'sato@example.jp' }] });
    const dup = await a.post('/api/v1/people', { familyName: 'サトウ', emails: [{ address: ' SATO@EXAMPLE.JP ' }] });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('duplicate_suspected');
    expect(dup.body.error.details.candidates).toEqual([{ id: first.body.id, reasons: ['email'] }]);
    const forced = await a.post('/api/v1/people', {
      familyName: 'サトウ',
      emails: [{ address: 'sato@example.jp' }],
      ignoreDuplicates: true,
    });
    expect(forced.status).toBe(201);
  });

  it('finds people by two kanji, half-width kana, hiragana, romaji, email and phone digits', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const p = await a.post('/api/v1/people', yamada);
    await a.post('/api/v1/people', { familyName: '田中', givenName: '花子', familyNameKana: 'タナカ', givenNameKana: 'ハナコ' });
    for (const q of [
      '山田',
      'ﾔﾏﾀﾞ',
      'やまだ',
      'ヤマダタロウ',
      'yamada',
      'taro.yamada@example',
      '1234-5678',
      '09012345678',
      '０９０１２３４',
    ]) {
      const res = await a.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(
        res.body.people.map((x: { id: string }) => x.id),
        q,
      ).toEqual([p.body.id]);
    }
    // One character matches the start of a name (山田), not a character inside one (田中 has no 山).
    expect((await a.get(`/api/v1/search?q=${encodeURIComponent('山')}`)).body.people.map((x: { id: string }) => x.id)).toEqual([p.body.id]);
  });

  it('runs on a database whose character type lets pg_trgm index kanji and kana', async () => {
    // Under a plain C ctype pg_trgm extracts no trigram from Japanese text and every search walks the whole index.
    const { rows } = await server.database.pool.query("SELECT cardinality(show_trgm('山田太郎やまだ')) AS n");
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('can answer a two-character term from the bigram index, not a table scan', async () => {
    const client = await server.database.pool.connect();
    try {
      // Tiny test tables make a scan cheaper; forbid it to see which index can serve the term.
      await client.query('SET enable_seqscan = off');
      const plan = await client.query("EXPLAIN SELECT id FROM people r WHERE r.search_bigrams @> ARRAY['やま']::text[]");
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Bitmap Index Scan on people_bigrams/);
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });

  it('looks a caller up from a phone number in any format', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const p = await a.post('/api/v1/people', { familyName: '鈴木', phones: [{ label: 'work', number: '03-1234-5678' }] });
    for (const n of ['+81312345678', '(03)1234-5678', '０３１２３４５６７８']) {
      const res = await a.get(`/api/v1/lookup/phone?number=${encodeURIComponent(n)}`);
      expect(res.body.people.map((x: { id: string }) => x.id)).toEqual([p.body.id]);
    }
    const none = await a.get('/api/v1/lookup/phone?number=abc');
    expect(none.body).toEqual({ e164: null, people: [], companies: [] });
  });

  it('refuses a stale save with the current record, so nothing is silently overwritten', async () => {
    const p = await admin.post('/api/v1/people', { familyName: '高橋', ignoreDuplicates: true });
    const first = await admin.patch(`/api/v1/people/${p.body.id}`, { version: 1, title: '部長' });
    expect(first.status).toBe(200);
    const stale = await admin.patch(`/api/v1/people/${p.body.id}`, { version: 1, title: '課長' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.title).toBe('部長');
  });

  it('keeps employment history when a person changes company', async () => {
    const c1 = await admin.post('/api/v1/companies', { name: '株式会社旧社' });
    const c2 = await admin.post('/api/v1/companies', { name: '新社株式会社' });
    const p = await admin.post('/api/v1/people', { familyName: '伊藤', companyId: c1.body.id, title: '主任', ignoreDuplicates: true });
    await admin.patch(`/api/v1/people/${p.body.id}`, { version: 1, companyId: c2.body.id, title: '課長' });
    const hist = await admin.get(`/api/v1/people/${p.body.id}/employments`);
    expect(hist.body.data.map((e: { companyName: string; endedOn: string | null }) => [e.companyName, e.endedOn === null])).toEqual(
      expect.arrayContaining([
        ['株式会社旧社', false],
        ['新社株式会社', true],
      ]),
    );
  });

  it('records consent with how and what wording, and the permission follows it', async () => {
    const p = await admin.post('/api/v1/people', { familyName: '渡辺', ignoreDuplicates: true });
    const c = await admin.post(`/api/v1/people/${p.body.id}/consents`, {
      channel: 'email',
      status: 'granted',
      method: 'web_form',
      wording: 'メールマガジンの配信に同意します',
    });
    expect(c.status).toBe(201);
    expect((await admin.get(`/api/v1/people/${p.body.id}`)).body.emailPermission).toBe('granted');
    await admin.post(`/api/v1/people/${p.body.id}/consents`, { channel: 'email', status: 'withdrawn', method: 'email' });
    expect((await admin.get(`/api/v1/people/${p.body.id}`)).body.emailPermission).toBe('withdrawn');
    expect((await admin.get(`/api/v1/people/${p.body.id}/consents`)).body.data).toHaveLength(2);
  });

  it('moves a deleted person to the trash and restores it', async () => {
    const p = await admin.post('/api/v1/people', { familyName: '小林', ignoreDuplicates: true });
    expect((await admin.delete(`/api/v1/people/${p.body.id}`)).status).toBe(200);
    const live = await admin.get(
      `/api/v1/people?filter=${encodeURIComponent(JSON.stringify({ field: 'id', op: 'eq', value: p.body.id }))}`,
    );
    expect(live.body.data).toHaveLength(0);
    const trash = await admin.get(
      `/api/v1/people?trash=true&filter=${encodeURIComponent(JSON.stringify({ field: 'id', op: 'eq', value: p.body.id }))}`,
    );
    expect(trash.body.data).toHaveLength(1);
    expect((await admin.post(`/api/v1/people/${p.body.id}/restore`)).status).toBe(200);
    expect((await admin.get(`/api/v1/people/${p.body.id}`)).body.deletedAt).toBeNull();
  });

  it('shows the history of changes with before and after', async () => {
    const p = await admin.post('/api/v1/people', { familyName: '加藤', ignoreDuplicates: true });
    await admin.patch(`/api/v1/people/${p.body.id}`, { version: 1, givenName: '一郎' });
    const h = await admin.get(`/api/v1/people/${p.body.id}/history`);
    expect(h.body.data.map((e: { action: string }) => e.action)).toEqual(['person.updated', 'person.created']);
    expect(h.body.data[0].after.givenName).toBe('一郎');
  });
});

describe('list views', () => {
  it('filters, sorts by reading and pages with a cursor', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const names = [
      ['渡辺', 'ワタナベ', '大阪府'],
      ['相沢', 'アイザワ', '東京都'],
      ['上田', 'ウエダ', '東京都'],
      ['伊藤', 'イトウ', '東京都'],
      ['岡田', 'オカダ', '東京都'],
    ];
    for (const [f, k, pref] of names) await a.post('/api/v1/people', { familyName: f, familyNameKana: k, prefecture: pref, tags: ['vip'] });
    const filter = encodeURIComponent(
      JSON.stringify({
        and: [
          { field: 'prefecture', op: 'eq', value: '東京都' },
          { field: 'tags', op: 'has_any', value: ['vip'] },
        ],
      }),
    );
    const p1 = await a.get(`/api/v1/people?filter=${filter}&sort=name&limit=2`);
    expect(p1.body.data.map((p: { familyName: string }) => p.familyName)).toEqual(['相沢', '伊藤']);
    const p2 = await a.get(`/api/v1/people?filter=${filter}&sort=name&limit=2&cursor=${p1.body.nextCursor}`);
    expect(p2.body.data.map((p: { familyName: string }) => p.familyName)).toEqual(['上田', '岡田']);
    expect(p2.body.nextCursor).toBeNull();
    const desc = await a.get(`/api/v1/people?filter=${filter}&sort=-name&limit=10`);
    expect(desc.body.data.map((p: { familyName: string }) => p.familyName)).toEqual(['岡田', '上田', '伊藤', '相沢']);
    expect((await a.get(`/api/v1/people/count?filter=${filter}`)).body.count).toBe(4);
  });

  it('compares text as search does: width, katakana/hiragana, case and hyphens do not matter', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const made = await a.post('/api/v1/people', {
      familyName: '山田',
      familyNameKana: 'ヤマダ',
      emails: [{ address: 'Taro.Yamada@Example.jp' }],
      phones: [{ label: 'work', number: '03-3337-1234' }],
      city: '渋谷区',
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await a.post('/api/v1/people', { familyName: '佐藤', familyNameKana: 'サトウ', phones: [{ label: 'work', number: '06-1234-5678' }] });
    const found = async (field: string, op: string, value: string) => {
      const filter = encodeURIComponent(JSON.stringify({ field, op, value }));
      const res = await a.get(`/api/v1/people?filter=${filter}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data.map((p: { familyName: string }) => p.familyName).sort();
    };
    for (const v of ['ﾔﾏﾀﾞ', 'やまだ', 'ヤマダ', 'ﾔﾏ'])
      expect(await found('familyNameKana', 'contains', v), `familyNameKana contains ${v}`).toEqual(['山田']);
    expect(await found('familyNameKana', 'starts_with', 'やま')).toEqual(['山田']);
    expect(await found('familyNameKana', 'ends_with', 'ﾀﾞ')).toEqual(['山田']);
    expect(await found('familyNameKana', 'not_contains', 'ｻﾄ')).toEqual(['山田']);
    for (const v of ['０３－３３３７', '0333371234', '03 3337', '３３３７－１２３４'])
      expect(await found('phone', 'contains', v), `phone contains ${v}`).toEqual(['山田']);
    expect(await found('email', 'contains', 'ＴＡＲＯ．ＹＡＭＡＤＡ')).toEqual(['山田']);
    expect(await found('city', 'contains', '渋谷')).toEqual(['山田']);
    // LIKE's wildcards are plain characters.
    expect(await found('familyNameKana', 'contains', '%')).toEqual([]);
    expect(await found('familyNameKana', 'contains', '＿')).toEqual([]);
  });

  it('filters and sorts on custom fields and related company fields', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const field = await a.post('/api/v1/custom-fields', {
      entityType: 'person',
      key: 'rank',
      type: 'select',
      labelJa: 'ランク',
      labelEn: 'Rank',
      options: [
        { value: 'a', labelJa: 'A', labelEn: 'A' },
        { value: 'b', labelJa: 'B', labelEn: 'B' },
      ],
    });
    expect(field.status).toBe(201);
    await a.post('/api/v1/custom-fields', { entityType: 'person', key: 'score', type: 'number', labelJa: 'スコア', labelEn: 'Score' });
    const co = await a.post('/api/v1/companies', { name: '株式会社ABC', industry: '製造業' });
    await a.post('/api/v1/people', { familyName: '一', custom: { rank: 'a', score: 10 }, companyId: co.body.id });
    await a.post('/api/v1/people', { familyName: '二', custom: { rank: 'a', score: 30 } });
    await a.post('/api/v1/people', { familyName: '三', custom: { rank: 'b', score: 20 } });
    const bad = await a.post('/api/v1/people', { familyName: '四', custom: { rank: 'z' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0]).toMatchObject({ path: 'custom.rank', code: 'not_an_option' });
    const f = encodeURIComponent(JSON.stringify({ field: 'custom.rank', op: 'eq', value: 'a' }));
    const res = await a.get(`/api/v1/people?filter=${f}&sort=-custom.score`);
    expect(res.body.data.map((p: { familyName: string }) => p.familyName)).toEqual(['二', '一']);
    const byCompany = encodeURIComponent(JSON.stringify({ field: 'company.industry', op: 'eq', value: '製造業' }));
    expect((await a.get(`/api/v1/people?filter=${byCompany}`)).body.data.map((p: { familyName: string }) => p.familyName)).toEqual(['一']);
  });

  it('rejects a bad filter with a 400 naming the problem', async () => {
    for (const f of [
      '{"field":"nope","op":"eq","value":1}',
      '{"field":"birthday","op":"contains","value":"x"}',
      'not json',
      '{"field":"birthday","op":"eq","value":"yesterday"}',
    ]) {
      const res = await admin.get(`/api/v1/people?filter=${encodeURIComponent(f)}`);
      expect(res.status, f).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await admin.get('/api/v1/people?cursor=garbage')).status).toBe(400);
    expect((await admin.get('/api/v1/people?sort=notes')).status).toBe(400);
  });

  it('applies bulk tag and assign to visible records only', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const ids = [];
    for (const n of ['甲', '乙']) ids.push((await a.post('/api/v1/people', { familyName: n })).body.id);
    const tagged = await a.post('/api/v1/people/bulk', { action: 'tag', ids, tags: ['展示会2026'] });
    expect(tagged.body.count).toBe(2);
    const f = encodeURIComponent(JSON.stringify({ field: 'tags', op: 'has_all', value: ['展示会2026'] }));
    expect((await a.get(`/api/v1/people/count?filter=${f}`)).body.count).toBe(2);
  });
});

describe('companies', () => {
  it('spots 株式会社/(株)/㈱ variants as the same company', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const first = await a.post('/api/v1/companies', { name: '株式会社山田商事' });
    for (const name of ['山田商事(株)', '㈱山田商事', `${'ヤマダ商事'.replace('ヤマダ', '山田')}（株）`, '山田商事 株式会社']) {
      const dup = await a.post('/api/v1/companies', { name });
      expect(dup.status, name).toBe(409);
      expect(dup.body.error.details.candidates[0].id).toBe(first.body.id);
    }
  });

  it('validates the 法人番号 check digit', async () => {
    const ok = await admin.post('/api/v1/companies', { name: '国税庁', corporateNumber: '7000012050002' });
    expect(ok.status).toBe(201);
    const bad = await admin.post('/api/v1/companies', { name: '架空', corporateNumber: '1000012050002' });
    expect(bad.status).toBe(400);
  });

  it('keeps a parent company from becoming its own ancestor and lists people and departments', async () => {
    const parent = await admin.post('/api/v1/companies', { name: '親会社ホールディングス' });
    const child = await admin.post('/api/v1/companies', { name: '子会社サービス', parentId: parent.body.id });
    const cycle = await admin.patch(`/api/v1/companies/${parent.body.id}`, { version: 1, parentId: child.body.id });
    expect(cycle.status).toBe(400);
    const dept = await admin.post(`/api/v1/companies/${child.body.id}/departments`, { name: '営業部' });
    await admin.post('/api/v1/people', {
      familyName: '社員',
      companyId: child.body.id,
      departmentId: dept.body.id,
      ignoreDuplicates: true,
    });
    const rel = await admin.get(`/api/v1/companies/${child.body.id}/relations`);
    expect(rel.body.people.map((p: { familyName: string }) => p.familyName)).toEqual(['社員']);
    expect(rel.body.departments.map((d: { name: string }) => d.name)).toEqual(['営業部']);
    const up = await admin.get(`/api/v1/companies/${parent.body.id}/relations`);
    expect(up.body.subsidiaries.map((c: { name: string }) => c.name)).toEqual(['子会社サービス']);
  });

  it('finds people by their company name, also after a rename', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const co = await a.post('/api/v1/companies', { name: '株式会社ことぶき' });
    const p = await a.post('/api/v1/people', { familyName: '中村', companyId: co.body.id });
    await a.patch(`/api/v1/companies/${co.body.id}`, { version: 1, name: '株式会社さくら' });
    const res = await a.get(`/api/v1/search?q=${encodeURIComponent('さくら')}`);
    expect(res.body.people.map((x: { id: string }) => x.id)).toEqual([p.body.id]);
  });
});

describe('postal codes', () => {
  it('fills prefecture, city and town from a postal code in any width', async () => {
    const res = await admin.get(`/api/v1/postal-codes/${encodeURIComponent('１００−０００１')}`);
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({ prefecture: '東京都', city: '千代田区', town: '千代田' });
  });
});

describe('permissions and isolation', () => {
  it('lets read-only users read but not write, and API tokens follow their scopes', async () => {
    const { client: ro } = await addUser(server, admin, 'readonly');
    expect((await ro.get('/api/v1/people')).status).toBe(200);
    expect((await ro.post('/api/v1/people', { familyName: '不可' })).status).toBe(403);
    const { client: member } = await addUser(server, admin, 'member');
    const p = await member.post('/api/v1/people', { familyName: '会員作成', ignoreDuplicates: true });
    expect((await member.delete(`/api/v1/people/${p.body.id}`)).status).toBe(403);
    expect((await member.post('/api/v1/people/bulk', { action: 'delete', ids: [p.body.id] })).status).toBe(403);
    const tok = await admin.post('/api/v1/tokens', { name: 'EC連携', scopes: ['read', 'write'] });
    const api = tokenClient(server, tok.body.token);
    expect((await api.post('/api/v1/people', { familyName: 'API経由', ignoreDuplicates: true })).status).toBe(201);
  });

  it('hides other owners’ records from a member whose visibility is own', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const ws = await a.get('/api/v1/workspace');
    await a.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own' } });
    const { client: m } = await addUser(server, a, 'member');
    const hidden = await a.post('/api/v1/people', { familyName: '管理者の顧客' });
    const mine = await m.post('/api/v1/people', { familyName: '自分の顧客' });
    const list = await m.get('/api/v1/people');
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([mine.body.id]);
    expect((await m.get(`/api/v1/people/${hidden.body.id}`)).status).toBe(404);
    expect((await m.get(`/api/v1/search?q=${encodeURIComponent('管理者')}`)).body.people).toEqual([]);
  });

  it('finds the one visible caller behind a number that 60 hidden people share (the lookup filters in the query)', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const ws = await a.get('/api/v1/workspace');
    await a.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own' } });
    const { client: m } = await addUser(server, a, 'member');
    const phones = [{ label: 'mobile', number: '090-7777-0001' }];
    for (let i = 0; i < 60; i++)
      await a.post('/api/v1/people', { familyName: '共有番号', givenName: `${i}`, phones, ignoreDuplicates: true });
    const mine = await m.post('/api/v1/people', { familyName: '見える人', phones, ignoreDuplicates: true });
    const res = await m.get('/api/v1/lookup/phone?number=09077770001');
    expect(res.body.people.map((p: { id: string }) => p.id)).toEqual([mine.body.id]);
    expect((await a.get('/api/v1/lookup/phone?number=09077770001')).body.people).toHaveLength(50);
  });

  it('shows a member only the people of a company they may see, whoever else works there', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const ws = await a.get('/api/v1/workspace');
    await a.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own' } });
    const { client: m } = await addUser(server, a, 'member');
    const co = await m.post('/api/v1/companies', { name: '共有商事' });
    await a.post('/api/v1/people', { familyName: '管理者側', companyId: co.body.id });
    const mine = await m.post('/api/v1/people', { familyName: '会員側', companyId: co.body.id });
    const rel = await m.get(`/api/v1/companies/${co.body.id}/relations`);
    expect(rel.body.people.map((p: { id: string }) => p.id)).toEqual([mine.body.id]);
  });

  it('lets a member with team visibility open what a teammate owns, as the list shows it', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const ws = await a.get('/api/v1/workspace');
    await a.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'team' } });
    const one = await addUser(server, a, 'member', '一 郎');
    const two = await addUser(server, a, 'member', '二 郎');
    const outsider = await addUser(server, a, 'member', '三 郎');
    await a.post('/api/v1/teams', { name: '営業', memberIds: [one.userId, two.userId] });
    const theirs = await two.client.post('/api/v1/people', { familyName: 'チーム顧客' });
    const me = await signIn(server, one.email);
    expect((await me.get('/api/v1/people')).body.data.map((p: { id: string }) => p.id)).toContain(theirs.body.id);
    expect((await me.get(`/api/v1/people/${theirs.body.id}`)).status).toBe(200);
    expect((await outsider.client.get(`/api/v1/people/${theirs.body.id}`)).status).toBe(404);
  });

  it('never reads or changes another workspace’s people or companies', async () => {
    const other = await createTestWorkspace(server);
    const o = await signIn(server, other.adminEmail);
    const theirs = await o.post('/api/v1/people', { familyName: '他社顧客', phones: [{ label: 'mobile', number: '080-9999-0000' }] });
    const theirCo = await o.post('/api/v1/companies', { name: '他社株式会社' });
    expect((await admin.get(`/api/v1/people/${theirs.body.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/people/${theirs.body.id}`, { version: 1, familyName: 'x' })).status).toBe(404);
    expect((await admin.delete(`/api/v1/people/${theirs.body.id}`)).status).toBe(404);
    expect((await admin.post('/api/v1/people/bulk', { action: 'tag', ids: [theirs.body.id], tags: ['x'] })).status).toBe(404);
    expect((await admin.get(`/api/v1/companies/${theirCo.body.id}`)).status).toBe(404);
    expect((await admin.post('/api/v1/people', { familyName: 'x', companyId: theirCo.body.id })).status).toBe(400);
    expect((await admin.get('/api/v1/lookup/phone?number=080-9999-0000')).body.people).toEqual([]);
    expect((await admin.get(`/api/v1/search?q=${encodeURIComponent('他社')}`)).body.people).toEqual([]);
  });
});

describe('bad input', () => {
  it('answers bad fields with 400 naming each one, and changes nothing', async () => {
    const before = (await admin.get('/api/v1/people/count')).body.count;
    const cases = [
      { familyName: '' },
      { familyName: 'x', emails: [{ address: 'not-an-email' }] },
      { familyName: 'x', phones: [{ number: '12' }] },
      { familyName: 'x', postalCode: '12-34' },
      { familyName: 'x', birthday: '2999-01-01' },
      { familyName: 'x', familyNameKana: '山田' },
      { familyName: 'x', custom: { nope: 1 } },
      { familyName: 'x', ownerId: '01890000-0000-7000-8000-000000000000' },
    ];
    for (const body of cases) {
      const res = await admin.post('/api/v1/people', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.issues.length).toBeGreaterThan(0);
    }
    expect((await admin.get('/api/v1/people/count')).body.count).toBe(before);
  });
});

describe('bulk changes by filter', () => {
  it('tags and deletes every visible match of a filter, refuses ids with a filter, and more than 5,000 matches', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const ws = await a.get('/api/v1/workspace');
    await a.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own' } });
    const { client: m } = await addUser(server, a, 'member');
    for (const n of ['一', '二', '三'])
      await m.post('/api/v1/people', { familyName: '一括', givenName: n, city: '札幌市', ignoreDuplicates: true });
    await a.post('/api/v1/people', { familyName: '一括', givenName: '管理者', city: '札幌市', ignoreDuplicates: true });
    await m.post('/api/v1/people', { familyName: '別', city: '函館市' });
    const sapporo = { field: 'city', op: 'eq', value: '札幌市' };

    // The member sees three of the four in 札幌市: only those are tagged.
    const tagged = await m.post('/api/v1/people/bulk', { action: 'tag', filter: sapporo, tags: ['北海道'] });
    expect(tagged.status).toBe(200);
    expect(tagged.body.count).toBe(3);
    const f = (x: unknown) => encodeURIComponent(JSON.stringify(x));
    expect((await a.get(`/api/v1/people/count?filter=${f({ field: 'tags', op: 'has_any', value: ['北海道'] })}`)).body.count).toBe(3);
    const history = await a.get(`/api/v1/audit?action=person.bulk_tag`);
    expect(history.body.data).toHaveLength(3);

    for (const bad of [
      { action: 'tag', tags: ['x'] },
      { action: 'tag', tags: ['x'], ids: [w.workspaceId], filter: sapporo },
      { action: 'tag', tags: ['x'], filter: { field: 'nope', op: 'eq', value: 1 } },
    ]) {
      const res = await a.post('/api/v1/people/bulk', bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect(
      (await a.post('/api/v1/people/bulk', { action: 'tag', tags: ['x'], filter: { field: 'city', op: 'eq', value: '那覇市' } })).status,
    ).toBe(404);

    const deleted = await a.post('/api/v1/people/bulk', { action: 'delete', filter: sapporo });
    expect(deleted.body.count).toBe(4);
    expect((await a.get(`/api/v1/people/count?filter=${f(sapporo)}`)).body.count).toBe(0);
    expect((await a.get(`/api/v1/people/count?trash=true&filter=${f(sapporo)}`)).body.count).toBe(4);

    // Over the limit: refused before anything changes.
    await server.database.pool.query(
      `INSERT INTO people (workspace_id, id, family_name, name_key, sort_key, search_text, search_bigrams, city)
       SELECT $1, gen_random_uuid(), '大量', 'たいりょう', 'たいりょう', '大量', '{}', '大量市' FROM generate_series(1, 5001)`,
      [w.workspaceId],
    );
    const many = await a.post('/api/v1/people/bulk', { action: 'tag', filter: { field: 'city', op: 'eq', value: '大量市' }, tags: ['x'] });
    expect(many.status).toBe(400);
    expect(many.body.error.details.issues[0]).toMatchObject({ path: 'filter', code: 'too_many_records', max: 5000 });
    expect((await a.get(`/api/v1/people/count?filter=${f({ field: 'tags', op: 'has_any', value: ['x'] })}`)).body.count).toBe(0);
  });
});

describe('bulk changes on companies', () => {
  it('refuses an owner from outside the workspace', async () => {
    const co = await admin.post('/api/v1/companies', { name: '一括テスト商会' });
    const res = await admin.post('/api/v1/companies/bulk', {
      action: 'assign',
      ids: [co.body.id],
      ownerId: '01890000-0000-7000-8000-000000000000',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toBe('ownerId');
  });
});

describe('trash and merges', () => {
  it('keeps a merged person in the trash', async () => {
    const s = await admin.post('/api/v1/people', { familyName: '統合先', ignoreDuplicates: true });
    const m = await admin.post('/api/v1/people', { familyName: '統合元', ignoreDuplicates: true });
    const merged = await admin.post('/api/v1/people/merge', {
      survivorId: s.body.id,
      mergedId: m.body.id,
      survivorVersion: 1,
      mergedVersion: 1,
      fields: {},
    });
    expect(merged.status).toBe(200);
    expect((await admin.post(`/api/v1/people/${m.body.id}/restore`)).status).toBe(404);
  });
});
