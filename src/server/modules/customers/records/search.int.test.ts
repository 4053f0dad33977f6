import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePerson, makeUser, makeWorkspace } from '../../../../../test/factories.js';
import { startTestServer } from '../../../../../test/helpers.js';
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
