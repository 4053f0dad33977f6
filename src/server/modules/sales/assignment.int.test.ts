import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTeam, makeUser, makeWorkspace, type TestUser } from '../../../../test/factories.js';
import {
  type ApiBody,
  addUser,
  createTestDatabase,
  createTestWorkspace,
  signIn,
  startTestServer,
  type TestClient,
  waitFor,
} from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';
import { salesDb } from '../sales/sales.db.js';
import { fireEscalation, sweepEscalations } from './assignment.escalation.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

/** A fresh workspace with its admin and a sales team of three members. */
async function workspaceWithTeam(names = ['営業 一郎', '営業 二郎', '営業 三郎']) {
  const ws = await makeWorkspace(server);
  const reps: TestUser[] = [];
  for (const name of names) reps.push(await makeUser(ws, 'member', { name }));
  const team = await makeTeam(ws, reps);
  return { workspaceId: ws.id, admin: ws.admin.client, reps, teamId: team.id };
}

async function rule(admin: TestClient, body: Record<string, unknown>) {
  const res = await admin.post('/api/v1/assignment-rules', { objectType: 'lead', name: 'ルール', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

function countBy(ids: string[]) {
  const m: Record<string, number> = {};
  for (const id of ids) m[id] = (m[id] ?? 0) + 1;
  return m;
}

describe('assignment rules', () => {
  it('round robin over three reps with six concurrent leads gives each two, with history, event and audit', async () => {
    const { admin, reps, teamId, workspaceId } = await workspaceWithTeam();
    const r = await rule(admin, { name: '東日本ラウンドロビン', method: 'round_robin', teamId });
    const created = await Promise.all(
      Array.from({ length: 6 }, (_, i) => admin.post('/api/v1/leads', { familyName: `並行${i}`, source: 'web_form' })),
    );
    for (const c of created) expect(c.status).toBe(201);
    const owners = countBy(created.map((c) => c.body.ownerId));
    expect(Object.keys(owners).sort()).toEqual(reps.map((x) => x.id).sort());
    expect(Object.values(owners)).toEqual([2, 2, 2]);
    // the created lead already carries its team, and its history names the rule
    expect(created[0]?.body.teamId).toBe(teamId);
    const history = await admin.get(`/api/v1/leads/${created[0]?.body.id}/assignments`);
    expect(history.body.data).toEqual([expect.objectContaining({ ruleId: r.id, ruleName: '東日本ラウンドロビン', reason: 'rule' })]);
    const { rows } = await server.database.pool.query(
      `SELECT (SELECT count(*)::int FROM outbox WHERE workspace_id = $1 AND type = 'lead.assigned') AS events,
              (SELECT count(*)::int FROM audit_log WHERE workspace_id = $1 AND action = 'lead.assigned') AS audits`,
      [workspaceId],
    );
    expect(rows[0]).toEqual({ events: 6, audits: 6 });
  });

  it('the assignee is notified with a link, source and channel; the lead timeline says which rule assigned it', async () => {
    const { admin, reps, teamId } = await workspaceWithTeam(['通知 花子']);
    await rule(admin, { name: 'Web 問い合わせ', method: 'round_robin', teamId });
    const lead = await admin.post('/api/v1/leads', { familyName: '田中', source: 'web_form', channel: 'Google 広告', notes: '至急見積' });
    const rep = reps[0] as (typeof reps)[number];
    const list = await waitFor('notification', async () => {
      const res = await rep.client.get('/api/v1/notifications');
      return res.body.data.length ? res.body : undefined;
    });
    expect(list.data[0]).toMatchObject({
      kind: 'lead_assigned',
      link: `/leads/${lead.body.id}`,
      params: { label: '田中', ruleName: 'Web 問い合わせ', source: 'web_form', channel: 'Google 広告', notes: '至急見積' },
    });
    const entries = await waitFor('timeline entry', async () => {
      const res = await admin.get(`/api/v1/timeline/lead/${lead.body.id}`);
      return res.body.data?.find((e: ApiBody) => e.summary?.action === 'assigned') ? res.body.data : undefined;
    });
    expect(entries.find((e: ApiBody) => e.summary?.action === 'assigned').summary).toMatchObject({
      ruleName: 'Web 問い合わせ',
      assigneeName: '通知 花子',
    });
  });

  it('first matching rule wins: territory by prefecture, conditions in the filter language, else the next rule', async () => {
    const { admin, reps, teamId } = await workspaceWithTeam(['東京 担当', '大阪 担当', '残り 担当']);
    const [tokyo, osaka, rest] = reps.map((r) => r.id);
    await rule(admin, {
      name: '地域',
      method: 'territory',
      territories: [
        { prefectures: ['東京都', '神奈川県'], userId: tokyo },
        { prefectures: ['大阪府'], userId: osaka },
      ],
    });
    await rule(admin, { name: '紹介は固定', method: 'user', userId: rest, conditions: { field: 'source', op: 'eq', value: 'referral' } });
    const a = await admin.post('/api/v1/leads', { familyName: '大阪', prefecture: '大阪府' });
    const b = await admin.post('/api/v1/leads', { familyName: '横浜', prefecture: '神奈川県' });
    const c = await admin.post('/api/v1/leads', { familyName: '札幌', prefecture: '北海道', source: 'referral' });
    const d = await admin.post('/api/v1/leads', { familyName: '名古屋', prefecture: '愛知県' });
    expect([a.body.ownerId, b.body.ownerId, c.body.ownerId]).toEqual([osaka, tokyo, rest]);
    expect(d.body.ownerId).toBe((await admin.get('/api/v1/auth/session')).body.user.id); // no rule matched: the creator
    expect(teamId).toBeTruthy();
  });

  it('least loaded picks the rep with the fewest open leads and deals; a deactivated rep is skipped', async () => {
    const { admin, reps, teamId } = await workspaceWithTeam(['多忙 一郎', '普通 二郎', '暇 三郎']);
    const [busy, normal, idle] = reps.map((r) => r.id) as [string, string, string];
    for (let i = 0; i < 3; i++) await admin.post('/api/v1/leads', { familyName: `既存${i}`, ownerId: busy });
    await admin.post('/api/v1/leads', { familyName: '既存', ownerId: normal });
    await admin.post('/api/v1/deals', { title: '既存商談', ownerId: idle });
    await admin.post('/api/v1/deals', { title: '既存商談2', ownerId: idle });
    await rule(admin, { name: '負荷分散', method: 'least_loaded', teamId });
    const first = await admin.post('/api/v1/leads', { familyName: '新規1' });
    expect(first.body.ownerId).toBe(normal); // busy 3, normal 1, idle 2
    const u = await admin.get(`/api/v1/users/${normal}`);
    expect((await admin.patch(`/api/v1/users/${normal}`, { version: u.body.version, status: 'disabled' })).status).toBe(200);
    const second = await admin.post('/api/v1/leads', { familyName: '新規2' });
    expect(second.body.ownerId).toBe(idle);
  });

  it('round robin skips a deactivated rep; an explicit owner is never overridden; deals follow deal rules', async () => {
    const { admin, reps, teamId } = await workspaceWithTeam();
    const [a, b, c] = reps.map((r) => r.id) as [string, string, string];
    await rule(admin, { name: '順番', method: 'round_robin', teamId });
    const u = await admin.get(`/api/v1/users/${b}`);
    await admin.patch(`/api/v1/users/${b}`, { version: u.body.version, status: 'disabled' });
    const owners = [];
    for (let i = 0; i < 4; i++) owners.push((await admin.post('/api/v1/leads', { familyName: `順${i}` })).body.ownerId);
    expect(new Set(owners)).toEqual(new Set([a, c]));
    expect([owners[2], owners[3]]).toEqual([owners[0], owners[1]]); // turns alternate without the disabled rep
    const explicit = await admin.post('/api/v1/leads', { familyName: '指定', ownerId: b });
    expect(explicit.body.ownerId).toBe(b);
    const explicitHistory = await admin.get(`/api/v1/leads/${explicit.body.id}/assignments`);
    expect(explicitHistory.body.data).toEqual([]);

    await admin.post('/api/v1/assignment-rules', { objectType: 'deal', name: '商談は一郎', method: 'user', userId: a });
    const deal = await admin.post('/api/v1/deals', { title: '自動割当の商談' });
    expect(deal.status).toBe(201);
    expect(deal.body.ownerId).toBe(a);
    const dealHistory = await admin.get(`/api/v1/deals/${deal.body.id}/assignments`);
    expect(dealHistory.body.data[0]).toMatchObject({ ruleName: '商談は一郎', userId: a });
  });

  it('reorders rules (first match wins after the move) and refuses an incomplete order', async () => {
    const { admin, reps } = await workspaceWithTeam(['甲', '乙']);
    const [x, y] = reps.map((r) => r.id);
    const r1 = await rule(admin, { name: '甲へ', method: 'user', userId: x });
    const r2 = await rule(admin, { name: '乙へ', method: 'user', userId: y });
    expect((await admin.post('/api/v1/leads', { familyName: '前' })).body.ownerId).toBe(x);
    const order = await admin.request('PUT', '/api/v1/assignment-rules/order', { objectType: 'lead', ids: [r2.id, r1.id] });
    expect(order.status).toBe(200);
    expect(order.body.data.map((r: ApiBody) => r.name)).toEqual(['乙へ', '甲へ']);
    expect((await admin.post('/api/v1/leads', { familyName: '後' })).body.ownerId).toBe(y);
    const bad = await admin.request('PUT', '/api/v1/assignment-rules/order', { objectType: 'lead', ids: [r2.id] });
    expect(bad.status).toBe(400);
    const patched = await admin.patch(`/api/v1/assignment-rules/${r2.id}`, { version: r2.version, active: false });
    expect(patched.body.active).toBe(false);
    expect((await admin.patch(`/api/v1/assignment-rules/${r2.id}`, { version: r2.version, name: '古い' })).status).toBe(409);
    expect((await admin.post('/api/v1/leads', { familyName: '無効化後' })).body.ownerId).toBe(x);
    expect((await admin.delete(`/api/v1/assignment-rules/${r1.id}`)).status).toBe(200);
    expect((await admin.get(`/api/v1/assignment-rules/${r1.id}`)).status).toBe(404);
  });

  it('creates that fall through several rules while an administrator reorders them all succeed (no deadlock)', async () => {
    const { admin, reps, teamId } = await workspaceWithTeam(['丙', '丁']);
    // The first rule by id assigns; the second (larger id, moved to the top) has nobody and falls through,
    // so a create visits the rules in the opposite order of their ids while a reorder locks them by id.
    const empty = await admin.post('/api/v1/teams', { name: `空${Date.now()}`, memberIds: [] });
    expect(empty.status, JSON.stringify(empty.body)).toBe(201);
    const assigning = await rule(admin, { name: '割り当てる', method: 'round_robin', teamId });
    const nobody = await rule(admin, { name: '誰もいない', method: 'round_robin', teamId: empty.body.id });
    const order = (ids: string[]) => admin.request('PUT', '/api/v1/assignment-rules/order', { objectType: 'lead', ids });
    expect((await order([nobody.id, assigning.id])).status).toBe(200);
    const results = await Promise.all([
      ...Array.from({ length: 24 }, (_, i) => admin.post('/api/v1/leads', { familyName: `競合${i}` })),
      ...Array.from({ length: 8 }, () => order([nobody.id, assigning.id])),
    ]);
    expect(results.map((r) => r.status).filter((s) => s >= 300)).toEqual([]);
    const owners = results.slice(0, 24).map((r) => r.body.ownerId);
    expect(new Set(owners)).toEqual(new Set(reps.map((r) => r.id)));
  });

  it('refuses bad input with 400 naming the field, other workspaces’ ids, and non-admins', async () => {
    const { admin, teamId } = await workspaceWithTeam(['一人']);
    const other = await workspaceWithTeam(['他社']);
    const cases: [Record<string, unknown>, string][] = [
      [{ method: 'round_robin' }, 'teamId'],
      [{ method: 'round_robin', teamId: '0190a1b2-0000-7000-8000-000000000000' }, 'teamId'],
      [{ method: 'round_robin', teamId: other.teamId }, 'teamId'],
      [{ method: 'user', userId: other.reps[0]?.id }, 'userId'],
      [{ method: 'user' }, 'userId'],
      [{ method: 'territory', territories: [] }, 'territories'],
      [{ method: 'territory', territories: [{ prefectures: ['東京'], userId: other.reps[0]?.id }] }, 'territories.0.prefectures.0'],
      [{ method: 'round_robin', teamId, conditions: { field: 'nope', op: 'eq', value: 1 } }, 'conditions'],
      [{ method: 'round_robin', teamId, conditions: { field: 'source', op: 'eq', value: 'tv' } }, 'conditions'],
      [{ method: 'round_robin', teamId, escalationTarget: 'user' }, 'escalationUserId'],
      [{ method: 'lottery', teamId }, 'method'],
    ];
    for (const [body, path] of cases) {
      const res = await admin.post('/api/v1/assignment-rules', { objectType: 'lead', name: 'x', ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(JSON.stringify(res.body.error.details), JSON.stringify(body)).toContain(path.split('.')[0] as string);
    }
    expect((await admin.post('/api/v1/assignment-rules', { objectType: 'task', name: 'x', method: 'user' })).status).toBe(400);
    const theirs = await rule(other.admin, { name: '他社ルール', method: 'round_robin', teamId: other.teamId });
    expect((await admin.get(`/api/v1/assignment-rules/${theirs.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/assignment-rules/${theirs.id}`, { version: 1, name: 'x' })).status).toBe(404);
    expect((await admin.request('PUT', '/api/v1/assignment-rules/order', { objectType: 'lead', ids: [theirs.id] })).status).toBe(400);
    const member = await addUser(server, admin, 'member');
    expect((await member.client.get('/api/v1/assignment-rules')).status).toBe(403);
    expect((await member.client.request('PUT', '/api/v1/assignment-settings', { escalationEnabled: true })).status).toBe(403);
    for (const body of [
      { escalationEnabled: true, escalationAfterMinutes: 0, reassignOnEscalation: false, version: 0 },
      { escalationEnabled: true, escalationAfterMinutes: 1.5, reassignOnEscalation: false, version: 0 },
      { escalationEnabled: 'yes', escalationAfterMinutes: 10, reassignOnEscalation: false, version: 0 },
    ])
      expect((await admin.request('PUT', '/api/v1/assignment-settings', body)).status).toBe(400);
    const spec = (await server.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/assignment-rules', '/api/v1/assignment-settings']));
  });
});

describe('escalation of unanswered leads', () => {
  async function withEscalation(extra: Record<string, unknown> = {}) {
    const ctx = await workspaceWithTeam(['初動 一郎', '初動 二郎']);
    const manager = await addUser(server, ctx.admin, 'manager', '課長 三郎');
    const team = (await ctx.admin.get('/api/v1/teams')).body.data.find((t: ApiBody) => t.id === ctx.teamId);
    const patched = await ctx.admin.patch(`/api/v1/teams/${ctx.teamId}`, {
      version: team.version,
      memberIds: [...ctx.reps.map((r) => r.id), manager.userId],
    });
    expect(patched.status).toBe(200);
    const settings = await ctx.admin.request('PUT', '/api/v1/assignment-settings', {
      escalationEnabled: true,
      escalationAfterMinutes: 30,
      reassignOnEscalation: false,
      version: 0,
      ...extra,
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    // only the reps take turns: the rule's team is the reps' team, the manager is in it as escalation target
    await rule(ctx.admin, { name: '初動', method: 'user', userId: ctx.reps[0]?.id, teamId: ctx.teamId });
    return { ...ctx, manager };
  }
  const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);

  it('a lead still new after the window escalates once to the team manager; a contacted lead does not', async () => {
    const { admin, manager, workspaceId } = await withEscalation();
    const waiting = await admin.post('/api/v1/leads', { familyName: '放置', source: 'web_form', channel: '資料請求' });
    const touched = await admin.post('/api/v1/leads', { familyName: '対応済' });
    const note = await admin.post('/api/v1/activities', {
      kind: 'call',
      body: '折り返し済み',
      links: [{ entityType: 'lead', entityId: touched.body.id }],
      call: { direction: 'out' },
    });
    expect(note.status).toBe(201);
    await waitFor('contact recorded', async () => {
      const { rows } = await server.database.pool.query(
        'SELECT contacted_at FROM lead_response_watch WHERE workspace_id = $1 AND lead_id = $2',
        [workspaceId, touched.body.id],
      );
      return rows[0]?.contacted_at;
    });
    expect(await fireEscalation(salesDb(server.database.db), { workspaceId, leadId: waiting.body.id }, later(10))).toBe(false); // not yet
    expect(await sweepEscalations(salesDb(server.database.db), later(31))).toBeGreaterThanOrEqual(1);
    expect(await fireEscalation(salesDb(server.database.db), { workspaceId, leadId: waiting.body.id }, later(40))).toBe(false); // once
    expect(await fireEscalation(salesDb(server.database.db), { workspaceId, leadId: touched.body.id }, later(40))).toBe(false);
    const n = await waitFor('manager notified', async () => {
      const res = await manager.client.get('/api/v1/notifications');
      return res.body.data.find((x: ApiBody) => x.kind === 'lead_escalated');
    });
    expect(n).toMatchObject({ link: `/leads/${waiting.body.id}`, params: { label: '放置', minutes: 30, channel: '資料請求' } });
    const { rows } = await server.database.pool.query(`SELECT entity_id FROM outbox WHERE workspace_id = $1 AND type = 'lead.escalated'`, [
      workspaceId,
    ]);
    expect(rows.map((r) => r.entity_id)).toEqual([waiting.body.id]);
  });

  it('reassigns to the rule’s next rep when configured, and a status change stops the clock', async () => {
    const { admin, reps, manager, teamId, workspaceId } = await withEscalation({ reassignOnEscalation: true });
    const members = [...reps.map((r) => r.id), manager.userId];
    const rr = await rule(admin, { name: '交代', method: 'round_robin', teamId });
    const list = await admin.get('/api/v1/assignment-rules?objectType=lead');
    await admin.request('PUT', '/api/v1/assignment-rules/order', {
      objectType: 'lead',
      ids: [rr.id, ...list.body.data.filter((r: ApiBody) => r.id !== rr.id).map((r: ApiBody) => r.id)],
    });
    const lead = await admin.post('/api/v1/leads', { familyName: '交代' });
    const first = lead.body.ownerId;
    expect(members).toContain(first);
    const moved = await admin.post('/api/v1/leads', { familyName: '着手' });
    await admin.patch(`/api/v1/leads/${moved.body.id}`, { version: moved.body.version, status: 'working' });
    await waitFor('status change recorded', async () => {
      const { rows } = await server.database.pool.query(
        'SELECT contacted_at FROM lead_response_watch WHERE workspace_id = $1 AND lead_id = $2',
        [workspaceId, moved.body.id],
      );
      return rows[0]?.contacted_at;
    });
    await sweepEscalations(salesDb(server.database.db), later(31));
    const after = await admin.get(`/api/v1/leads/${lead.body.id}`);
    expect(after.body.ownerId).not.toBe(first);
    expect(members).toContain(after.body.ownerId);
    const history = await admin.get(`/api/v1/leads/${lead.body.id}/assignments`);
    expect(history.body.data.map((h: ApiBody) => h.reason)).toEqual(['rule', 'escalation']);
    expect((await admin.get(`/api/v1/leads/${moved.body.id}`)).body.ownerId).toBeTruthy();
    const { rows } = await server.database.pool.query(`SELECT entity_id FROM outbox WHERE workspace_id = $1 AND type = 'lead.escalated'`, [
      workspaceId,
    ]);
    expect(rows.map((r) => r.entity_id)).toEqual([lead.body.id]);
  });
});

describe('escalation across a restart', () => {
  it('a job scheduled with the assignment fires after the server restarts on the same database', async () => {
    const databaseUrl = await createTestDatabase();
    let s: RunningServer | undefined = await startTestServer({ databaseUrl });
    let leadId: string;
    let workspaceId: string;
    try {
      const ws = await createTestWorkspace(s);
      workspaceId = ws.workspaceId;
      const admin = await signIn(s, ws.adminEmail);
      await admin.request('PUT', '/api/v1/assignment-settings', {
        escalationEnabled: true,
        escalationAfterMinutes: 1,
        reassignOnEscalation: false,
        version: 0,
      });
      await admin.post('/api/v1/assignment-rules', { objectType: 'lead', name: '管理者へ', method: 'user', userId: ws.adminId });
      const lead = await admin.post('/api/v1/leads', { familyName: '再起動' });
      leadId = lead.body.id;
      const { rows } = await s.database.pool.query(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'sales.lead-escalate' AND data->>'leadId' = $1`,
        [leadId],
      );
      expect(rows[0].n).toBe(1);
      // the window passes while the server is down
      await s.database.pool.query("UPDATE lead_response_watch SET assigned_at = assigned_at - interval '2 minutes' WHERE lead_id = $1", [
        leadId,
      ]);
    } finally {
      await s.stop();
    }
    s = await startTestServer({ databaseUrl });
    try {
      const running = s;
      const escalated = await waitFor(
        'escalation after restart',
        async () => {
          const { rows } = await running.database.pool.query(
            `SELECT count(*)::int AS n FROM outbox WHERE workspace_id = $1 AND type = 'lead.escalated' AND entity_id = $2`,
            [workspaceId, leadId],
          );
          return rows[0].n > 0 ? rows[0].n : undefined;
        },
        30_000,
      );
      expect(escalated).toBe(1);
    } finally {
      await s.stop();
    }
  });
});
