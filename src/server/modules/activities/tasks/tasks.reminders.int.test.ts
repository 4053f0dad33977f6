import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addUser,
  createTestDatabase,
  createTestWorkspace,
  signIn,
  startTestServer,
  testConfig,
  waitFor,
} from '../../../../../test/helpers.js';
import type { RunningServer } from '../../../server.js';
import { activitiesDb } from '../../activities/activities.db.js';
import { runDigests } from './digest.service.js';
import { configureSmtp, type SmtpSink, startSmtpSink } from './tasks.test-support.js';
import { addDays, localDate, zonedInstant } from './tasks.time.js';

const TZ = 'Asia/Tokyo';
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink?.close();
});

describe('a reminder due while the server was stopped', () => {
  it('fires after the server starts again on the same database: notification row and e-mail', async () => {
    const databaseUrl = await createTestDatabase();
    let server: RunningServer | undefined = await startTestServer({ databaseUrl });
    let taskId: string;
    let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
    try {
      ws = await createTestWorkspace(server);
      await configureSmtp(server, ws.workspaceId, sink.port);
      const admin = await signIn(server, ws.adminEmail);
      const remindAt = new Date(Date.now() + 3_000);
      const res = await admin.post('/api/v1/tasks', { title: '再起動後のリマインダー', remindAt: remindAt.toISOString() });
      expect(res.status).toBe(201);
      taskId = res.body.id;
    } finally {
      await server.stop();
      server = undefined;
    }
    // Down past the reminder time: nothing can have fired it.
    await new Promise((r) => setTimeout(r, 4_500));
    expect(sink.messages.filter((m) => m.subject.includes('再起動後のリマインダー'))).toHaveLength(0);

    server = await startTestServer({ databaseUrl });
    try {
      const db = activitiesDb(server.database.db);
      const notification = await waitFor('the notification row', async () => {
        const { rows } = await sql<{
          kind: string;
          params: Record<string, unknown>;
          link: string;
        }>`SELECT kind, params, link FROM notifications
          WHERE workspace_id = ${ws.workspaceId} AND user_id = ${ws.adminId} AND kind = 'task_reminder'`.execute(db);
        return rows[0];
      });
      expect(notification).toMatchObject({ params: { title: '再起動後のリマインダー' }, link: `/tasks?task=${taskId}` });
      const mail = await sink.waitFor((m) => m.subject === 'リマインダー: 再起動後のリマインダー');
      expect(mail.to).toBe(ws.adminEmail);
      const admin = await signIn(server, ws.adminEmail);
      expect((await admin.get(`/api/v1/tasks/${taskId}`)).body.remindedAt).toBeTruthy();
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe('daily digest', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('sends one mail a day, after the user’s hour in their time zone, with overdue and today’s tasks and unread notifications', async () => {
    const ws = await createTestWorkspace(server);
    await configureSmtp(server, ws.workspaceId, sink.port);
    const admin = await signIn(server, ws.adminEmail);
    const day = addDays(localDate(new Date(), TZ), 3);
    await admin.post('/api/v1/tasks', { title: '前日のタスク', dueAt: zonedInstant(addDays(day, -1), '15:00', TZ).toISOString() });
    await admin.post('/api/v1/tasks', { title: '当日のタスク', dueAt: zonedInstant(day, '23:30', TZ).toISOString() });
    await admin.post('/api/v1/tasks', { title: '翌日のタスク', dueAt: zonedInstant(addDays(day, 1), '09:00', TZ).toISOString() });
    const prefs = await admin.patch('/api/v1/me/notification-preferences', { version: 0, digestEnabled: true, digestHour: 8 });
    expect(prefs.status).toBe(200);
    const db = activitiesDb(server.database.db);
    // A teammate assigns the admin a task: an unread notification (made by the notifications consumer).
    const member = await addUser(server, admin, 'member', '佐藤 次郎');
    await member.client.post('/api/v1/tasks', { title: '依頼されたタスク', assigneeId: ws.adminId });
    await waitFor('the assignment notification', async () => {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM notifications WHERE workspace_id = ${ws.workspaceId}
        AND user_id = ${ws.adminId} AND kind = 'task_assigned' AND read_at IS NULL`.execute(db);
      return (rows[0]?.n ?? 0) > 0;
    });
    const cfg = testConfig(server.databaseUrl);

    const mine = () => sink.messages.filter((m) => m.to === ws.adminEmail && m.subject.startsWith('【ダイジェスト】'));
    // 07:59 in Tokyo: not yet.
    await runDigests(db, cfg, zonedInstant(day, '07:59', TZ));
    expect(mine()).toHaveLength(0);
    // 08:00: sent once, even when the job runs twice.
    await Promise.all([runDigests(db, cfg, zonedInstant(day, '08:00', TZ)), runDigests(db, cfg, zonedInstant(day, '08:00', TZ))]);
    await runDigests(db, cfg, zonedInstant(day, '20:00', TZ));
    const mail = await sink.waitFor((m) => m.to === ws.adminEmail && m.subject.startsWith('【ダイジェスト】'));
    expect(mine()).toHaveLength(1);
    expect(mail.subject).toBe('【ダイジェスト】期限切れ 1 件・今日 1 件・未読 1 件');
    expect(mail.text).toContain('タスクが割り当てられました: 依頼されたタスク');
    expect(mail.text).toContain('前日のタスク');
    expect(mail.text).toContain('当日のタスク');
    expect(mail.text).not.toContain('翌日のタスク');
    // The next day: another one.
    await runDigests(db, cfg, zonedInstant(addDays(day, 1), '08:30', TZ));
    await sink.waitFor((m) => m.to === ws.adminEmail && m.subject.includes('今日 1 件') && m.subject.includes('期限切れ 2 件'));
    expect(mine()).toHaveLength(2);
  });

  it('counts the digest hour in the user’s own time zone when they set one, not the workspace’s', async () => {
    const LONDON = 'Europe/London';
    const ws = await createTestWorkspace(server);
    await configureSmtp(server, ws.workspaceId, sink.port);
    const admin = await signIn(server, ws.adminEmail);
    const day = addDays(localDate(new Date(), LONDON), 3);
    await admin.post('/api/v1/tasks', { title: 'ロンドンのタスク', dueAt: zonedInstant(day, '15:00', LONDON).toISOString() });
    const prefs = await admin.patch('/api/v1/me/notification-preferences', {
      version: 0,
      digestEnabled: true,
      digestHour: 8,
      timeZone: LONDON,
    });
    expect(prefs.status).toBe(200);
    const cfg = testConfig(server.databaseUrl);
    const mine = () => sink.messages.filter((m) => m.to === ws.adminEmail && m.subject.startsWith('【ダイジェスト】'));
    // 07:59 in London is 16:59 in Tokyo, the workspace's zone: past 8 there, not yet for this user.
    await runDigests(activitiesDb(server.database.db), cfg, zonedInstant(day, '07:59', LONDON));
    await new Promise((r) => setTimeout(r, 500));
    expect(mine()).toHaveLength(0);
    await runDigests(activitiesDb(server.database.db), cfg, zonedInstant(day, '08:00', LONDON));
    await sink.waitFor((m) => m.to === ws.adminEmail && m.subject.includes('今日 1 件'));
    expect(mine()).toHaveLength(1);
  });

  it('sends nothing to a user who has not turned it on', async () => {
    const ws = await createTestWorkspace(server);
    await configureSmtp(server, ws.workspaceId, sink.port);
    const admin = await signIn(server, ws.adminEmail);
    await admin.post('/api/v1/tasks', { title: 'x', dueAt: new Date(Date.now() + 3_600_000).toISOString() });
    const cfg = testConfig(server.databaseUrl);
    await runDigests(activitiesDb(server.database.db), cfg, zonedInstant(addDays(localDate(new Date(), TZ), 1), '09:00', TZ));
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.messages.filter((m) => m.to === ws.adminEmail)).toHaveLength(0);
  });
});
