import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../../test/helpers.js';
import type { RunningServer } from '../../../server.js';
import { customersDb } from '../../customers/customers.db.js';
import { checkRecordForDuplicates } from './duplicates.service.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

async function workspace() {
  const ws = await createTestWorkspace(server);
  return { ...ws, a: await signIn(server, ws.adminEmail) };
}

const q = async (text: string, values: unknown[] = []) => (await server.database.pool.query(text, values)).rows;

/** Every outbox event relayed and every per-record dedup job finished: the queue is as the subscriber leaves it. */
async function subscriberIdle() {
  await waitFor(async () => {
    const pending = await q('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
    const jobs = await q(
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'event.customers-dedup' AND state IN ('created', 'retry', 'active')",
    );
    return pending[0].n === 0 && jobs[0].n === 0 ? true : undefined;
  });
}

const openPairs = async (c: TestClient, entityType: 'person' | 'company') =>
  (await c.get(`/api/v1/duplicates?entityType=${entityType}`)).body.data as Array<{
    id: string;
    reasons: string[];
    a: { id: string };
    b: { id: string };
  }>;
const pairOf = (pairs: Awaited<ReturnType<typeof openPairs>>, x: string, y: string) =>
  pairs.find((p) => [p.a.id, p.b.id].sort().join() === [x, y].sort().join());

describe('duplicate review queue', () => {
  it('is filled by the event subscriber, shows both records, and a dismissed pair stays dismissed', async () => {
    const { a, workspaceId } = await workspace();
    const first = await a.post('/api/v1/people', { familyName: '佐藤', givenName: '一郎', emails: [{ address: 'sato@example.jp' }] });
    const second = await a.post('/api/v1/people', {
      familyName: 'サトウ',
      emails: [{ address: 'SATO@example.jp' }],
      ignoreDuplicates: true,
    });
    const pairs = await waitFor(async () => {
      const p = await openPairs(a, 'person');
      return p.length ? p : undefined;
    });
    expect(pairs).toHaveLength(1);
    const pair = pairs[0] as (typeof pairs)[number];
    expect(pair.reasons).toEqual(['email']);
    expect([pair.a.id, pair.b.id].sort()).toEqual([first.body.id, second.body.id].sort());
    expect(pair.a.id < pair.b.id).toBe(true);
    expect([pair.a, pair.b].map((r) => (r as unknown as { familyName: string }).familyName).sort()).toEqual(['サトウ', '佐藤'].sort());

    // The subscriber may run twice for one event: still one pair.
    const event = {
      id: '0',
      eventId: '0',
      workspaceId,
      type: 'person.created',
      entityType: 'person',
      entityId: second.body.id,
      actorId: null,
      payload: {},
      createdAt: new Date().toISOString(),
    };
    await checkRecordForDuplicates({ db: customersDb(server.database.db), event });
    await checkRecordForDuplicates({ db: customersDb(server.database.db), event });
    expect((await q('SELECT count(*)::int AS n FROM duplicate_pairs WHERE workspace_id = $1', [workspaceId]))[0].n).toBe(1);

    const dismissed = await a.post(`/api/v1/duplicates/${pair.id}/dismiss`);
    expect(dismissed.status).toBe(200);
    expect(dismissed.body.status).toBe('dismissed');
    expect(await openPairs(a, 'person')).toEqual([]);
    expect((await a.post(`/api/v1/duplicates/${pair.id}/dismiss`)).status).toBe(409);

    // Editing one of them again does not bring the dismissed pair back.
    await a.patch(`/api/v1/people/${second.body.id}`, { version: 1, givenName: '花子' });
    await subscriberIdle();
    expect(await openPairs(a, 'person')).toEqual([]);
    const list = await a.get('/api/v1/duplicates?entityType=person&status=dismissed');
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([pair.id]);
  });

  it('pages with a cursor and rejects a bad one', async () => {
    const { a } = await workspace();
    for (const n of ['1', '2', '3']) {
      await a.post('/api/v1/people', { familyName: `重複${n}`, emails: [{ address: 'shared@example.jp' }], ignoreDuplicates: true });
    }
    await waitFor(async () => ((await openPairs(a, 'person')).length === 3 ? true : undefined));
    const p1 = await a.get('/api/v1/duplicates?entityType=person&limit=2');
    expect(p1.body.data).toHaveLength(2);
    const p2 = await a.get(`/api/v1/duplicates?entityType=person&limit=2&cursor=${p1.body.nextCursor}`);
    expect(p2.body.data).toHaveLength(1);
    expect(p2.body.nextCursor).toBeNull();
    expect((await a.get('/api/v1/duplicates?entityType=person&cursor=garbage')).status).toBe(400);
    expect((await a.get('/api/v1/duplicates?entityType=deal')).status).toBe(400);
  });

  it('lists one record’s pairs with ?recordId= (either side), nothing for another workspace’s id, 400 for a bad id', async () => {
    const { a } = await workspace();
    const ids: string[] = [];
    for (const n of ['1', '2', '3']) {
      const res = await a.post('/api/v1/people', {
        familyName: `記録${n}`,
        emails: [{ address: 'record@example.jp' }],
        ignoreDuplicates: true,
      });
      ids.push(res.body.id);
    }
    const lone = await a.post('/api/v1/people', { familyName: '単独', emails: [{ address: 'lone@example.jp' }] });
    await waitFor(async () => ((await openPairs(a, 'person')).length === 3 ? true : undefined));
    for (const id of ids) {
      const res = await a.get(`/api/v1/duplicates?entityType=person&recordId=${id}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(2);
      for (const p of res.body.data) expect([p.a.id, p.b.id]).toContain(id);
    }
    const [first, second] = ids as [string, string, string];
    const page = await a.get(`/api/v1/duplicates?entityType=person&recordId=${first}&limit=1`);
    expect(page.body.data).toHaveLength(1);
    const rest = await a.get(`/api/v1/duplicates?entityType=person&recordId=${first}&limit=1&cursor=${page.body.nextCursor}`);
    expect(rest.body.data).toHaveLength(1);
    expect(rest.body.nextCursor).toBeNull();
    expect((await a.get(`/api/v1/duplicates?entityType=person&recordId=${lone.body.id}`)).body.data).toEqual([]);
    // Dismissed pairs of the record, too.
    const pair = (await a.get(`/api/v1/duplicates?entityType=person&recordId=${second}`)).body.data[0];
    await a.post(`/api/v1/duplicates/${pair.id}/dismiss`);
    expect((await a.get(`/api/v1/duplicates?entityType=person&recordId=${second}`)).body.data).toHaveLength(1);
    expect((await a.get(`/api/v1/duplicates?entityType=person&status=dismissed&recordId=${second}`)).body.data[0].id).toBe(pair.id);

    const other = await workspace();
    expect((await other.a.get(`/api/v1/duplicates?entityType=person&recordId=${first}`)).body.data).toEqual([]);
    const bad = await a.get('/api/v1/duplicates?entityType=person&recordId=not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('scans a whole workspace set-wise: 株式会社/(株) variants, email, mobile, kana + company, not 同姓同名 elsewhere', async () => {
    const { a, workspaceId } = await workspace();
    const co = async (name: string) => (await a.post('/api/v1/companies', { name, ignoreDuplicates: true })).body.id as string;
    const yamada = [await co('株式会社山田商事'), await co('山田商事(株)'), await co('㈱ 山田商事')];
    const other = await co('川村工業株式会社');
    const third = await co('合同会社ミドリ');
    const person = async (body: Record<string, unknown>) =>
      (await a.post('/api/v1/people', { ...body, ignoreDuplicates: true })).body.id as string;
    const email = [
      await person({ familyName: '佐藤', emails: [{ address: 'sato@example.jp' }] }),
      await person({ familyName: '佐藤', givenName: '次郎', emails: [{ address: 'Sato@Example.JP' }] }),
    ];
    const mobile = [
      await person({ familyName: '鈴木', phones: [{ label: 'mobile', number: '090-1111-2222' }] }),
      await person({ familyName: '鈴木', givenName: '一', phones: [{ label: 'home', number: '+81 90 1111 2222' }] }),
    ];
    const kana = [
      await person({ familyName: '斉藤', givenName: '太郎', familyNameKana: 'サイトウ', givenNameKana: 'タロウ', companyId: other }),
      await person({ familyName: '齋藤', givenName: '太朗', familyNameKana: 'ｻｲﾄｳ', givenNameKana: 'たろう', companyId: other }),
    ];
    const namesake = [
      await person({ familyName: '田中', givenName: '一郎', companyId: other }),
      await person({ familyName: '田中', givenName: '一郎', companyId: third }),
    ];
    const switchboard = [
      await person({ familyName: '受付', phones: [{ label: 'work', number: '03-5555-0000' }] }),
      await person({ familyName: '総務', phones: [{ label: 'work', number: '03-5555-0000' }] }),
    ];
    await subscriberIdle();
    await q('DELETE FROM duplicate_pairs WHERE workspace_id = $1', [workspaceId]);

    for (const entityType of ['person', 'company'] as const) {
      const scan = await a.post(`/api/v1/duplicates/scan?entityType=${entityType}`);
      expect(scan.status).toBe(202);
      const done = await waitFor(async () => {
        const s = await a.get(`/api/v1/duplicates/scans/${scan.body.id}`);
        return s.body.status === 'done' ? s.body : undefined;
      });
      expect(done.stepsDone).toBe(done.stepsTotal);
    }
    const people = await openPairs(a, 'person');
    expect(pairOf(people, email[0] as string, email[1] as string)?.reasons).toEqual(['email']);
    expect(pairOf(people, mobile[0] as string, mobile[1] as string)?.reasons).toEqual(['phone']);
    expect(pairOf(people, kana[0] as string, kana[1] as string)?.reasons).toContain('kana_company');
    expect(pairOf(people, namesake[0] as string, namesake[1] as string)).toBeUndefined();
    expect(pairOf(people, switchboard[0] as string, switchboard[1] as string)).toBeUndefined();
    expect(people).toHaveLength(3);
    const companies = await openPairs(a, 'company');
    expect(companies).toHaveLength(3);
    for (const p of companies) {
      expect(p.reasons).toEqual(['name']);
      expect(yamada).toContain(p.a.id);
      expect(yamada).toContain(p.b.id);
    }

    // A second scan finds the same pairs and adds none.
    const again = await a.post('/api/v1/duplicates/scan?entityType=person');
    const second = await waitFor(async () => {
      const s = await a.get(`/api/v1/duplicates/scans/${again.body.id}`);
      return s.body.status === 'done' ? s.body : undefined;
    });
    expect(second.pairsFound).toBe(0);
    expect(await openPairs(a, 'person')).toHaveLength(3);
  });

  it('pairs namesakes at two records of one company, and namesakes sharing a work number, on create and in a scan', async () => {
    const { a, workspaceId } = await workspace();
    const co = async (name: string) => (await a.post('/api/v1/companies', { name, ignoreDuplicates: true })).body.id as string;
    const [first, second] = [await co('株式会社サンプル商事'), await co('㈱サンプル商事')];
    const work = [{ label: 'work', number: '03-5555-0101' }];
    const taro = (await a.post('/api/v1/people', { familyName: '山田', givenName: '太郎', companyId: first, phones: work })).body.id;
    // The same person entered again under the other company record: flagged at once, for both reasons.
    const again = await a.post('/api/v1/people', { familyName: '山田', givenName: '太郎', companyId: second, phones: work });
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(again.body.error.details.candidates).toEqual([{ id: taro, reasons: expect.arrayContaining(['name_company', 'name_phone']) }]);
    // A namesake on the work number without a company, and a colleague on the switchboard with another name.
    const alone = await a.post('/api/v1/people', { familyName: '山田', givenName: '太郎', phones: work });
    expect(alone.status).toBe(409);
    expect(alone.body.error.details.candidates).toEqual([{ id: taro, reasons: ['name_phone'] }]);
    const colleague = await a.post('/api/v1/people', { familyName: '佐藤', givenName: '花子', companyId: first, phones: work });
    expect(colleague.status, JSON.stringify(colleague.body)).toBe(201);

    const twin = (
      await a.post('/api/v1/people', { familyName: '山田', givenName: '太郎', companyId: second, phones: work, ignoreDuplicates: true })
    ).body.id;
    await subscriberIdle();
    await q('DELETE FROM duplicate_pairs WHERE workspace_id = $1', [workspaceId]);
    const scan = await a.post('/api/v1/duplicates/scan?entityType=person');
    expect(scan.status).toBe(202);
    await waitFor(async () => ((await a.get(`/api/v1/duplicates/scans/${scan.body.id}`)).body.status === 'done' ? true : undefined));
    const people = await openPairs(a, 'person');
    expect(pairOf(people, taro, twin)?.reasons).toEqual(['name_company', 'name_phone']);
    expect(people).toHaveLength(1);
  });

  it('scans the imported entity type when an import completes', async () => {
    const { a, workspaceId } = await workspace();
    const x = await a.post('/api/v1/people', { familyName: '輸入', emails: [{ address: 'import@example.jp' }] });
    const y = await a.post('/api/v1/people', { familyName: '輸入', emails: [{ address: 'import@example.jp' }], ignoreDuplicates: true });
    await subscriberIdle();
    await q('DELETE FROM duplicate_pairs WHERE workspace_id = $1', [workspaceId]);
    // As the import job announces itself (import.service.ts): entityId is the import, payload the job.
    const importId = '01900000-0000-7000-8000-00000000abcd';
    await q(
      `INSERT INTO outbox (workspace_id, event_id, type, entity_type, entity_id, payload)
       VALUES ($1, gen_random_uuid(), 'import.completed', 'import', $2, $3)`,
      [workspaceId, importId, JSON.stringify({ id: importId, entityType: 'person' })],
    );
    const scan = await waitFor(async () => {
      const rows = await q("SELECT * FROM duplicate_scans WHERE workspace_id = $1 AND status = 'done'", [workspaceId]);
      return rows[0];
    });
    expect(scan).toMatchObject({ entity_type: 'person', trigger: `import:${importId}` });
    const pairs = await openPairs(a, 'person');
    expect(pairs.map((p) => [p.a.id, p.b.id].sort())).toEqual([[x.body.id, y.body.id].sort()]);
  });

  it('lets only administrators start a scan, and never shows or touches another workspace’s pairs and scans', async () => {
    const { a } = await workspace();
    const { client: m } = await addUser(server, a, 'manager');
    expect((await m.post('/api/v1/duplicates/scan?entityType=person')).status).toBe(403);

    const other = await workspace();
    await other.a.post('/api/v1/people', { familyName: '他社', emails: [{ address: 'other@example.jp' }] });
    await other.a.post('/api/v1/people', { familyName: '他社', emails: [{ address: 'other@example.jp' }], ignoreDuplicates: true });
    const theirs = await waitFor(async () => {
      const p = await openPairs(other.a, 'person');
      return p.length ? p : undefined;
    });
    const scan = await other.a.post('/api/v1/duplicates/scan?entityType=company');
    expect(await openPairs(a, 'person')).toEqual([]);
    expect((await a.post(`/api/v1/duplicates/${theirs[0]?.id}/dismiss`)).status).toBe(404);
    expect((await a.get(`/api/v1/duplicates/scans/${scan.body.id}`)).status).toBe(404);
    expect(await openPairs(other.a, 'person')).toHaveLength(1);
  });
});

describe('merging people', () => {
  it('merges field by field, moves employments, consents and contact points, and keeps both histories', async () => {
    const { a, workspaceId } = await workspace();
    const c1 = (await a.post('/api/v1/companies', { name: '株式会社一号' })).body.id;
    const c2 = (await a.post('/api/v1/companies', { name: '二号株式会社' })).body.id;
    const s = await a.post('/api/v1/people', {
      familyName: '山田',
      givenName: '太郎',
      emails: [{ address: 'taro@example.jp' }],
      companyId: c1,
      title: '部長',
      tags: ['展示会'],
    });
    const m = await a.post('/api/v1/people', {
      familyName: '山田',
      givenName: '太郎',
      familyNameKana: 'ヤマダ',
      givenNameKana: 'タロウ',
      emails: [{ address: 'yamada@home.example.jp', label: 'home' }],
      phones: [{ label: 'mobile', number: '080-1234-0000' }],
      companyId: c2,
      tags: ['VIP'],
      ignoreDuplicates: true,
    });
    await a.post(`/api/v1/people/${m.body.id}/consents`, {
      channel: 'email',
      status: 'granted',
      method: 'web_form',
      wording: '配信に同意',
    });
    await a.post(`/api/v1/people/${s.body.id}/consents`, { channel: 'dm', status: 'withdrawn', method: 'paper' });
    const mv = (await a.get(`/api/v1/people/${m.body.id}`)).body.version;
    const sv = (await a.get(`/api/v1/people/${s.body.id}`)).body.version;

    const res = await a.post('/api/v1/people/merge', {
      survivorId: s.body.id,
      mergedId: m.body.id,
      survivorVersion: sv,
      mergedVersion: mv,
      fields: { familyNameKana: 'merged', givenNameKana: 'merged', emails: 'union', phones: 'merged', tags: 'union', company: 'survivor' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: s.body.id,
      familyNameKana: 'ヤマダ',
      companyId: c1,
      title: '部長',
      emailPermission: 'granted',
      dmPermission: 'withdrawn',
    });
    expect(res.body.emails.map((e: { address: string }) => e.address)).toEqual(['taro@example.jp', 'yamada@home.example.jp']);
    expect(res.body.phones.map((p: { e164: string }) => p.e164)).toEqual(['+818012340000']);
    expect(res.body.tags.sort()).toEqual(['VIP', '展示会'].sort());

    const employments = (await a.get(`/api/v1/people/${s.body.id}/employments`)).body.data;
    expect(employments.map((e: { companyId: string; endedOn: string | null }) => [e.companyId, e.endedOn === null]).sort()).toEqual(
      [
        [c1, true],
        [c2, false],
      ].sort(),
    );
    expect((await a.get(`/api/v1/people/${s.body.id}/consents`)).body.data).toHaveLength(2);
    const points = await q('SELECT entity_id, kind, value FROM contact_points WHERE workspace_id = $1 ORDER BY value', [workspaceId]);
    expect(points.every((p) => p.entity_id === s.body.id)).toBe(true);
    expect(points.map((p) => p.value).sort()).toEqual(['+818012340000', 'taro@example.jp', 'yamada@home.example.jp']);
    expect((await a.get('/api/v1/lookup/phone?number=08012340000')).body.people.map((p: { id: string }) => p.id)).toEqual([s.body.id]);
    expect((await a.get(`/api/v1/search?q=${encodeURIComponent('やまだ')}`)).body.people.map((p: { id: string }) => p.id)).toEqual([
      s.body.id,
    ]);

    const gone = await a.get(`/api/v1/people/${m.body.id}`);
    expect(gone.body.deletedAt).not.toBeNull();
    expect((await q('SELECT merged_into FROM people WHERE workspace_id = $1 AND id = $2', [workspaceId, m.body.id]))[0].merged_into).toBe(
      s.body.id,
    );

    const sh = (await a.get(`/api/v1/people/${s.body.id}/history`)).body.data;
    expect(sh[0].action).toBe('person.merged');
    expect(sh[0].before.survivor.title).toBe('部長');
    expect(sh[0].before.merged.familyNameKana).toBe('ヤマダ');
    expect(sh[0].after.fields.emails).toBe('union');
    const mh = (await a.get(`/api/v1/people/${m.body.id}/history`)).body.data.map((h: { action: string }) => h.action);
    expect(mh).toEqual(expect.arrayContaining(['person.merged_into', 'consent.granted', 'person.created']));

    const events = await q("SELECT payload FROM outbox WHERE workspace_id = $1 AND type = 'person.merged'", [workspaceId]);
    expect(events.map((e) => [e.payload.survivorId, e.payload.mergedId])).toEqual([[s.body.id, m.body.id]]);
    const merged = await a.get('/api/v1/duplicates?entityType=person&status=merged');
    expect(merged.body.data).toHaveLength(1);
  });

  it('refuses a stale version, a self-merge, another workspace’s record and a member without delete permission', async () => {
    const { a } = await workspace();
    const x = await a.post('/api/v1/people', { familyName: '木村' });
    const y = await a.post('/api/v1/people', { familyName: '木村', ignoreDuplicates: true });
    await a.patch(`/api/v1/people/${y.body.id}`, { version: 1, title: '課長' });
    const body = { survivorId: x.body.id, mergedId: y.body.id, survivorVersion: 1, mergedVersion: 1 };
    const stale = await a.post('/api/v1/people/merge', body);
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.merged.title).toBe('課長');
    const self = await a.post('/api/v1/people/merge', { ...body, mergedId: x.body.id });
    expect(self.status).toBe(400);
    const bad = await a.post('/api/v1/people/merge', { ...body, mergedVersion: 2, fields: { familyName: 'union' } });
    expect(bad.status).toBe(400);

    const other = await workspace();
    const theirs = await other.a.post('/api/v1/people', { familyName: '他社' });
    expect((await a.post('/api/v1/people/merge', { ...body, mergedId: theirs.body.id })).status).toBe(404);
    expect((await other.a.post('/api/v1/people/merge', { ...body, survivorId: theirs.body.id, mergedVersion: 2 })).status).toBe(404);

    const { client: member } = await addUser(server, a, 'member');
    expect((await member.post('/api/v1/people/merge', { ...body, mergedVersion: 2 })).status).toBe(403);
    expect((await a.get(`/api/v1/people/${y.body.id}`)).body.deletedAt).toBeNull();
  });

  it('merges companies: people, departments, employment history and subsidiaries move to the survivor', async () => {
    const { a, workspaceId } = await workspace();
    const s = await a.post('/api/v1/companies', { name: '株式会社青空', corporateNumber: '7000012050002' });
    const m = await a.post('/api/v1/companies', { name: '青空(株)', website: 'https://aozora.example.jp', ignoreDuplicates: true });
    const child = await a.post('/api/v1/companies', { name: '青空サービス', parentId: m.body.id });
    const dept = await a.post(`/api/v1/companies/${m.body.id}/departments`, { name: '営業部' });
    const p = await a.post('/api/v1/people', { familyName: '森', companyId: m.body.id, departmentId: dept.body.id });
    const res = await a.post('/api/v1/companies/merge', {
      survivorId: s.body.id,
      mergedId: m.body.id,
      survivorVersion: 1,
      mergedVersion: 1,
      fields: { website: 'merged' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: '株式会社青空', website: 'https://aozora.example.jp', corporateNumber: '7000012050002' });
    const person = (await a.get(`/api/v1/people/${p.body.id}`)).body;
    expect(person).toMatchObject({ companyId: s.body.id, departmentId: dept.body.id });
    expect((await a.get(`/api/v1/companies/${child.body.id}`)).body.parentId).toBe(s.body.id);
    const rel = (await a.get(`/api/v1/companies/${s.body.id}/relations`)).body;
    expect(rel.departments.map((d: { name: string }) => d.name)).toEqual(['営業部']);
    expect(rel.people.map((x: { id: string }) => x.id)).toEqual([p.body.id]);
    const emp = await q('SELECT company_id FROM employments WHERE workspace_id = $1 AND person_id = $2', [workspaceId, p.body.id]);
    expect(emp.map((e) => e.company_id)).toEqual([s.body.id]);
    expect((await a.get(`/api/v1/search?q=${encodeURIComponent('青空')}`)).body.people.map((x: { id: string }) => x.id)).toEqual([
      p.body.id,
    ]);
    expect((await a.get(`/api/v1/companies/${m.body.id}`)).body.deletedAt).not.toBeNull();
  });
});
