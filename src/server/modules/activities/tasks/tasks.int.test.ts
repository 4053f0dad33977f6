import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTeam, makeUser, makeWorkspace } from '../../../../../test/factories.js';
import {
  addUser,
  anonymous,
  createTestWorkspace,
  signIn,
  startTestServer,
  type TestClient,
  tokenClient,
  waitFor,
} from '../../../../../test/helpers.js';
import type { TimelineEntry } from '../../../../shared/contracts/activities.js';
import type { Task } from '../../../../shared/contracts/tasks.js';
import { systemActor } from '../../../platform/actor.js';
import type { RunningServer } from '../../../server.js';
import { activitiesDb } from '../../activities/activities.db.js';
import { fireReminder, sweepReminders } from './tasks.jobs.js';
import { completeTask, listTasks, taskSummary } from './tasks.service.js';
import { configureSmtp, type SmtpSink, startSmtpSink } from './tasks.test-support.js';
import { addDays, localDate, zonedInstant } from './tasks.time.js';

const TZ = 'Asia/Tokyo';
let server: RunningServer;
let admin: TestClient;
let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
let personId: string;
let companyId: string;

const today = () => localDate(new Date(), TZ);
const at = (day: string, time: string) => zonedInstant(day, time, TZ).toISOString();

beforeAll(async () => {
  server = await startTestServer();
  ws = await createTestWorkspace(server);
  admin = await signIn(server, ws.adminEmail);
  personId = (await admin.post('/api/v1/people', { familyName: '山田', givenName: '太郎' })).body.id;
  companyId = (await admin.post('/api/v1/companies', { name: '株式会社テスト' })).body.id;
});
afterAll(async () => {
  await server?.stop();
});

/** An outbox payload as the tests read it: the timeline contract and the notification, when the event has them. */
type EventPayload = { timeline?: { summary: Record<string, unknown> }; notify?: unknown };

async function outboxEvents(type: string, entityId: string) {
  const { rows } = await sql<{ payload: EventPayload }>`SELECT payload FROM outbox WHERE workspace_id = ${ws.workspaceId}
    AND type = ${type} AND entity_id = ${entityId} ORDER BY id`.execute(server.database.db);
  return rows.map((r) => r.payload);
}

async function taskCount(workspaceId: string) {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks WHERE workspace_id = ${workspaceId}`.execute(
    server.database.db,
  );
  return rows[0]?.n ?? 0;
}

describe('tasks CRUD', () => {
  it('creates a task linked to a person and a company, reads, edits, completes and reopens it', async () => {
    const due = at(addDays(today(), 2), '10:00');
    const created = await admin.post('/api/v1/tasks', {
      title: '見積書を送る',
      description: '先週の打ち合わせの続き',
      priority: 'high',
      dueAt: due,
      links: [
        { entityType: 'person', entityId: personId },
        { entityType: 'company', entityId: companyId },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      title: '見積書を送る',
      status: 'open',
      priority: 'high',
      dueAt: due,
      assigneeId: ws.adminId,
      assigneeName: '管理 太郎',
      version: 1,
    });
    expect(created.body.links).toEqual(
      expect.arrayContaining([
        { entityType: 'person', entityId: personId, name: '山田 太郎' },
        { entityType: 'company', entityId: companyId, name: '株式会社テスト' },
      ]),
    );
    const id = created.body.id;

    const ofPerson = await admin.get(`/api/v1/tasks?assignee=any&entityType=person&entityId=${personId}`);
    expect(ofPerson.body.data.map((t: Task) => t.id)).toContain(id);

    const patched = await admin.patch(`/api/v1/tasks/${id}`, { version: 1, title: '見積書を送付する', priority: 'low' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: '見積書を送付する', priority: 'low', version: 2 });

    const stale = await admin.patch(`/api/v1/tasks/${id}`, { version: 1, title: '古い版' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('conflict');
    expect(stale.body.error.details.current).toMatchObject({ title: '見積書を送付する', version: 2 });

    const done = await admin.post(`/api/v1/tasks/${id}/complete`, { version: 2 });
    expect(done.body).toMatchObject({ status: 'done', completedBy: ws.adminId, version: 3 });
    const reopened = await admin.post(`/api/v1/tasks/${id}/reopen`, { version: 3 });
    expect(reopened.body).toMatchObject({ status: 'open', completedAt: null, version: 4 });

    // The timeline contract: created and completed events carry the task's links and summary.
    const [createdEvent] = await outboxEvents('task.created', id);
    expect(createdEvent!.timeline).toMatchObject({
      kind: 'task',
      links: expect.arrayContaining([{ entityType: 'person', entityId: personId }]),
      summary: { title: '見積書を送る', status: 'open', priority: 'high', assigneeId: ws.adminId },
    });
    const [completedEvent] = await outboxEvents('task.completed', id);
    expect(completedEvent!.timeline!.summary.status).toBe('done');
  });

  it('moves a task to the trash and restores it', async () => {
    const t = (await admin.post('/api/v1/tasks', { title: '捨てるタスク' })).body;
    expect((await admin.delete(`/api/v1/tasks/${t.id}`)).status).toBe(200);
    expect((await admin.get('/api/v1/tasks?bucket=all')).body.data.map((x: Task) => x.id)).not.toContain(t.id);
    expect((await admin.get('/api/v1/tasks?trash=true')).body.data.map((x: Task) => x.id)).toContain(t.id);
    expect((await admin.post(`/api/v1/tasks/${t.id}/restore`)).status).toBe(200);
    expect((await admin.get('/api/v1/tasks?bucket=all')).body.data.map((x: Task) => x.id)).toContain(t.id);
  });

  it('notifies the assignee when someone else assigns a task', async () => {
    const member = await addUser(server, admin, 'member', '佐藤 次郎');
    const t = (await admin.post('/api/v1/tasks', { title: '電話する', assigneeId: member.userId })).body;
    expect(t.assigneeId).toBe(member.userId);
    const [event] = await outboxEvents('task.created', t.id);
    expect(event!.notify).toEqual({
      userIds: [member.userId],
      kind: 'task_assigned',
      params: { title: '電話する', dueAt: null },
      link: `/tasks?task=${t.id}`,
    });
    // The member sees it in their own tasks.
    const mine = await member.client.get('/api/v1/tasks?bucket=nodate');
    expect(mine.body.data.map((x: Task) => x.id)).toContain(t.id);
  });
});

describe('access', () => {
  it('works through an API token: read scope reads, write scope writes', async () => {
    const read = await admin.post('/api/v1/tokens', { name: 'tasks read', scopes: ['read'] });
    const write = await admin.post('/api/v1/tokens', { name: 'tasks write', scopes: ['read', 'write'] });
    const reader = tokenClient(server, read.body.token);
    const writer = tokenClient(server, write.body.token);
    const made = await writer.post('/api/v1/tasks', { title: 'API からのタスク', links: [{ entityType: 'company', entityId: companyId }] });
    expect(made.status).toBe(201);
    expect((await reader.get(`/api/v1/tasks/${made.body.id}`)).body.title).toBe('API からのタスク');
    const denied = await reader.post('/api/v1/tasks', { title: 'x' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('insufficient_scope');
  });

  it('hides other people’s tasks from a member whose visibility is "own"', async () => {
    const w = await makeWorkspace(server, { visibility: { member: 'own' } });
    const a = w.admin.client;
    const member = await makeUser(w, 'member', { name: '山本 三郎' });
    const adminsTask = (await a.post('/api/v1/tasks', { title: '管理者のタスク' })).body;
    const membersTask = (await a.post('/api/v1/tasks', { title: 'メンバーのタスク', assigneeId: member.id })).body;
    const m = member.client;
    expect((await m.get(`/api/v1/tasks/${adminsTask.id}`)).status).toBe(404);
    expect((await m.patch(`/api/v1/tasks/${adminsTask.id}`, { version: 1, title: 'x' })).status).toBe(404);
    const everyone = await m.get('/api/v1/tasks?assignee=any&bucket=all');
    expect(everyone.body.data.map((t: Task) => t.id)).toEqual([membersTask.id]);
  });

  it('shows a manager with "team" visibility their teammates’ tasks, each with its assignee’s name, and not an outsider’s', async () => {
    const w = await makeWorkspace(server, { visibility: { manager: 'team', member: 'own' } });
    const manager = await makeUser(w, 'manager', { name: '課長 一郎' });
    const mate = await makeUser(w, 'member', { name: '同僚 二郎' });
    const outsider = await makeUser(w, 'member', { name: '他部署 三郎' });
    await makeTeam(w, [manager, mate]);
    const made = async (title: string, assigneeId: string): Promise<Task> =>
      (await w.admin.client.post('/api/v1/tasks', { title, assigneeId })).body;
    await made('課長のタスク', manager.id);
    const matesTask = await made('同僚のタスク', mate.id);
    const outsidersTask = await made('他部署のタスク', outsider.id);
    const list = await manager.client.get('/api/v1/tasks?assignee=any&bucket=all');
    const names = Object.fromEntries((list.body.data as Task[]).map((t) => [t.title, t.assigneeName]));
    expect(names).toEqual({ 課長のタスク: '課長 一郎', 同僚のタスク: '同僚 二郎' });
    expect((await manager.client.get(`/api/v1/tasks/${matesTask.id}`)).body.assigneeName).toBe('同僚 二郎');
    expect((await manager.client.get(`/api/v1/tasks/${outsidersTask.id}`)).status).toBe(404);
    // The team's counts: the manager's and the teammate's open tasks (no due date), not the outsider's.
    const team = await manager.client.get('/api/v1/tasks/summary?assignee=any');
    expect(team.status, JSON.stringify(team.body)).toBe(200);
    expect(team.body.counts).toEqual({ overdue: 0, today: 0, upcoming: 0, nodate: 2 });
    expect((await manager.client.get(`/api/v1/tasks/summary?assignee=${mate.id}`)).body.counts.nodate).toBe(1);
  });

  it('puts created and completed tasks on the linked person’s timeline (through the timeline consumer)', async () => {
    const t = (await admin.post('/api/v1/tasks', { title: 'タイムライン確認', links: [{ entityType: 'person', entityId: personId }] }))
      .body;
    await admin.post(`/api/v1/tasks/${t.id}/complete`, { version: 1 });
    const entries: TimelineEntry[] = await waitFor('both task entries', async () => {
      const res = await admin.get(`/api/v1/timeline/person/${personId}?kinds=task`);
      const mine = ((res.body.data ?? []) as TimelineEntry[]).filter((e) => e.summary.taskId === t.id);
      return mine.length >= 2 ? mine : undefined;
    });
    // Two entries: created (open) and completed (done), whatever order the consumer gets the events in.
    expect(entries.map((e) => e.summary.status).sort()).toEqual(['done', 'open']);
  });
});

describe('bad input is refused with a clear 4xx and changes nothing', () => {
  it.each([
    ['an empty title', { title: '  ' }, 400, 'title'],
    ['a malformed date', { title: 'x', dueAt: '2026-13-45T99:00:00Z' }, 400, 'dueAt'],
    ['a date without a zone', { title: 'x', dueAt: '2026-12-01T10:00:00' }, 400, 'dueAt'],
    ['a due date in the past', { title: 'x', dueAt: '2020-01-01T00:00:00Z' }, 400, 'dueAt'],
    ['a reminder in the past', { title: 'x', remindAt: new Date(Date.now() - 3_600_000).toISOString() }, 400, 'remindAt'],
    ['a year 3000 due date', { title: 'x', dueAt: '3000-01-01T00:00:00Z' }, 400, 'dueAt'],
    ['a bad RRULE', { title: 'x', dueAt: new Date(Date.now() + 86_400_000).toISOString(), rrule: 'FREQ=SOMETIMES' }, 400, 'rrule'],
    ['an hourly RRULE', { title: 'x', dueAt: new Date(Date.now() + 86_400_000).toISOString(), rrule: 'FREQ=HOURLY' }, 400, 'rrule'],
    ['an RRULE without a due date', { title: 'x', rrule: 'FREQ=DAILY' }, 400, 'dueAt'],
    ['an unknown priority', { title: 'x', priority: 'urgent' }, 400, 'priority'],
    ['an unknown assignee', { title: 'x', assigneeId: '01890000-0000-7000-8000-000000000000' }, 404, 'assigneeId'],
    [
      'a link to a record that does not exist',
      { title: 'x', links: [{ entityType: 'person', entityId: '01890000-0000-7000-8000-000000000000' }] },
      404,
      'links.0.entityId',
    ],
    [
      'a link to an unknown kind of record',
      { title: 'x', links: [{ entityType: 'ticket', entityId: '01890000-0000-7000-8000-000000000000' }] },
      400,
      'links.0.entityType',
    ],
  ])('%s', async (_name, body, status, path) => {
    const before = await taskCount(ws.workspaceId);
    const res = await admin.post('/api/v1/tasks', body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBeTruthy();
    expect(JSON.stringify(res.body.error.details)).toContain(path);
    expect(await taskCount(ws.workspaceId)).toBe(before);
  });

  it('names the bad field and answers in the user’s language', async () => {
    const res = await admin.post('/api/v1/tasks', {
      title: 'x',
      rrule: 'nonsense',
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', message: '入力内容に誤りがあります。' });
    expect(res.body.error.details.issues).toEqual([{ path: 'rrule', code: 'invalid_rrule' }]);
  });

  it('treats another workspace’s task, person and user as not found', async () => {
    const other = await createTestWorkspace(server);
    const otherAdmin = await signIn(server, other.adminEmail);
    const theirPerson = (await otherAdmin.post('/api/v1/people', { familyName: '他社' })).body.id;
    const theirTask = (await otherAdmin.post('/api/v1/tasks', { title: '他社のタスク' })).body;
    expect((await admin.get(`/api/v1/tasks/${theirTask.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/tasks/${theirTask.id}`, { version: 1, title: 'x' })).status).toBe(404);
    expect((await admin.post(`/api/v1/tasks/${theirTask.id}/complete`, { version: 1 })).status).toBe(404);
    expect((await admin.delete(`/api/v1/tasks/${theirTask.id}`)).status).toBe(404);
    const link = await admin.post('/api/v1/tasks', { title: 'x', links: [{ entityType: 'person', entityId: theirPerson }] });
    expect(link.status).toBe(404);
    const assign = await admin.post('/api/v1/tasks', { title: 'x', assigneeId: other.adminId });
    expect(assign.status).toBe(404);
    expect((await admin.get(`/api/v1/tasks?assignee=${other.adminId}`)).status).toBe(404);
    expect((await otherAdmin.get(`/api/v1/tasks/${theirTask.id}`)).body.title).toBe('他社のタスク');
  });

  it('refuses a malformed cursor, id or query with 400', async () => {
    expect((await admin.get('/api/v1/tasks?cursor=notacursor')).status).toBe(400);
    expect((await admin.get('/api/v1/tasks/not-a-uuid')).status).toBe(400);
    expect((await admin.get('/api/v1/tasks?bucket=yesterday')).status).toBe(400);
    expect((await admin.get(`/api/v1/tasks?entityType=person`)).status).toBe(400);
    expect((await admin.get('/api/v1/tasks?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z')).status).toBe(400);
    expect((await admin.post('/api/v1/tasks/01890000-0000-7000-8000-000000000000/complete', { version: 'one' })).status).toBe(400);
  });

  it('does not let a read-only user write', async () => {
    const viewer = await addUser(server, admin, 'readonly', '閲覧 者');
    expect((await viewer.client.post('/api/v1/tasks', { title: 'x' })).status).toBe(403);
    expect((await viewer.client.get('/api/v1/tasks')).status).toBe(200);
  });
});

describe('my tasks', () => {
  it('buckets open tasks into overdue / today / upcoming by the day in Asia/Tokyo, not in UTC', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const day = addDays(today(), 10);
    const ids: Record<string, string> = {};
    for (const [key, due] of [
      ['earlyToday', at(day, '00:30')], // the previous day in UTC
      ['lateToday', at(day, '23:30')],
      ['yesterday', at(addDays(day, -1), '23:30')],
      ['tomorrow', at(addDays(day, 1), '00:10')],
      ['nodate', null],
    ] as const) {
      ids[key] = (await a.post('/api/v1/tasks', { title: key, dueAt: due })).body.id;
    }
    const allDay = (await a.post('/api/v1/tasks', { title: 'allDay', dueAt: at(day, '15:00'), allDay: true })).body;
    expect(allDay.dueAt).toBe(at(day, '00:00'));
    const actor = { ...systemActor(w.workspaceId), kind: 'user' as const, userId: w.adminId };
    const now = zonedInstant(day, '12:00', TZ);
    const bucket = async (b: 'overdue' | 'today' | 'upcoming' | 'nodate') =>
      (
        await listTasks({ db: activitiesDb(server.database.db), actor, query: { assignee: 'me', bucket: b, trash: false, limit: 50 }, now })
      ).data.map((t) => t.title);
    expect(await bucket('today')).toEqual(['allDay', 'earlyToday', 'lateToday']);
    expect(await bucket('overdue')).toEqual(['yesterday']);
    expect(await bucket('upcoming')).toEqual(['tomorrow']);
    expect(await bucket('nodate')).toEqual(['nodate']);
    const summary = await taskSummary({ db: activitiesDb(server.database.db), actor, assignee: 'me', now });
    expect(summary).toEqual({ timeZone: TZ, today: day, counts: { overdue: 1, today: 3, upcoming: 1, nodate: 1 } });
    // Through the API today (10 days before): everything dated is upcoming.
    const api = await a.get('/api/v1/tasks/summary');
    expect(api.body.counts).toEqual({ overdue: 0, today: 0, upcoming: 5, nodate: 1 });
  });

  it('pages through a bucket with a cursor, done tasks newest first', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const made: string[] = [];
    for (let i = 0; i < 5; i++)
      made.push((await a.post('/api/v1/tasks', { title: `t${i}`, dueAt: at(addDays(today(), 3 + i), '09:00') })).body.id);
    made.push((await a.post('/api/v1/tasks', { title: 'none' })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: { id: string }[]; nextCursor: string | null } } = await a.get(
        `/api/v1/tasks?bucket=open&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.body.data.map((t) => t.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(made);
    for (const id of made.slice(0, 3)) await a.post(`/api/v1/tasks/${id}/complete`, { version: 1 });
    const done = await a.get('/api/v1/tasks?bucket=done&limit=2');
    expect(done.body.data.map((t: Task) => t.id)).toEqual([made[2], made[1]]);
    const rest = await a.get(`/api/v1/tasks?bucket=done&limit=2&cursor=${done.body.nextCursor}`);
    expect(rest.body.data.map((t: Task) => t.id)).toEqual([made[0]]);
  });
});

describe('recurring tasks', () => {
  it('completing a weekly task creates the next one on the next Monday 08:00 Tokyo, with its links and reminder offset', async () => {
    let monday = addDays(today(), 1);
    while (new Date(`${monday}T00:00:00Z`).getUTCDay() !== 1) monday = addDays(monday, 1);
    const due = at(monday, '08:00');
    const t = (
      await admin.post('/api/v1/tasks', {
        title: '週次報告',
        dueAt: due,
        remindAt: at(monday, '07:00'),
        rrule: 'RRULE:FREQ=WEEKLY;BYDAY=MO',
        links: [{ entityType: 'person', entityId: personId }],
      })
    ).body;
    expect(t.rrule).toBe('FREQ=WEEKLY;BYDAY=MO');
    const done = await admin.post(`/api/v1/tasks/${t.id}/complete`, { version: 1 });
    expect(done.status).toBe(200);
    expect(done.body.nextTaskId).toBeTruthy();
    const next = (await admin.get(`/api/v1/tasks/${done.body.nextTaskId}`)).body;
    const nextMonday = addDays(monday, 7);
    expect(next).toMatchObject({
      title: '週次報告',
      status: 'open',
      rrule: 'FREQ=WEEKLY;BYDAY=MO',
      seriesId: t.id,
      dueAt: new Date(at(nextMonday, '08:00')).toISOString(),
      remindAt: new Date(at(nextMonday, '07:00')).toISOString(),
      remindedAt: null,
    });
    expect(next.links).toEqual([{ entityType: 'person', entityId: personId, name: '山田 太郎' }]);
    // Completing again (already done) creates nothing more.
    const again = await admin.post(`/api/v1/tasks/${t.id}/complete`, { version: done.body.version });
    expect(again.body.nextTaskId).toBe(next.id);
  });

  it('completed days late, a daily task comes back on the next day from now, not in the past', async () => {
    const day = addDays(today(), 1);
    const t = (await admin.post('/api/v1/tasks', { title: '日次チェック', dueAt: at(day, '09:00'), rrule: 'FREQ=DAILY' })).body;
    const actor = { ...systemActor(ws.workspaceId), kind: 'user' as const, userId: ws.adminId };
    const done = await completeTask({
      db: activitiesDb(server.database.db),
      actor,
      scheduleReminder: async () => {},
      taskId: t.id,
      version: 1,
      now: zonedInstant(addDays(day, 5), '12:00', TZ),
    });
    const next = (await admin.get(`/api/v1/tasks/${done.nextTaskId}`)).body;
    expect(next.dueAt).toBe(at(addDays(day, 6), '09:00'));
  });

  it('ends the series after COUNT occurrences', async () => {
    const t = (
      await admin.post('/api/v1/tasks', { title: '二回だけ', dueAt: at(addDays(today(), 1), '09:00'), rrule: 'FREQ=DAILY;COUNT=2' })
    ).body;
    const first = (await admin.post(`/api/v1/tasks/${t.id}/complete`, { version: 1 })).body;
    const second = (await admin.post(`/api/v1/tasks/${first.nextTaskId}/complete`, { version: 1 })).body;
    expect(second.nextTaskId).toBeNull();
  });
});

/** Unfolds iCalendar lines and returns each VEVENT's properties (name with parameters → value). */
function parseIcs(text: string) {
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
  const events: Record<string, string>[] = [];
  let current: Record<string, string> | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      events.push(current);
      current = null;
    } else if (current) {
      const i = line.indexOf(':');
      current[line.slice(0, i)] = line.slice(i + 1);
    }
  }
  return { lines, events };
}

describe('calendar feed (.ics)', () => {
  it('serves the user’s tasks at their times, all-day tasks on their Tokyo date, and 404 for a wrong or revoked token', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const day = addDays(today(), 5);
    const timed = (await a.post('/api/v1/tasks', { title: '商談, 準備; 資料', dueAt: at(day, '09:30') })).body;
    // 00:00 in Tokyo is the previous day in UTC: the all-day date must still be the Tokyo date.
    const allDay = (await a.post('/api/v1/tasks', { title: '終日タスク', dueAt: at(day, '00:00'), allDay: true })).body;
    await a.post('/api/v1/tasks', { title: '期日なし' });
    const feed = await a.post('/api/v1/me/calendar-feed');
    expect(feed.status).toBe(201);
    const path = new URL(feed.body.url).pathname;
    expect(path).toMatch(/^\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);

    const res = await server.app.inject({ method: 'GET', url: path });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/calendar');
    const { lines, events } = parseIcs(res.body);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(events).toHaveLength(2);
    const ev = events.find((e) => e.UID === `${timed.id}@crm`) as Record<string, string>;
    const utc = new Date(at(day, '09:30')).toISOString().replace(/[-:]/g, '').replace('.000', '');
    expect(ev.DTSTART).toBe(utc); // e.g. 20261128T003000Z = 09:30 JST
    expect(ev.SUMMARY).toBe('商談\\, 準備\\; 資料');
    const all = events.find((e) => e.UID === `${allDay.id}@crm`) as Record<string, string>;
    expect(all['DTSTART;VALUE=DATE']).toBe(day.replace(/-/g, ''));

    const wrong = await server.app.inject({ method: 'GET', url: '/api/v1/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics' });
    expect(wrong.statusCode).toBe(404);
    expect((await anonymous(server).get('/api/v1/calendar/short.ics')).status).toBe(404);

    // A new URL replaces the old one; revoking ends the feed.
    const renewed = await a.post('/api/v1/me/calendar-feed');
    expect((await server.app.inject({ method: 'GET', url: path })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'GET', url: new URL(renewed.body.url).pathname })).statusCode).toBe(200);
    await a.delete('/api/v1/me/calendar-feed');
    expect((await server.app.inject({ method: 'GET', url: new URL(renewed.body.url).pathname })).statusCode).toBe(404);
    // The token never reaches the audit trail.
    const { rows } = await sql<{ after: unknown }>`SELECT after FROM audit_log WHERE workspace_id = ${w.workspaceId}
      AND action LIKE 'calendar_feed.%'`.execute(server.database.db);
    expect(JSON.stringify(rows)).not.toContain(new URL(renewed.body.url).pathname.split('/').pop()?.replace('.ics', ''));
  });
});

describe('preferences', () => {
  it('saves digest and reminder settings with optimistic concurrency and validates the time zone', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const first = await a.get('/api/v1/me/notification-preferences');
    expect(first.body).toMatchObject({ digestEnabled: false, digestHour: 8, reminderEmail: true, effectiveTimeZone: TZ, version: 0 });
    const saved = await a.patch('/api/v1/me/notification-preferences', { version: 0, digestEnabled: true, digestHour: 7 });
    expect(saved.body).toMatchObject({ digestEnabled: true, digestHour: 7, version: 1 });
    const stale = await a.patch('/api/v1/me/notification-preferences', { version: 0, digestHour: 9 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.digestHour).toBe(7);
    expect((await a.patch('/api/v1/me/notification-preferences', { version: 1, timeZone: 'Mars/Olympus' })).status).toBe(400);
    expect((await a.patch('/api/v1/me/notification-preferences', { version: 1, digestHour: 24 })).status).toBe(400);
  });
});

describe('reminders', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    await configureSmtp(server, ws.workspaceId, sink.port);
  });
  afterAll(async () => {
    await sink?.close();
  });

  it('fires once even when the job runs twice (and the sweep too), with an in-app notification event and one e-mail', async () => {
    const t = (
      await admin.post('/api/v1/tasks', {
        title: 'リマインド一回',
        dueAt: at(addDays(today(), 1), '10:00'),
        remindAt: new Date(Date.now() + 60_000).toISOString(),
      })
    ).body;
    const db = activitiesDb(server.database.db);
    const job = { workspaceId: ws.workspaceId, taskId: t.id };
    // Not due yet: nothing happens.
    expect(await fireReminder(db, job)).toBe(false);
    const later = new Date(Date.now() + 61_000);
    const results = await Promise.all([fireReminder(db, job, later), fireReminder(db, job, later), sweepReminders(db, later)]);
    expect(results.filter((r) => r === true || r === 1)).toHaveLength(1);
    const events = await outboxEvents('task.reminded', t.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.notify).toMatchObject({ userIds: [ws.adminId], kind: 'task_reminder', params: { title: 'リマインド一回' } });
    const mail = await sink.waitFor((m) => m.subject === 'リマインダー: リマインド一回');
    expect(mail.to).toBe(ws.adminEmail);
    expect(mail.text).toContain(`/tasks?task=${t.id}`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(sink.messages.filter((m) => m.subject === 'リマインダー: リマインド一回')).toHaveLength(1);
    expect((await admin.get(`/api/v1/tasks/${t.id}`)).body.remindedAt).toBeTruthy();
  });

  it('a reminder moved to later is not fired by its old job', async () => {
    const t = (await admin.post('/api/v1/tasks', { title: '延期', remindAt: new Date(Date.now() + 60_000).toISOString() })).body;
    await admin.patch(`/api/v1/tasks/${t.id}`, { version: 1, remindAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(
      await fireReminder(activitiesDb(server.database.db), { workspaceId: ws.workspaceId, taskId: t.id }, new Date(Date.now() + 120_000)),
    ).toBe(false);
  });
});
