import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace } from '../../../../test/factories.js';
import { type ApiBody, startTestServer, type TestClient, waitFor } from '../../../../test/helpers.js';
import type { Deal, Pipeline } from '../../../shared/contracts/sales.js';
import type { RunningServer } from '../../server.js';

let server: RunningServer;
let client: TestClient;
let pipeline: { id: string; stages: { id: string; kind: string; probability: number }[] };

beforeAll(async () => {
  server = await startTestServer();
  client = (await makeWorkspace(server)).admin.client;
  pipeline = (await client.get('/api/v1/pipelines')).body.data[0];
});
afterAll(async () => {
  await server?.stop();
});

describe('pipeline board', () => {
  it('returns the first page of every stage with totals, pages each stage by cursor, and keeps totals through moves', async () => {
    const [s1, s2] = pipeline.stages;
    const won = pipeline.stages.find((s) => s.kind === 'won');
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const d = await client.post('/api/v1/deals', {
        title: `案件${i}`,
        amount: 1_001 + i,
        stageId: s1?.id,
        expectedCloseDate: i % 2 ? '2026-12-10' : '2027-01-20',
      });
      ids.push(d.body.id);
    }
    await client.post('/api/v1/deals', { title: 'ドル案件', amount: 12_345, currency: 'USD', stageId: s2?.id });
    const board = await client.get(`/api/v1/pipelines/${pipeline.id}/board?limit=10`);
    expect(board.status).toBe(200);
    expect(board.body.columns).toHaveLength(pipeline.stages.length);
    const c1 = board.body.columns[0];
    expect(c1.deals).toHaveLength(10);
    // newest arrival first
    expect(c1.deals[0].id).toBe(ids[24]);
    const sum = Array.from({ length: 25 }, (_, i) => 1_001 + i).reduce((a, b) => a + b, 0);
    expect(c1.totals).toEqual([{ currency: 'JPY', count: 25, amount: sum, weightedAmount: Math.round((sum * 10) / 100) }]);
    expect(board.body.columns[1].totals).toEqual([{ currency: 'USD', count: 1, amount: 12_345, weightedAmount: 3_086 }]);

    const seen = new Set<string>(c1.deals.map((d: ApiBody) => d.id));
    let cursor = c1.nextCursor;
    while (cursor) {
      const next = await client.get(
        `/api/v1/pipelines/${pipeline.id}/stages/${s1?.id}/deals?limit=10&cursor=${encodeURIComponent(cursor)}`,
      );
      expect(next.status).toBe(200);
      for (const d of next.body.data) seen.add(d.id);
      cursor = next.body.nextCursor;
    }
    expect(seen.size).toBe(25);

    const moved = await client.post(`/api/v1/deals/${ids[0]}/move`, { version: 1, stageId: won?.id, closeReason: '決裁' });
    expect(moved.status).toBe(200);
    await client.delete(`/api/v1/deals/${ids[1]}`);
    const after = await client.get(`/api/v1/pipelines/${pipeline.id}/board?limit=10`);
    const wonColumn = after.body.columns.find((c: ApiBody) => c.stage.id === won?.id);
    expect(wonColumn.deals[0].id).toBe(ids[0]);
    expect(wonColumn.totals).toEqual([{ currency: 'JPY', count: 1, amount: 1_001, weightedAmount: 1_001 }]);
    expect(after.body.columns[0].totals[0]).toMatchObject({ count: 23, amount: sum - 1_001 - 1_002 });

    // the maintained totals agree with a fresh aggregate over the deals
    const { rows } = await server.database.pool.query(
      `SELECT t.stage_id, t.currency, t.deal_count::int AS n, t.amount::bigint AS a,
              (SELECT count(*)::int FROM deals d WHERE d.workspace_id = t.workspace_id AND d.stage_id = t.stage_id AND d.currency = t.currency AND d.deleted_at IS NULL) AS real_n,
              (SELECT coalesce(sum(amount), 0)::bigint FROM deals d WHERE d.workspace_id = t.workspace_id AND d.stage_id = t.stage_id AND d.currency = t.currency AND d.deleted_at IS NULL) AS real_a
       FROM deal_stage_totals t WHERE t.pipeline_id = $1`,
      [pipeline.id],
    );
    for (const r of rows) {
      expect(r.n).toBe(r.real_n);
      expect(String(r.a)).toBe(String(r.real_a));
    }
  });

  it('keeps the maintained totals exact under concurrent moves in opposite directions, deletes and restores', async () => {
    const fresh = (await makeWorkspace(server)).admin.client;
    const p = (await fresh.get('/api/v1/pipelines')).body.data[0];
    const [a, b] = p.stages;
    const deals: { id: string; version: number; from: string; to: string }[] = [];
    for (let i = 0; i < 16; i++) {
      const from = i % 2 ? a.id : b.id;
      const d = await fresh.post('/api/v1/deals', { title: `並行${i}`, amount: 1_000 + i, stageId: from });
      deals.push({ id: d.body.id, version: 1, from, to: from === a.id ? b.id : a.id });
    }
    const moves = await Promise.all(deals.map((d) => fresh.post(`/api/v1/deals/${d.id}/move`, { version: d.version, stageId: d.to })));
    expect(moves.map((r) => r.status)).toEqual(deals.map(() => 200));
    await fresh.delete(`/api/v1/deals/${deals[0]?.id}`);
    await fresh.delete(`/api/v1/deals/${deals[1]?.id}`);
    expect((await fresh.post(`/api/v1/deals/${deals[1]?.id}/restore`)).status).toBe(200);
    const { rows } = await server.database.pool.query(
      `SELECT t.stage_id, t.deal_count::int AS n, t.amount::text AS a,
              (SELECT count(*)::int FROM deals d WHERE d.workspace_id = t.workspace_id AND d.stage_id = t.stage_id AND d.deleted_at IS NULL) AS real_n,
              (SELECT coalesce(sum(amount), 0)::text FROM deals d WHERE d.workspace_id = t.workspace_id AND d.stage_id = t.stage_id AND d.deleted_at IS NULL) AS real_a
       FROM deal_stage_totals t WHERE t.pipeline_id = $1`,
      [p.id],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect([r.n, r.a]).toEqual([r.real_n, r.real_a]);
    const board = await fresh.get(`/api/v1/pipelines/${p.id}/board`);
    expect(board.body.columns[0].totals[0].count + board.body.columns[1].totals[0].count).toBe(15);
  });

  it('filters the board by close month and by the filter language, totals included', async () => {
    const dec = await client.get(`/api/v1/pipelines/${pipeline.id}/board?closeMonth=2026-12`);
    const c1 = dec.body.columns[0];
    expect(c1.deals.every((d: ApiBody) => d.expectedCloseDate.startsWith('2026-12'))).toBe(true);
    expect(c1.totals[0].count).toBe(c1.deals.length);
    const filter = JSON.stringify({ field: 'amount', op: 'gte', value: 1_020 });
    const big = await client.get(`/api/v1/pipelines/${pipeline.id}/board?filter=${encodeURIComponent(filter)}`);
    expect(big.status).toBe(200);
    expect(big.body.columns[0].deals.every((d: ApiBody) => d.amount >= 1_020)).toBe(true);
    expect(big.body.columns[0].totals[0].count).toBe(big.body.columns[0].deals.length);
    const table = await client.get(`/api/v1/deals?pipelineId=${pipeline.id}&filter=${encodeURIComponent(filter)}&sort=-amount`);
    expect(table.body.data[0].amount).toBeGreaterThanOrEqual(table.body.data.at(-1).amount);
  });

  it('marks open deals idle longer than the pipeline threshold as rotting; an activity or a stage change wakes them', async () => {
    const { admin } = await makeWorkspace(server);
    const c = admin.client;
    const p: Pipeline = (await c.get('/api/v1/pipelines')).body.data[0];
    const [s1, s2] = p.stages;
    const won = p.stages.find((s) => s.kind === 'won');
    expect(p.rottingDays).toBeNull();
    const make = async (title: string, stageId?: string) =>
      (await c.post('/api/v1/deals', { title, amount: 1_000, stageId, closeReason: stageId ? '決裁' : undefined })).body as Deal;
    const [idle, touched, moved, , closed] = [
      await make('放置'),
      await make('活動あり'),
      await make('移動'),
      await make('新着'),
      await make('受注済み', won?.id),
    ];
    // everything but the fresh one entered its stage 20 days ago
    await server.database.pool.query(`UPDATE deals SET stage_entered_at = now() - interval '20 days' WHERE id = ANY($1::uuid[])`, [
      [idle.id, touched.id, moved.id, closed.id],
    ]);
    const rotting = async () => {
      const board = await c.get(`/api/v1/pipelines/${p.id}/board`);
      const deals: Deal[] = board.body.columns.flatMap((col: { deals: Deal[] }) => col.deals);
      return new Map(deals.map((d) => [d.title, d.rotting]));
    };
    // no threshold: nothing rots
    expect([...(await rotting()).values()].every((r) => r === false)).toBe(true);

    const set = await c.request('PUT', `/api/v1/pipelines/${p.id}`, {
      version: p.version,
      name: p.name,
      stages: p.stages,
      rottingDays: 14,
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.rottingDays).toBe(14);
    expect(Object.fromEntries(await rotting())).toEqual({ 放置: true, 活動あり: true, 移動: true, 新着: false, 受注済み: false });

    const logged = await c.post('/api/v1/activities', {
      kind: 'note',
      body: '電話で状況確認',
      links: [{ entityType: 'deal', entityId: touched.id }],
    });
    expect(logged.status).toBe(201);
    await c.post(`/api/v1/deals/${moved.id}/move`, { version: moved.version, stageId: s2?.id });
    await waitFor('the activity wakes the deal', async () => ((await rotting()).get('活動あり') === false ? true : undefined));
    const after = Object.fromEntries(await rotting());
    expect(after).toEqual({ 放置: true, 活動あり: false, 移動: false, 新着: false, 受注済み: false });
    const idleDeal = (await c.get(`/api/v1/deals/${idle.id}`)).body as Deal;
    expect(idleDeal.rotting).toBe(true);
    expect(Date.now() - Date.parse(idleDeal.idleSince)).toBeGreaterThan(19 * 86_400_000);
    expect(s1?.id).toBe(idleDeal.stageId);

    // the threshold is an administrator's setting, within 1..3650 days; null turns it off
    const bad = await c.request('PUT', `/api/v1/pipelines/${p.id}`, {
      version: set.body.version,
      name: p.name,
      stages: p.stages,
      rottingDays: 0,
    });
    expect(bad.status).toBe(400);
    const off = await c.request('PUT', `/api/v1/pipelines/${p.id}`, {
      version: set.body.version,
      name: p.name,
      stages: p.stages,
      rottingDays: null,
    });
    expect(off.body.rottingDays).toBeNull();
    expect((await rotting()).get('放置')).toBe(false);
  });

  it('refuses bad board input with 400 and unknown pipelines with 404', async () => {
    const other = (await makeWorkspace(server)).admin.client;
    const theirs = (await other.get('/api/v1/pipelines')).body.data[0];
    expect((await client.get(`/api/v1/pipelines/${theirs.id}/board`)).status).toBe(404);
    expect((await client.get(`/api/v1/pipelines/${pipeline.id}/stages/${theirs.stages[0].id}/deals`)).status).toBe(404);
    for (const q of [
      'closeMonth=2026-13',
      'limit=0',
      'limit=1000',
      'filter=%7Bbad',
      `filter=${encodeURIComponent(JSON.stringify({ field: 'nope', op: 'eq', value: 1 }))}`,
    ]) {
      const res = await client.get(`/api/v1/pipelines/${pipeline.id}/board?${q}`);
      expect(res.status, q).toBe(400);
    }
    const badCursor = await client.get(`/api/v1/pipelines/${pipeline.id}/stages/${pipeline.stages[0]?.id}/deals?cursor=abc`);
    expect(badCursor.status).toBe(400);
    const wrongShape = Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url');
    expect((await client.get(`/api/v1/pipelines/${pipeline.id}/stages/${pipeline.stages[0]?.id}/deals?cursor=${wrongShape}`)).status).toBe(
      400,
    );
  });
});
