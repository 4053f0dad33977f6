import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCompany, makePerson, makeUser, makeWorkspace } from '../../../../../test/factories.js';
import { startTestServer, type TestClient, waitFor } from '../../../../../test/helpers.js';
import type { RunningServer } from '../../../server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const search = (as: { get: (path: string) => Promise<{ body: { people: { id: string }[] } }> }, q: string) =>
  as.get(`/api/v1/search?q=${encodeURIComponent(q)}`).then((r) => r.body.people.map((p) => p.id));

/** People's and companies' names found for `q` (sorted, so the assertion does not depend on the ranking). */
async function names(as: TestClient, q: string, limit = 50) {
  const res = await as.get(`/api/v1/search?q=${encodeURIComponent(q)}&limit=${limit}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return {
    people: (res.body.people as { displayName: string }[]).map((p) => p.displayName).sort(),
    companies: (res.body.companies as { name: string }[]).map((c) => c.name).sort(),
  };
}

async function importCsv(as: TestClient, csv: string) {
  const up = await as.request('POST', '/api/v1/imports?entityType=person&filename=people.csv', csv, { 'content-type': 'text/csv' });
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  const start = await as.post(`/api/v1/imports/${up.body.id}/start`, { mapping: up.body.suggestedMapping });
  expect(start.status, JSON.stringify(start.body)).toBe(202);
  await waitFor('the import', async () => (await as.get(`/api/v1/imports/${up.body.id}`)).body.status === 'completed');
}

describe('type-ahead search and visibility', () => {
  it('finds the one match a member may see behind 2,100 hidden ones (visibility is part of the index query)', async () => {
    const ws = await makeWorkspace(server, { visibility: { member: 'own' } });
    const member = await makeUser(ws, 'member');
    // Hidden matches first, so that an index scan meets all of them before the visible one.
    await server.database.pool.query(
      `INSERT INTO people (workspace_id, id, family_name, given_name, owner_id, name_key, sort_key, search_text, search_bigrams)
       SELECT $1, crm_uuid_v7(), '埋没', '太郎' || g, $2, 'まいぼつ', 'まいぼつ', '埋没 太郎 埋没太郎', '{埋没,太郎,没太}'
         FROM generate_series(1, 2100) g`,
      [ws.id, ws.admin.id],
    );
    const mine = await makePerson(member.client, { familyName: '埋没', givenName: '太郎', ignoreDuplicates: true });

    expect(await search(member.client, '埋没')).toEqual([mine.id]);
    expect(await search(member.client, '埋没太郎')).toEqual([mine.id]);
    // The administrator sees all of them: a page of the limit.
    expect(await search(ws.admin.client, '埋没')).toHaveLength(10);
  });

  it('is not crowded out by another workspace’s matches', async () => {
    const other = await makeWorkspace(server);
    await server.database.pool.query(
      `INSERT INTO people (workspace_id, id, family_name, name_key, sort_key, search_text, search_bigrams)
       SELECT $1, crm_uuid_v7(), '雲隠', 'くもがくれ', 'くもがくれ', '雲隠', '{雲隠}' FROM generate_series(1, 2100)`,
      [other.id],
    );
    const ws = await makeWorkspace(server);
    const mine = await makePerson(ws.admin.client, { familyName: '雲隠', ignoreDuplicates: true });
    expect(await search(ws.admin.client, '雲隠')).toEqual([mine.id]);
  });
});

describe('what a search finds', () => {
  it('finds people by their company however its legal form was written, and follows a rename', async () => {
    const ws = await makeWorkspace(server);
    const as = ws.admin.client;
    const company = await makeCompany(as, { name: '株式会社大和運輸' });
    await importCsv(
      as,
      ['姓,名,会社名', '青木,一,大和運輸(株)', '石井,二,株式会社大和運輸', '上田,三,大和運輸株式会社', '江藤,四,大和製作所'].join('\r\n'),
    );
    const daiwa = { people: ['上田 三', '石井 二', '青木 一'], companies: ['株式会社大和運輸'] };
    for (const q of ['株式会社大和運輸', '(株)大和運輸', '㈱大和運輸', '大和運輸株式会社', '大和運輸'])
      expect(await names(as, q), q).toEqual(daiwa);

    const renamed = await as.patch(`/api/v1/companies/${company.id}`, { version: company.version, name: '株式会社ヤマト急便' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect((await names(as, '(株)ヤマト急便')).people).toEqual(daiwa.people);
    expect((await names(as, '大和運輸')).people).toEqual([]);
  });

  it('answers a one-character query with the names and readings that start with it', async () => {
    const ws = await makeWorkspace(server);
    const as = ws.admin.client;
    const people = [
      ['林', '一郎', 'ハヤシ', 'イチロウ'],
      ['林田', '花', 'ハヤシダ', 'ハナ'],
      ['小林', '誠', 'コバヤシ', 'マコト'],
      ['森', '優', 'モリ', 'ユウ'],
      ['東', '健', 'アズマ', 'ケン'],
      ['谷', '実', 'タニ', 'ミノル'],
    ];
    for (const [familyName, givenName, familyNameKana, givenNameKana] of people)
      await makePerson(as, { familyName, givenName, familyNameKana, givenNameKana, ignoreDuplicates: true });
    await makeCompany(as, { name: '株式会社森商店' });

    expect((await names(as, '林')).people).toEqual(['林 一郎', '林田 花']);
    expect(await names(as, '森')).toEqual({ people: ['森 優'], companies: ['株式会社森商店'] });
    expect((await names(as, '東')).people).toEqual(['東 健']);
    expect((await names(as, '谷')).people).toEqual(['谷 実']);
    // A reading's first kana, in either script or half width.
    for (const q of ['こ', 'コ', 'ｺ']) expect((await names(as, q)).people, q).toEqual(['小林 誠']);
    expect((await names(as, 'は')).people).toEqual(['林 一郎', '林田 花']);
  });
});

describe('a common surname', () => {
  it('answers a page of the names that start with it, says there are more, and ranks them before matches elsewhere', async () => {
    const ws = await makeWorkspace(server);
    const as = ws.admin.client;
    await server.database.pool.query(
      `INSERT INTO people (workspace_id, id, family_name, given_name, family_name_kana, given_name_kana, name_key, kana_key, sort_key,
                           search_text, search_bigrams)
       SELECT $1, crm_uuid_v7(), '佐藤', '太' || g, 'サトウ', 'フトシ', '佐藤太' || g, 'さとうふとし', 'さとうふとし' || g,
              '佐藤 太' || g || ' さとうふとし sato', '{佐藤,藤太}'
         FROM generate_series(1, 12) g`,
      [ws.id],
    );
    const hit = async (q: string, limit: number) => {
      const res = await as.get(`/api/v1/search?q=${encodeURIComponent(q)}&limit=${limit}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return { names: (res.body.people as { displayName: string }[]).map((p) => p.displayName), more: res.body.more.people };
    };
    for (const q of ['佐藤', 'さとう', 'ｻﾄｳ']) {
      const page = await hit(q, 10);
      expect(page.names, q).toHaveLength(10);
      expect(page.more, q).toBe(true);
    }
    expect(await hit('佐藤', 12)).toMatchObject({ more: false });
    expect((await hit('佐藤', 12)).names).toHaveLength(12);

    // 太郎丸 starts with the term, 青木 太郎 has it inside: the start comes first, though あおき sorts before たろうまる.
    await makePerson(as, { familyName: '青木', givenName: '太郎', familyNameKana: 'アオキ', givenNameKana: 'タロウ' });
    await makePerson(as, { familyName: '太郎丸', givenName: '一', familyNameKana: 'タロウマル', givenNameKana: 'ハジメ' });
    expect(await hit('太郎', 10)).toEqual({ names: ['太郎丸 一', '青木 太郎'], more: false });
  });
});

describe('the search box of a list', () => {
  it('adds a search to the view’s filter: the list, its count and a bad operator', async () => {
    const ws = await makeWorkspace(server);
    const as = ws.admin.client;
    await makeCompany(as, { name: '株式会社大和運輸' });
    await importCsv(
      as,
      [
        '姓,名,セイ,メイ,会社名,都道府県',
        '林,一,ハヤシ,ハジメ,大和運輸(株),東京都',
        '林田,二,ハヤシダ,ジ,,大阪府',
        '小林,三,コバヤシ,サン,大和運輸株式会社,大阪府',
      ].join('\r\n'),
    );
    const list = async (filter: unknown, path = 'people') => {
      const q = encodeURIComponent(JSON.stringify(filter));
      const [page, count] = await Promise.all([as.get(`/api/v1/${path}?filter=${q}`), as.get(`/api/v1/${path}/count?filter=${q}`)]);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      const names = page.body.data.map((p: { displayName?: string; name?: string }) => p.displayName ?? p.name).sort();
      expect(count.body.count).toBe(names.length);
      return names;
    };
    const search = (value: string) => ({ field: 'search', op: 'contains', value });
    expect(await list(search('林'))).toEqual(['林 一', '林田 二']);
    expect(await list(search('ﾊﾔｼ'))).toEqual(['林 一', '林田 二']);
    expect(await list(search('(株)大和運輸'))).toEqual(['小林 三', '林 一']);
    expect(await list({ and: [search('大和運輸'), { field: 'prefecture', op: 'eq', value: '大阪府' }] })).toEqual(['小林 三']);
    expect(await list(search('㈱大和'), 'companies')).toEqual(['株式会社大和運輸']);
    const bad = await as.get(`/api/v1/people?filter=${encodeURIComponent(JSON.stringify({ field: 'search', op: 'eq', value: '林' }))}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0]).toMatchObject({ path: 'search', code: 'operator_not_allowed' });
  });
});
