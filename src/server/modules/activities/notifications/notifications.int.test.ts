import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, makeWorkspace } from '../../../../../test/factories.js';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../../test/helpers.js';
import type { Notification } from '../../../../shared/contracts/activities.js';
import type { RunningServer } from '../../../server.js';
import { activitiesDb } from '../activities.db.js';
import { makeNotificationsConsumer } from './notifications.service.js';

let server: RunningServer;
let admin: TestClient;
let adminId: string;
let workspaceId: string;

beforeAll(async () => {
  server = await startTestServer({ listen: true });
  const ws = await createTestWorkspace(server);
  adminId = ws.adminId;
  workspaceId = ws.workspaceId;
  admin = await signIn(server, ws.adminEmail);
});
afterAll(async () => {
  await server?.stop();
});

describe('notifications', () => {
  it('notifies each mentioned teammate (not the author), and marks one and all read', async () => {
    const hanako = await addUser(server, admin, 'member', '鈴木 花子');
    const jiro = await addUser(server, admin, 'member', '佐藤 次郎');
    const p = await admin.post('/api/v1/people', { familyName: '山田', givenName: '太郎', ignoreDuplicates: true });
    const note = await admin.post('/api/v1/activities', {
      kind: 'note',
      body: '@鈴木 花子 @佐藤 次郎 見積の確認をお願いします',
      links: [{ entityType: 'person', entityId: p.body.id }],
      mentionIds: [hanako.userId, jiro.userId, adminId],
    });
    expect(note.status).toBe(201);
    const list = await waitFor(async () => {
      const res = await hanako.client.get('/api/v1/notifications');
      return res.body.data.length ? res.body : undefined;
    });
    expect(list.unreadCount).toBe(1);
    expect(list.data[0]).toMatchObject({
      kind: 'mention',
      actorId: adminId,
      link: `/people/${p.body.id}`,
      actorName: '管理 太郎',
      readAt: null,
      params: { activityKind: 'note', recordType: 'person', recordLabel: '山田 太郎' },
    });
    expect(String(list.data[0].params.snippet)).toContain('見積の確認');
    await waitFor(async () => ((await jiro.client.get('/api/v1/notifications/unread-count')).body.count === 1 ? true : undefined));
    // the author mentioned themself: no notification
    await new Promise((r) => setTimeout(r, 500));
    expect((await admin.get('/api/v1/notifications/unread-count')).body.count).toBe(0);

    // someone else's notification is not found
    expect((await jiro.client.post(`/api/v1/notifications/${list.data[0].id}/read`)).status).toBe(404);
    expect((await hanako.client.post('/api/v1/notifications/not-a-uuid/read')).status).toBe(400);
    const read = await hanako.client.post(`/api/v1/notifications/${list.data[0].id}/read`);
    expect(read.body).toEqual({ ok: true, count: 1 });
    expect((await hanako.client.get('/api/v1/notifications/unread-count')).body.count).toBe(0);
    expect((await hanako.client.get('/api/v1/notifications?unread=true')).body.data).toEqual([]);
    const all = await jiro.client.post('/api/v1/notifications/read-all');
    expect(all.body).toEqual({ ok: true, count: 1 });
  });

  it("does not notify a mentioned user who may not see the record (visibility 'own')", async () => {
    const ws = await makeWorkspace(server, { visibility: { member: 'own' } });
    const a = ws.admin.client;
    const owner = await makeUser(ws, 'member', { name: '担当 一郎' });
    const outsider = await makeUser(ws, 'member', { name: '部外 二郎' });
    const p = await a.post('/api/v1/people', { familyName: '秘密', givenName: '顧客', ownerId: owner.id, ignoreDuplicates: true });
    expect(p.status).toBe(201);
    const note = await a.post('/api/v1/activities', {
      kind: 'note',
      body: '@担当 一郎 @部外 二郎 極秘の条件',
      links: [{ entityType: 'person', entityId: p.body.id }],
      mentionIds: [owner.id, outsider.id],
    });
    expect(note.status).toBe(201);
    await waitFor(async () => ((await owner.client.get('/api/v1/notifications/unread-count')).body.count === 1 ? true : undefined));
    // the owner's notification came from the same event, so the outsider's decision has been made too
    const seen = await outsider.client.get('/api/v1/notifications');
    expect(seen.body.data).toEqual([]);
    expect(JSON.stringify(seen.body)).not.toContain('極秘');
  });

  it('creates one notification per user however often the event is delivered, and ignores users of other workspaces', async () => {
    const member = await addUser(server, admin, 'member', '重複 確認');
    const other = await createTestWorkspace(server);
    const consume = makeNotificationsConsumer(activitiesDb(server.database.db));
    const event = {
      id: '1',
      eventId: '0190f5a0-0000-7000-8000-0000000000aa',
      workspaceId,
      type: 'task.assigned',
      entityType: 'task',
      entityId: null,
      actorId: adminId,
      createdAt: new Date().toISOString(),
      payload: { notify: { userIds: [member.userId, member.userId, other.adminId], kind: 'task_assigned', params: { title: '電話する' } } },
    };
    await consume(event);
    await consume(event);
    const res = await member.client.get('/api/v1/notifications');
    expect(res.body.data.map((n: Notification) => [n.kind, n.params.title])).toEqual([['task_assigned', '電話する']]);
    const { rows } = await server.database.pool.query('SELECT count(*)::int AS n FROM notifications WHERE event_id = $1', [event.eventId]);
    expect(rows[0].n).toBe(1);
  });

  it('pushes a live change to the recipient’s event stream', async () => {
    const member = await addUser(server, admin, 'member', '通知 受信');
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/v1/realtime`, { headers: { cookie: member.client.cookie }, signal: controller.signal });
    const reader = res.body!.getReader();
    let text = '';
    const got = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        text += new TextDecoder().decode(value);
        if (text.includes('"type":"notification.created"') && text.includes(member.userId)) return true;
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    const p = await admin.post('/api/v1/people', { familyName: '通知', ignoreDuplicates: true });
    await admin.post('/api/v1/activities', {
      kind: 'note',
      body: '@通知 受信 確認',
      links: [{ entityType: 'person', entityId: p.body.id }],
      mentionIds: [member.userId],
    });
    const ok = await Promise.race([got, new Promise((r) => setTimeout(() => r(false), 8000))]);
    controller.abort();
    expect(ok).toBe(true);
  });
});
