import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCompany, makePerson, makeTeam, makeUser, makeWorkspace } from '../../../../../test/factories.js';
import { addUser, startTestServer, type TestClient, waitFor } from '../../../../../test/helpers.js';
import type { FeedEntry, TimelineEntry } from '../../../../shared/contracts/activities.js';
import type { OutboxEvent } from '../../../platform/events/outbox.js';
import { newId } from '../../../platform/ids.js';
import type { RunningServer } from '../../../server.js';
import { activitiesDb } from '../activities.db.js';
import { makeTimelineConsumer } from './timeline.consumer.js';

let server: RunningServer;
let admin: TestClient;
let workspaceId: string;
let adminId: string;

beforeAll(async () => {
  server = await startTestServer();
  const ws = await makeWorkspace(server);
  workspaceId = ws.id;
  adminId = ws.admin.id;
  admin = ws.admin.client;
});
afterAll(async () => {
  await server?.stop();
});

async function entries(client: TestClient, type: string, id: string, query = '') {
  const res = await client.get(`/api/v1/timeline/${type}/${id}${query}`);
  expect(res.status).toBe(200);
  return res.body.data as TimelineEntry[];
}

function event(partial: Partial<OutboxEvent> & { payload: Record<string, unknown> }): OutboxEvent {
  return {
    id: '1',
    eventId: newId(),
    workspaceId,
    type: 'test.happened',
    entityType: 'test',
    entityId: null,
    actorId: adminId,
    createdAt: new Date().toISOString(),
    ...partial,
  };
}

describe('timeline consumer', () => {
  it('writes one entry per linked record plus the company roll-up, and nothing more when the event is delivered twice', async () => {
    const company = await admin.post('/api/v1/companies', { name: '株式会社ロールアップ' });
    const person = await admin.post('/api/v1/people', { familyName: '田中', companyId: company.body.id, ignoreDuplicates: true });
    const consume = makeTimelineConsumer(activitiesDb(server.database.db));
    const e = event({
      type: 'task.created',
      payload: {
        timeline: {
          kind: 'task',
          links: [{ entityType: 'person', entityId: person.body.id }],
          summary: { title: '見積書を送る' },
          sourceType: 'task',
          sourceId: newId(),
        },
      },
    });
    await consume(e);
    await consume(e);
    const { rows } = await server.database.pool.query(
      'SELECT entity_type, is_primary, via_id FROM timeline_entries WHERE event_id = $1 ORDER BY entity_type',
      [e.eventId],
    );
    expect(rows).toEqual([
      { entity_type: 'company', is_primary: false, via_id: person.body.id },
      { entity_type: 'person', is_primary: true, via_id: null },
    ]);
    const onCompany = (await entries(admin, 'company', company.body.id)).find((x) => x.kind === 'task');
    expect(onCompany).toMatchObject({
      via: { entityType: 'person', entityId: person.body.id },
      summary: { title: '見積書を送る', recordLabel: '株式会社ロールアップ', viaLabel: '田中' },
    });
  });

  it('keeps every versionless fact about a source in any order, but never lets an older state replace a newer one', async () => {
    const person = await admin.post('/api/v1/people', { familyName: '順不同', ignoreDuplicates: true });
    const consume = makeTimelineConsumer(activitiesDb(server.database.db));
    const payload = (sourceId: string, title: string, version?: number) => ({
      timeline: {
        kind: 'task',
        links: [{ entityType: 'person', entityId: person.body.id }],
        summary: version === undefined ? { title } : { title, version },
        sourceType: 'task',
        sourceId,
      },
    });
    // Facts (no version), delivered in the other order than committed: both stay.
    const task = newId();
    await consume(event({ type: 'task.completed', payload: payload(task, '完了') }));
    await consume(event({ type: 'task.created', payload: payload(task, '作成') }));
    // States (versioned): version 2 arrives first, the older version 1 is dropped.
    const edited = newId();
    await consume(event({ type: 'note.updated', payload: payload(edited, '第2版', 2) }));
    await consume(event({ type: 'note.created', payload: payload(edited, '第1版', 1) }));
    const titles = (await entries(admin, 'person', person.body.id, '?kinds=task')).map((e) => e.summary.title).sort();
    expect(titles).toEqual(['作成', '完了', '第2版'].sort());
  });

  it('skips a malformed timeline payload instead of failing forever', async () => {
    const consume = makeTimelineConsumer(activitiesDb(server.database.db));
    await expect(consume(event({ payload: { timeline: { kind: '', links: 'nope' } } }))).resolves.toBeUndefined();
  });

  it('turns a person update into a change entry with the field values, on the person and their company', async () => {
    const company = await admin.post('/api/v1/companies', { name: '変更株式会社' });
    const person = await admin.post('/api/v1/people', { familyName: '佐々木', companyId: company.body.id, ignoreDuplicates: true });
    const patched = await admin.patch(`/api/v1/people/${person.body.id}`, { version: person.body.version, title: '部長' });
    expect(patched.status).toBe(200);
    const update = await waitFor(async () =>
      (await entries(admin, 'person', person.body.id)).find((x) => x.kind === 'change' && x.summary.action === 'updated'),
    );
    expect(update.summary.changes).toEqual([{ field: 'title', before: null, after: '部長' }]);
    expect(update.actorId).toBe(adminId);
    // events may be handled in any order: the creation shows up too
    await waitFor(async () => (await entries(admin, 'person', person.body.id)).find((x) => x.summary.action === 'created'));
    const rolled = await waitFor(async () =>
      (await entries(admin, 'company', company.body.id)).find((x) => x.kind === 'change' && x.summary.action === 'updated' && x.via),
    );
    expect(rolled.via).toEqual({ entityType: 'person', entityId: person.body.id });
  });

  it('keeps change values as data: a bulk tag is a tags change with the lists, a custom field is its own change', async () => {
    await admin.post('/api/v1/custom-fields', {
      entityType: 'person',
      key: 'budget',
      type: 'currency',
      labelJa: '予算',
      labelEn: 'Budget',
    });
    const person = await admin.post('/api/v1/people', { familyName: '値保持', tags: ['既存'], ignoreDuplicates: true });
    expect((await admin.post('/api/v1/people/bulk', { action: 'tag', ids: [person.body.id], tags: ['VIP'] })).status).toBe(200);
    const tagged = await waitFor(async () =>
      (await entries(admin, 'person', person.body.id)).find(
        (x) => x.kind === 'change' && (x.summary.changes as { field: string }[] | undefined)?.some((c) => c.field === 'tags'),
      ),
    );
    expect(tagged.summary.changes).toEqual([{ field: 'tags', before: ['既存'], after: ['既存', 'VIP'] }]);
    const current = await admin.get(`/api/v1/people/${person.body.id}`);
    await admin.patch(`/api/v1/people/${person.body.id}`, { version: current.body.version, custom: { budget: 120000 } });
    const budget = await waitFor(async () =>
      (await entries(admin, 'person', person.body.id)).find((x) =>
        (x.summary.changes as { field: string }[] | undefined)?.some((c) => c.field === 'custom.budget'),
      ),
    );
    expect(budget.summary.changes).toEqual([{ field: 'custom.budget', before: null, after: 120000 }]);
  });

  it('deletes a person’s entries, their roll-up copies and activities about them alone when the person is erased', async () => {
    const company = await admin.post('/api/v1/companies', { name: '消去株式会社' });
    const person = await admin.post('/api/v1/people', { familyName: '消去', companyId: company.body.id, ignoreDuplicates: true });
    const other = await admin.post('/api/v1/people', { familyName: '残る', ignoreDuplicates: true });
    const own = await admin.post('/api/v1/activities', {
      kind: 'note',
      body: '個人情報',
      links: [{ entityType: 'person', entityId: person.body.id }],
    });
    const shared = await admin.post('/api/v1/activities', {
      kind: 'meeting',
      links: [
        { entityType: 'person', entityId: person.body.id },
        { entityType: 'person', entityId: other.body.id },
      ],
      meeting: { startAt: '2026-11-01T10:00:00+09:00' },
    });
    await waitFor(async () => ((await entries(admin, 'company', company.body.id)).some((x) => x.kind === 'note') ? true : undefined));
    const erase = await admin.post(`/api/v1/people/${person.body.id}/erase`, {
      reason: '本人からの削除請求',
      requestedAt: new Date().toISOString(),
    });
    expect(erase.status).toBe(200);
    await waitFor(async () => {
      const { rows } = await server.database.pool.query(
        'SELECT count(*)::int AS n FROM timeline_entries WHERE workspace_id = $1 AND (entity_id = $2 OR via_id = $2)',
        [workspaceId, person.body.id],
      );
      return rows[0].n === 0 ? true : undefined;
    });
    expect((await admin.get(`/api/v1/activities/${own.body.id}`)).status).toBe(404);
    const kept = await admin.get(`/api/v1/activities/${shared.body.id}`);
    expect(kept.body.links).toEqual([{ entityType: 'person', entityId: other.body.id }]);
  });

  it('moves the merged person’s history and activities to the survivor', async () => {
    const survivor = await admin.post('/api/v1/people', { familyName: '統合', givenName: '先', ignoreDuplicates: true });
    const merged = await admin.post('/api/v1/people', { familyName: '統合', givenName: '元', ignoreDuplicates: true });
    const note = await admin.post('/api/v1/activities', {
      kind: 'note',
      body: '統合前のメモ',
      links: [{ entityType: 'person', entityId: merged.body.id }],
    });
    await waitFor(async () => ((await entries(admin, 'person', merged.body.id)).some((e) => e.kind === 'note') ? true : undefined));
    const res = await admin.post('/api/v1/people/merge', {
      survivorId: survivor.body.id,
      mergedId: merged.body.id,
      survivorVersion: survivor.body.version,
      mergedVersion: merged.body.version,
    });
    expect(res.status).toBe(200);
    await waitFor(async () =>
      (await entries(admin, 'person', survivor.body.id)).some((e) => e.sourceId === note.body.id) ? true : undefined,
    );
    expect((await admin.get(`/api/v1/activities/${note.body.id}`)).body.links).toEqual([
      { entityType: 'person', entityId: survivor.body.id },
    ]);
  });
});

describe('reading the timeline', () => {
  it('pages newest first with a keyset cursor, and filters by kind and by actor', async () => {
    const person = await admin.post('/api/v1/people', { familyName: '頁', ignoreDuplicates: true });
    const { userId: memberId } = await addUser(server, admin, 'member', '鈴木 一郎');
    const consume = makeTimelineConsumer(activitiesDb(server.database.db));
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 120; i++) {
      await consume(
        event({
          actorId: i % 3 === 0 ? memberId : adminId,
          payload: {
            timeline: {
              kind: i % 4 === 0 ? 'call' : 'note',
              // several entries share a time: the id breaks the tie
              occurredAt: new Date(base + Math.floor(i / 2) * 60_000).toISOString(),
              links: [{ entityType: 'person', entityId: person.body.id }],
              summary: { n: i },
            },
          },
        }),
      );
    }
    const seen: TimelineEntry[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { data: TimelineEntry[]; nextCursor: string | null } } = await admin.get(
        `/api/v1/timeline/person/${person.body.id}?kinds=call,note&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.data);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(120);
    expect(new Set(seen.map((e) => e.id)).size).toBe(120);
    const keys = seen.map((e) => `${e.occurredAt}|${e.id}`);
    expect(keys).toEqual([...keys].sort().reverse());

    const calls = await entries(admin, 'person', person.body.id, '?kinds=call&limit=200');
    expect(calls).toHaveLength(30);
    expect(calls.every((e) => e.kind === 'call')).toBe(true);
    const byMember = await entries(admin, 'person', person.body.id, `?actorId=${memberId}&limit=200`);
    expect(byMember).toHaveLength(40);
    expect(byMember.every((e) => e.actorId === memberId && e.actorName === '鈴木 一郎')).toBe(true);
  });

  it('hides the timeline and the feed entries of records a user may not see', async () => {
    const a = (await makeWorkspace(server, { visibility: { member: 'own' } })).admin.client;
    const member = await addUser(server, a, 'member', '見えない 人');
    const hidden = await a.post('/api/v1/people', { familyName: '非公開' });
    const shown = await a.post('/api/v1/people', { familyName: '公開', ownerId: member.userId });
    await a.post('/api/v1/activities', { kind: 'note', body: '非公開メモ', links: [{ entityType: 'person', entityId: hidden.body.id }] });
    await a.post('/api/v1/activities', { kind: 'note', body: '公開メモ', links: [{ entityType: 'person', entityId: shown.body.id }] });
    await waitFor(async () => ((await entries(a, 'person', hidden.body.id)).some((e) => e.kind === 'note') ? true : undefined));
    await waitFor(async () => ((await entries(a, 'person', shown.body.id)).some((e) => e.kind === 'note') ? true : undefined));

    expect((await member.client.get(`/api/v1/timeline/person/${hidden.body.id}`)).status).toBe(404);
    expect((await member.client.get(`/api/v1/timeline/person/${shown.body.id}`)).status).toBe(200);
    const feed = await member.client.get('/api/v1/feed?kinds=note');
    expect(feed.body.data.map((e: FeedEntry) => e.summary.body)).toEqual(['公開メモ']);
    expect(feed.body.data[0].entityLabel).toBe('公開');
    const adminFeed = await a.get('/api/v1/feed?kinds=note');
    expect(adminFeed.body.data.map((e: FeedEntry) => e.summary.body).sort()).toEqual(['公開メモ', '非公開メモ']);
    const noteId = (await entries(a, 'person', hidden.body.id)).find((e) => e.kind === 'note')!.sourceId;
    expect((await member.client.get(`/api/v1/activities/${noteId}`)).status).toBe(404);

    // Handing the record to the member makes its history theirs to see, in the feed too.
    const current = await a.get(`/api/v1/people/${hidden.body.id}`);
    await a.patch(`/api/v1/people/${hidden.body.id}`, { version: current.body.version, ownerId: member.userId });
    await waitFor(async () => {
      const f = await member.client.get('/api/v1/feed?kinds=note');
      return f.body.data.length === 2 ? true : undefined;
    });
  });

  it('shows on a company only the roll-ups of people the user may see', async () => {
    const a = (await makeWorkspace(server, { visibility: { member: 'own' } })).admin.client;
    const member = await addUser(server, a, 'member', '会社 担当');
    const company = await a.post('/api/v1/companies', { name: '見える株式会社', ownerId: member.userId });
    const mine = await a.post('/api/v1/people', { familyName: '担当内', companyId: company.body.id, ownerId: member.userId });
    const theirs = await a.post('/api/v1/people', { familyName: '担当外', companyId: company.body.id });
    for (const [p, body] of [
      [mine, '見えるメモ'],
      [theirs, '見えないメモ'],
    ] as const) {
      await a.post('/api/v1/activities', { kind: 'note', body, links: [{ entityType: 'person', entityId: p.body.id }] });
    }
    await waitFor(async () =>
      (await entries(a, 'company', company.body.id)).filter((e) => e.kind === 'note').length === 2 ? true : undefined,
    );
    const seen = (await entries(member.client, 'company', company.body.id)).filter((e) => e.kind === 'note');
    expect(seen.map((e) => e.summary.body)).toEqual(['見えるメモ']);
    expect(seen[0]!.summary.viaOwnerId).toBeUndefined();

    // handing the other person to the member shows their history on the company too
    const current = await a.get(`/api/v1/people/${theirs.body.id}`);
    await a.patch(`/api/v1/people/${theirs.body.id}`, { version: current.body.version, ownerId: member.userId });
    await waitFor(async () => {
      const notes = (await entries(member.client, 'company', company.body.id)).filter((e) => e.kind === 'note');
      return notes.length === 2 ? true : undefined;
    });
  });

  it("shows a manager with 'team' visibility the roll-ups of their teammates' people on a company, not an outsider's", async () => {
    const ws = await makeWorkspace(server, { visibility: { manager: 'team', member: 'own' } });
    const a = ws.admin.client;
    const manager = await makeUser(ws, 'manager', { name: 'チーム 長' });
    const mate = await makeUser(ws, 'member', { name: 'チーム 員' });
    const outsider = await makeUser(ws, 'member', { name: '部外 者' });
    await makeTeam(ws, [manager, mate]);
    const company = await makeCompany(a, { name: 'ロールアップ商事', ownerId: manager.id });
    for (const [owner, body] of [
      [mate, '同僚の顧客のメモ'],
      [outsider, '部外の顧客のメモ'],
    ] as const) {
      const person = await makePerson(a, { familyName: body.slice(0, 2), companyId: company.id, ownerId: owner.id });
      await a.post('/api/v1/activities', { kind: 'note', body, links: [{ entityType: 'person', entityId: person.id }] });
    }
    await waitFor(async () => ((await entries(a, 'company', company.id)).filter((e) => e.kind === 'note').length === 2 ? true : undefined));
    const seen = (await entries(manager.client, 'company', company.id)).filter((e) => e.kind === 'note');
    expect(seen.map((e) => e.summary.body)).toEqual(['同僚の顧客のメモ']);
  });

  it('filters the feed by member and kind, each event once', async () => {
    const a = (await makeWorkspace(server)).admin.client;
    const member = await addUser(server, a, 'member', '営業 花子');
    const company = await a.post('/api/v1/companies', { name: 'フィード商事' });
    const p = await a.post('/api/v1/people', { familyName: '顧客', companyId: company.body.id });
    await member.client.post('/api/v1/activities', {
      kind: 'call',
      body: '架電',
      links: [{ entityType: 'person', entityId: p.body.id }],
      call: { direction: 'out' },
    });
    await a.post('/api/v1/activities', { kind: 'note', body: 'メモ', links: [{ entityType: 'person', entityId: p.body.id }] });
    const calls = await waitFor(async () => {
      const f = await a.get(`/api/v1/feed?actorId=${member.userId}`);
      const data = f.body.data as FeedEntry[];
      return data.some((e) => e.kind === 'call') ? data : undefined;
    });
    // the call is on the person and rolled up to the company, but the feed shows it once
    expect(calls.filter((e) => e.kind === 'call')).toHaveLength(1);
    expect(calls.every((e) => e.actorId === member.userId)).toBe(true);
    const notes = await a.get('/api/v1/feed?kinds=note');
    expect(notes.body.data.every((e: FeedEntry) => e.kind === 'note')).toBe(true);
    expect((await a.get('/api/v1/feed?kinds=bogus')).status).toBe(400);
  });

  it('shows a deal’s entries to those the sales module lets see the deal, and names the deal in the feed', async () => {
    const w = await makeWorkspace(server, { visibility: { member: 'own' } });
    const a = w.admin.client;
    const member = await addUser(server, a, 'member', '商談 担当');
    const dealId = (await a.post('/api/v1/deals', { title: '大型案件', amount: 1_000_000 })).body.id as string;
    const consume = makeTimelineConsumer(activitiesDb(server.database.db));
    await consume({
      ...event({
        type: 'deal.created',
        payload: {
          timeline: {
            kind: 'deal',
            links: [{ entityType: 'deal', entityId: dealId, ownerId: w.admin.id, label: '大型案件' }],
            summary: { action: 'created' },
          },
        },
      }),
      workspaceId: w.id,
      actorId: w.admin.id,
    });
    const own = await a.get(`/api/v1/timeline/deal/${dealId}`);
    expect(own.body.data.some((e: TimelineEntry) => e.summary.action === 'created')).toBe(true);
    expect((await member.client.get(`/api/v1/timeline/deal/${dealId}`)).status).toBe(404);
    const feed = await a.get('/api/v1/feed?limit=5');
    expect(feed.body.data.find((e: FeedEntry) => e.entityId === dealId)?.entityLabel).toBe('大型案件');
    // a deal that does not exist is not found, like one the caller may not see
    expect((await member.client.get(`/api/v1/timeline/deal/${newId()}`)).status).toBe(404);
  });
});
