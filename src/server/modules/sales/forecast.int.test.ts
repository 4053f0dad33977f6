import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTeam, makeUser, makeWorkspace } from '../../../../test/factories.js';
import { type ApiBody, addUser, createTestWorkspace, signIn, startTestServer, type TestClient } from '../../../../test/helpers.js';
import { fiscalMonthIndex, fiscalYearOf } from '../../../shared/forecast-math.js';
import { localDate } from '../../../shared/zoned-time.js';
import type { RunningServer } from '../../server.js';

let server: RunningServer;
let admin: TestClient;
let adminId: string;
let pipeline: { id: string; stages: { id: string; kind: string; probability: number }[] };
// today in the workspace's zone (Asia/Tokyo): open deals close this month, moves close deals now
const month = localDate(new Date(), 'Asia/Tokyo').slice(0, 7);
const [year, mon] = month.split('-').map(Number) as [number, number];
const fiscalYear = fiscalYearOf(year, mon, 4);
const monthIndex = fiscalMonthIndex(month, fiscalYear, 4);

beforeAll(async () => {
  server = await startTestServer();
  const ws = await createTestWorkspace(server);
  adminId = ws.adminId;
  admin = await signIn(server, ws.adminEmail);
  pipeline = (await admin.get('/api/v1/pipelines')).body.data[0];
});
afterAll(async () => {
  await server?.stop();
});

const stage = (kind: string, i = 0) => pipeline.stages.filter((s) => s.kind === kind)[i] as { id: string; probability: number };

async function deal(client: TestClient, body: Record<string, unknown>) {
  const res = await client.post('/api/v1/deals', { expectedCloseDate: `${month}-15`, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; version: number };
}

describe('forecast', () => {
  it('computes weighted pipeline, commit, best case, won, win rate, cycle and attainment for the current month', async () => {
    const [s1, s2, s3] = [stage('open', 0), stage('open', 1), stage('open', 2)];
    await deal(admin, { title: 'コミット案件', amount: 1_000_000, stageId: s1.id, forecastCategory: 'commit' });
    await deal(admin, { title: 'ベスト案件', amount: 500_001, stageId: s2.id, forecastCategory: 'best_case' });
    const piped = await deal(admin, { title: '見込み案件', amount: 333, stageId: s3.id });
    await deal(admin, { title: '除外案件', amount: 9_999, stageId: s3.id, forecastCategory: 'omitted' });
    await deal(admin, { title: 'USD', amount: 12_345, currency: 'USD', stageId: s1.id, forecastCategory: 'commit' });
    // next fiscal year: outside this forecast
    await deal(admin, { title: '来期', amount: 7, stageId: s1.id, expectedCloseDate: `${fiscalYear + 1}-05-01` });
    const won = await deal(admin, { title: '受注案件', amount: 2_000_000, stageId: s1.id });
    expect((await admin.post(`/api/v1/deals/${won.id}/move`, { version: 1, stageId: stage('won').id, closeReason: '価格' })).status).toBe(
      200,
    );
    await server.database.pool.query(`UPDATE deals SET created_at = closed_at - interval '10 days 12 hours' WHERE id = $1`, [won.id]);
    const lost = await deal(admin, { title: '失注案件', amount: 50, stageId: s1.id });
    expect((await admin.post(`/api/v1/deals/${lost.id}/move`, { version: 1, stageId: stage('lost').id, closeReason: '競合' })).status).toBe(
      200,
    );

    // the category is editable and validated
    const patched = await admin.patch(`/api/v1/deals/${piped.id}`, { version: piped.version, forecastCategory: 'pipeline' });
    expect(patched.body.forecastCategory).toBe('pipeline');
    expect((await admin.patch(`/api/v1/deals/${piped.id}`, { version: 2, forecastCategory: 'maybe' })).status).toBe(400);

    const put = await admin.request('PUT', '/api/v1/sales-targets', {
      items: [
        { month, ownerId: adminId, amount: 4_000_000 },
        { month, amount: 8_000_000 },
      ],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);

    const res = await admin.get(`/api/v1/forecast?groupBy=owner&fiscalYear=${fiscalYear}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ fiscalYear, fiscalStartMonth: 4, period: 'month', currentPeriod: monthIndex });
    expect(res.body.periods).toHaveLength(12);
    const mine = res.body.groups.find((g: ApiBody) => g.groupId === adminId);
    const jpy = mine.periods[monthIndex].find((c: ApiBody) => c.currency === 'JPY');
    const weighted = Math.floor((1_000_000 * s1.probability + 500_001 * s2.probability + 333 * s3.probability + 50) / 100);
    expect(jpy).toEqual({
      currency: 'JPY',
      openCount: 3,
      openAmount: 1_500_334,
      weightedAmount: weighted,
      commit: 1_000_000,
      bestCase: 1_500_001,
      wonCount: 1,
      wonAmount: 2_000_000,
      lostCount: 1,
      winRateBp: 5_000,
      avgWonAmount: 2_000_000,
      avgCycleDays: 10.5,
      target: 4_000_000,
      attainmentBp: 5_000,
    });
    expect(mine.periods[monthIndex].find((c: ApiBody) => c.currency === 'USD')).toMatchObject({ commit: 12_345, target: null });
    // the totals row takes the workspace target of the month
    expect(res.body.totals.periods[monthIndex].find((c: ApiBody) => c.currency === 'JPY')).toMatchObject({
      target: 8_000_000,
      attainmentBp: 2_500,
    });
    expect(res.body.totals.total.find((c: ApiBody) => c.currency === 'JPY').openAmount).toBe(1_500_334);

    const quarter = await admin.get(`/api/v1/forecast?period=quarter&fiscalYear=${fiscalYear}`);
    expect(quarter.body.periods.map((p: ApiBody) => p.key)).toEqual([1, 2, 3, 4].map((q) => `FY${fiscalYear}-Q${q}`));
    expect(quarter.body.currentPeriod).toBe(Math.floor(monthIndex / 3));
    const q = quarter.body.groups[0].periods[Math.floor(monthIndex / 3)].find((c: ApiBody) => c.currency === 'JPY');
    expect(q).toMatchObject({ commit: 1_000_000, wonAmount: 2_000_000, target: 8_000_000 });

    const other = await admin.get(`/api/v1/forecast?fiscalYear=${fiscalYear + 1}`);
    expect(other.body.currentPeriod).toBeNull();
    expect(other.body.totals.total[0]).toMatchObject({ openAmount: 7 });
  });

  it('groups by team, filters by pipeline, and follows the fiscal start month setting', async () => {
    const team = await admin.post('/api/v1/teams', { name: `東日本${Date.now()}`, memberIds: [adminId] });
    expect(team.status).toBe(201);
    await deal(admin, { title: 'チーム案件', amount: 10_000, teamId: team.body.id, stageId: stage('open').id, forecastCategory: 'commit' });
    const byTeam = await admin.get('/api/v1/forecast?groupBy=team');
    const t = byTeam.body.groups.find((g: ApiBody) => g.groupId === team.body.id);
    expect(t.periods[monthIndex][0]).toMatchObject({ commit: 10_000, openCount: 1 });
    expect(byTeam.body.groups.some((g: ApiBody) => g.groupId === null)).toBe(true);

    const created = await admin.post('/api/v1/pipelines', {
      name: '別パイプライン',
      stages: [
        { name: 'A', probability: 40, kind: 'open' },
        { name: 'W', probability: 100, kind: 'won' },
      ],
    });
    await deal(admin, { title: '別', amount: 1_000, pipelineId: created.body.id });
    const only = await admin.get(`/api/v1/forecast?pipelineId=${created.body.id}`);
    expect(only.body.totals.total).toEqual([expect.objectContaining({ openAmount: 1_000, weightedAmount: 400 })]);

    const settings = await admin.get('/api/v1/sales-settings');
    expect(settings.body).toEqual({ fiscalStartMonth: 4, closeReasonRequired: false, version: 1 });
    const put = await admin.request('PUT', '/api/v1/sales-settings', { version: 1, fiscalStartMonth: 1 });
    expect(put.body).toEqual({ fiscalStartMonth: 1, closeReasonRequired: false, version: 2 });
    expect((await admin.request('PUT', '/api/v1/sales-settings', { version: 1, fiscalStartMonth: 7 })).status).toBe(409);
    const calendar = await admin.get('/api/v1/forecast');
    expect(calendar.body).toMatchObject({ fiscalYear: year, fiscalStartMonth: 1, currentPeriod: mon - 1 });
    expect(calendar.body.periods[0].key).toBe(`${year}-01`);
    await admin.request('PUT', '/api/v1/sales-settings', { version: 2, fiscalStartMonth: 4 });
  });

  it('shows a member with own visibility only their deals and targets; only managers set targets', async () => {
    const member = await addUser(server, admin, 'member', '営業 一郎');
    const manager = await addUser(server, admin, 'manager', '課長 花子');
    const ws = await admin.get('/api/v1/workspace');
    await admin.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own' } });
    const memberClient = await signIn(server, member.email);
    await deal(memberClient, { title: '私の案件', amount: 777, stageId: stage('open').id, forecastCategory: 'commit' });

    const denied = await memberClient.request('PUT', '/api/v1/sales-targets', { items: [{ month, ownerId: member.userId, amount: 1 }] });
    expect(denied.status).toBe(403);
    const set = await manager.client.request('PUT', '/api/v1/sales-targets', { items: [{ month, ownerId: member.userId, amount: 1_554 }] });
    expect(set.status).toBe(200);

    const seen = await memberClient.get('/api/v1/forecast?groupBy=owner');
    expect(seen.body.groups.map((g: ApiBody) => g.groupId)).toEqual([member.userId]);
    expect(seen.body.groups[0].periods[monthIndex][0]).toMatchObject({ commit: 777, target: 1_554 });
    const targets = await memberClient.get('/api/v1/sales-targets?scope=owner');
    expect(targets.body.data.map((t: ApiBody) => t.ownerId)).toEqual([member.userId]);

    const all = await admin.get('/api/v1/forecast?groupBy=owner');
    expect(all.body.groups.map((g: ApiBody) => g.groupId)).toEqual(expect.arrayContaining([adminId, member.userId]));
    const dashboard = await memberClient.get('/api/v1/sales-dashboard');
    expect(dashboard.body.reps.map((r: ApiBody) => r.userId)).toEqual([member.userId]);
    await admin.patch('/api/v1/workspace', { version: ws.body.version + 1, visibility: { member: 'all' } });
  });

  it("under team visibility shows the workspace's target, its own and teammates' owner targets and its teams' targets only", async () => {
    const ws = await makeWorkspace(server, { visibility: { member: 'team' } });
    const [me, mate, stranger] = [await makeUser(ws, 'member'), await makeUser(ws, 'member'), await makeUser(ws, 'member')];
    const ours = await makeTeam(ws, [me, mate]);
    const theirs = await makeTeam(ws, [stranger]);
    const items = [
      { month, amount: 1 },
      { month, ownerId: me.id, amount: 2 },
      { month, ownerId: mate.id, amount: 3 },
      { month, ownerId: stranger.id, amount: 4 },
      { month, teamId: ours.id, amount: 5 },
      { month, teamId: theirs.id, amount: 6 },
    ];
    expect((await ws.admin.client.request('PUT', '/api/v1/sales-targets', { items })).status).toBe(200);
    const seen = await me.client.get('/api/v1/sales-targets');
    expect(seen.body.data.map((t: { amount: number }) => t.amount).sort()).toEqual([1, 2, 3, 5]);
    const all = await ws.admin.client.get('/api/v1/sales-targets');
    expect(all.body.data).toHaveLength(6);
  });

  it('sets, lists and removes targets; refuses bad input with 400 and other workspaces with 404', async () => {
    const list = await admin.get(`/api/v1/sales-targets?fiscalYear=${fiscalYear}`);
    expect(list.status).toBe(200);
    const ownTarget = list.body.data.find((t: ApiBody) => t.ownerId === adminId);
    expect(ownTarget).toMatchObject({ month, amount: 4_000_000, currency: 'JPY' });
    const update = await admin.request('PUT', '/api/v1/sales-targets', { items: [{ month, ownerId: adminId, amount: 5_000_000 }] });
    expect(update.body.data[0]).toMatchObject({ id: ownTarget.id, amount: 5_000_000, version: 2 });
    const removed = await admin.request('PUT', '/api/v1/sales-targets', { items: [{ month, ownerId: adminId, amount: null }] });
    expect(removed.body.data).toEqual([]);
    expect((await admin.get('/api/v1/sales-targets?scope=owner')).body.data.some((t: ApiBody) => t.ownerId === adminId)).toBe(false);

    const other = (await makeWorkspace(server)).admin.client;
    const theirPipeline = (await other.get('/api/v1/pipelines')).body.data[0];
    const theirTeam = await other.post('/api/v1/teams', { name: 'よそのチーム' });
    const theirTarget = await other.request('PUT', '/api/v1/sales-targets', { items: [{ month, amount: 1 }] });
    expect((await admin.get(`/api/v1/forecast?pipelineId=${theirPipeline.id}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/sales-dashboard?pipelineId=${theirPipeline.id}`)).status).toBe(404);
    expect((await admin.delete(`/api/v1/sales-targets/${theirTarget.body.data[0].id}`)).status).toBe(404);
    const foreignTeam = await admin.request('PUT', '/api/v1/sales-targets', { items: [{ month, teamId: theirTeam.body.id, amount: 1 }] });
    expect(foreignTeam.status).toBe(400);
    expect(foreignTeam.body.error.details.issues).toEqual([{ path: 'items.0.teamId', code: 'not_found' }]);
    // nothing of the batch was written
    expect((await other.get('/api/v1/sales-targets')).body.data).toHaveLength(1);

    for (const q of ['period=week', 'fiscalYear=abc', 'fiscalYear=1999', 'groupBy=rep', 'pipelineId=nope']) {
      expect((await admin.get(`/api/v1/forecast?${q}`)).status, q).toBe(400);
    }
    for (const items of [
      [],
      [{ month: '2026-13', amount: 1 }],
      [{ month, amount: -1 }],
      [{ month, amount: 1.5 }],
      [{ month, amount: 1, currency: 'XYZ' }],
      [{ month, amount: 1, ownerId: adminId, teamId: theirTeam.body.id }],
      [{ month, amount: 1, ownerId: 'me' }],
    ]) {
      expect((await admin.request('PUT', '/api/v1/sales-targets', { items })).status, JSON.stringify(items)).toBe(400);
    }
    expect((await admin.request('PUT', '/api/v1/sales-settings', { version: 3, fiscalStartMonth: 13 })).status).toBe(400);
    expect((await admin.get('/api/v1/sales-targets?scope=everyone')).status).toBe(400);
  });

  it('feeds the dashboard: stage totals, this month and quarter against target, reps, activity counts', async () => {
    const res = await admin.get('/api/v1/sales-dashboard');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.pipeline.id).toBe(pipeline.id);
    expect(res.body.month.key).toBe(month);
    const first = res.body.stages.find((s: ApiBody) => s.stage.id === stage('open').id);
    const board = await admin.get(`/api/v1/pipelines/${pipeline.id}/board`);
    expect(first.totals).toEqual(board.body.columns.find((c: ApiBody) => c.stage.id === stage('open').id).totals);
    expect(res.body.month.cells.find((c: ApiBody) => c.currency === 'JPY')).toMatchObject({ wonAmount: 2_000_000, target: 8_000_000 });
    expect(res.body.quarter.key).toBe(`FY${fiscalYear}-Q${Math.floor(monthIndex / 3) + 1}`);
    expect(res.body.reps.find((r: ApiBody) => r.userId === adminId).month[0]).toMatchObject({ wonCount: 1 });

    const d = await deal(admin, { title: '活動用', amount: 1 });
    const link = [{ entityType: 'deal', entityId: d.id }];
    expect((await admin.post('/api/v1/activities', { kind: 'call', links: link, call: { direction: 'out' } })).status).toBe(201);
    expect((await admin.post('/api/v1/activities', { kind: 'note', links: link, body: 'メモ' })).status).toBe(201);
    const counts = await admin.get('/api/v1/activity-counts');
    expect(counts.status).toBe(200);
    const mine = counts.body.data.find((c: ApiBody) => c.userId === adminId);
    expect(mine.week).toEqual({ total: 2, call: 1, meeting: 0 });
    expect(mine.month.total).toBeGreaterThanOrEqual(2);
  });
});
