import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPipeline, makeWorkspace } from '../../../../test/factories.js';
import { type ApiBody, addUser, startTestServer, type TestClient, waitFor } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';

let server: RunningServer;
let admin: TestClient;

beforeAll(async () => {
  server = await startTestServer();
  admin = (await makeWorkspace(server)).admin.client;
});
afterAll(async () => {
  await server?.stop();
});

/** A workspace of its own: its administrator's client and its default pipeline (made by reading it). */
async function freshWorkspace() {
  const { admin } = await makeWorkspace(server);
  return { client: admin.client, pipeline: await defaultPipeline(admin.client) };
}

describe('pipelines', () => {
  it('creates the default pipeline with Japanese stages once, even when asked concurrently', async () => {
    const { client } = await freshWorkspace();
    const [a, b] = await Promise.all([client.get('/api/v1/pipelines'), client.get('/api/v1/pipelines')]);
    expect(a.status).toBe(200);
    expect(a.body.data).toHaveLength(1);
    expect(b.body.data[0].id).toBe(a.body.data[0].id);
    expect(a.body.data[0].stages.map((s: ApiBody) => [s.name, s.probability, s.kind])).toEqual([
      ['初回接触', 10, 'open'],
      ['ヒアリング', 25, 'open'],
      ['提案', 50, 'open'],
      ['見積提出', 70, 'open'],
      ['交渉', 85, 'open'],
      ['受注', 100, 'won'],
      ['失注', 0, 'lost'],
    ]);
  });

  it('lets an administrator reorder, re-weight and add stages but not remove one that has deals', async () => {
    const { client, pipeline } = await freshWorkspace();
    const [first, second, ...rest] = pipeline.stages;
    await client.post('/api/v1/deals', { title: 'A', stageId: second?.id });
    const stages = [second, first, ...rest].map((s: ApiBody) => ({ id: s.id, name: s.name, probability: s.probability, kind: s.kind }));
    stages[0] = { ...stages[0], probability: 30 } as (typeof stages)[0];
    const res = await client.request('PUT', `/api/v1/pipelines/${pipeline.id}`, {
      version: pipeline.version,
      name: '新規営業',
      stages: [...stages, { name: 'デモ', probability: 40, kind: 'open' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.stages[0]).toMatchObject({ id: second?.id, probability: 30, position: 0 });
    expect(res.body.stages.at(-1)).toMatchObject({ name: 'デモ', probability: 40 });
    const removing = await client.request('PUT', `/api/v1/pipelines/${pipeline.id}`, {
      version: res.body.version,
      name: '新規営業',
      stages: stages.filter((s) => s.id !== second?.id),
    });
    expect(removing.status).toBe(409);
    expect(removing.body.error.code).toBe('stage_in_use');
    const stale = await client.request('PUT', `/api/v1/pipelines/${pipeline.id}`, { version: pipeline.version, name: 'x', stages });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.version).toBe(res.body.version);
  });

  it('refuses stage settings from a member and bad probabilities', async () => {
    const { client, pipeline } = await freshWorkspace();
    const member = await addUser(server, client, 'member');
    const body = {
      version: pipeline.version,
      name: 'x',
      stages: pipeline.stages.map((s) => ({ id: s.id, name: s.name, probability: s.probability, kind: s.kind })),
    };
    expect((await member.client.request('PUT', `/api/v1/pipelines/${pipeline.id}`, body)).status).toBe(403);
    const bad = await client.request('PUT', `/api/v1/pipelines/${pipeline.id}`, {
      ...body,
      stages: [{ name: 'a', probability: 101, kind: 'open' }, ...body.stages],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });
});

describe('deals', () => {
  it('creates a deal in the first open stage of the default pipeline and reads it back', async () => {
    const res = await admin.post('/api/v1/deals', { title: '基幹システム更改', amount: 1_200_000, expectedCloseDate: '2026-12-15' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: '基幹システム更改',
      amount: 1_200_000,
      currency: 'JPY',
      stageName: '初回接触',
      probability: 10,
      weightedAmount: 120_000,
      status: 'open',
      version: 1,
    });
    const read = await admin.get(`/api/v1/deals/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.lineItems).toEqual([]);
  });

  it('prices line items from products in integers and makes the amount their sum', async () => {
    const { client } = await freshWorkspace();
    const p = await client.post('/api/v1/products', {
      sku: 'CRM-STD',
      name: 'CRM スタンダード',
      unitPrice: 3_300,
      cost: 1_100,
      currency: 'JPY',
    });
    expect(p.status).toBe(201);
    expect(p.body.margin).toBe(2_200);
    const deal = await client.post('/api/v1/deals', {
      title: 'ライセンス',
      lineItems: [
        { productId: p.body.id, quantity: 3, discountType: 'percent', discountValue: 1250 },
        { name: '導入支援', quantity: 1, unitPrice: 50_000, discountType: 'amount', discountValue: 5_000 },
      ],
    });
    expect(deal.status).toBe(201);
    // 9,900 − 12.5 % (1,237.5 → 1,238) = 8,662; 50,000 − 5,000 = 45,000
    expect(deal.body.amount).toBe(53_662);
    const read = await client.get(`/api/v1/deals/${deal.body.id}`);
    expect(read.body.lineItems.map((l: ApiBody) => [l.name, l.sku, l.lineTotal, l.unitCost])).toEqual([
      ['CRM スタンダード', 'CRM-STD', 8_662, 1_100],
      ['導入支援', null, 45_000, null],
    ]);
    const amountEdit = await client.patch(`/api/v1/deals/${deal.body.id}`, { version: read.body.version, amount: 1 });
    expect(amountEdit.status).toBe(400);
    const put = await client.request('PUT', `/api/v1/deals/${deal.body.id}/line-items`, {
      version: read.body.version,
      items: [{ productId: p.body.id, quantity: 10 }],
    });
    expect(put.status).toBe(200);
    expect(put.body.amount).toBe(33_000);
    expect(put.body.version).toBe(read.body.version + 1);
  });

  it('refuses bad line items and references with a 400 and changes nothing', async () => {
    const { client, pipeline } = await freshWorkspace();
    const other = await freshWorkspace();
    const usd = await client.post('/api/v1/products', { sku: 'US-1', name: 'US plan', unitPrice: 999, currency: 'usd' });
    expect(usd.body.currency).toBe('USD');
    const otherProduct = await other.client.post('/api/v1/products', { sku: 'X', name: 'x', unitPrice: 1, currency: 'JPY' });
    const cases: [string, unknown, string][] = [
      ['negative quantity', { title: 'x', lineItems: [{ name: 'a', quantity: -1, unitPrice: 1 }] }, 'lineItems.0.quantity'],
      ['zero quantity', { title: 'x', lineItems: [{ name: 'a', quantity: 0, unitPrice: 1 }] }, 'lineItems.0.quantity'],
      ['fractional yen', { title: 'x', amount: 10.5 }, 'amount'],
      ['negative amount', { title: 'x', amount: -1 }, 'amount'],
      [
        'unknown product',
        { title: 'x', lineItems: [{ productId: '0190f5d4-8f8c-7000-8000-000000000000', quantity: 1 }] },
        'lineItems.0.productId',
      ],
      [
        'product of another workspace',
        { title: 'x', lineItems: [{ productId: otherProduct.body.id, quantity: 1 }] },
        'lineItems.0.productId',
      ],
      ['product in another currency', { title: 'x', lineItems: [{ productId: usd.body.id, quantity: 1 }] }, 'lineItems.0.productId'],
      ['unknown currency', { title: 'x', currency: 'XYZ' }, 'currency'],
      ['not a currency code', { title: 'x', currency: 'yen' }, 'currency'],
      ['stage of another pipeline', { title: 'x', stageId: other.pipeline.stages[0]?.id }, 'stageId'],
      ['pipeline of another workspace', { title: 'x', pipelineId: other.pipeline.id }, 'pipelineId'],
      ['person of another workspace', { title: 'x', personId: '0190f5d4-8f8c-7000-8000-000000000001' }, 'personId'],
      [
        'percent over 100',
        { title: 'x', lineItems: [{ name: 'a', quantity: 1, unitPrice: 1, discountType: 'percent', discountValue: 10_001 }] },
        'lineItems.0.discountValue',
      ],
    ];
    for (const [name, body, path] of cases) {
      const res = await client.post('/api/v1/deals', body);
      expect(res.status, name).toBe(400);
      expect(res.body.error.code, name).toBe('validation_failed');
      expect(JSON.stringify(res.body.error.details.issues.map((i: ApiBody) => i.path)), name).toContain(path);
    }
    const lost = pipeline.stages.find((s) => s.kind === 'lost');
    // a lost deal without a reason, where the administrator requires one
    await client.request('PUT', '/api/v1/sales-settings', { version: 1, closeReasonRequired: true });
    const noReason = await client.post('/api/v1/deals', { title: 'x', stageId: lost?.id });
    expect(noReason.status).toBe(400);
    const list = await client.get(`/api/v1/deals?pipelineId=${pipeline.id}`);
    expect(list.body.data).toEqual([]);
  });

  it("answers 404 for another workspace's deal and 409 with the current record for a stale version", async () => {
    const { client } = await freshWorkspace();
    const other = await freshWorkspace();
    const theirs = await other.client.post('/api/v1/deals', { title: '他社' });
    expect((await client.get(`/api/v1/deals/${theirs.body.id}`)).status).toBe(404);
    expect((await client.patch(`/api/v1/deals/${theirs.body.id}`, { version: 1, title: 'x' })).status).toBe(404);
    expect((await client.post(`/api/v1/deals/${theirs.body.id}/move`, { version: 1, stageId: other.pipeline.stages[1]?.id })).status).toBe(
      404,
    );
    expect((await client.delete(`/api/v1/deals/${theirs.body.id}`)).status).toBe(404);
    expect((await client.get(`/api/v1/deals/${theirs.body.id}/stage-history`)).status).toBe(404);
    const mine = await client.post('/api/v1/deals', { title: '自社' });
    const first = await client.patch(`/api/v1/deals/${mine.body.id}`, { version: 1, nextStep: '見積送付' });
    expect(first.status).toBe(200);
    const stale = await client.patch(`/api/v1/deals/${mine.body.id}`, { version: 1, nextStep: '電話' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('conflict');
    expect(stale.body.error.details.current).toMatchObject({ nextStep: '見積送付', version: 2 });
  });

  it('keeps stage history with the time spent in each stage; lost needs a reason when required, won closes the deal', async () => {
    const { client, pipeline } = await freshWorkspace();
    const required = await client.request('PUT', '/api/v1/sales-settings', { version: 1, closeReasonRequired: true });
    expect(required.body).toMatchObject({ closeReasonRequired: true, fiscalStartMonth: 4 });
    const [s1, s2] = pipeline.stages;
    const won = pipeline.stages.find((s) => s.kind === 'won');
    const lost = pipeline.stages.find((s) => s.kind === 'lost');
    const deal = await client.post('/api/v1/deals', { title: '履歴', amount: 500_000 });
    // pretend the deal entered its first stage an hour ago
    await server.database.pool.query(`UPDATE deal_stage_history SET entered_at = now() - interval '1 hour' WHERE deal_id = $1`, [
      deal.body.id,
    ]);
    const moved = await client.post(`/api/v1/deals/${deal.body.id}/move`, { version: 1, stageId: s2?.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stageId: s2?.id, probability: 25, weightedAmount: 125_000 });
    const noReason = await client.post(`/api/v1/deals/${deal.body.id}/move`, { version: 2, stageId: lost?.id });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.issues[0].path).toBe('closeReason');
    const closed = await client.post(`/api/v1/deals/${deal.body.id}/move`, {
      version: 2,
      stageId: won?.id,
      closeReason: '価格と導入実績',
      competitor: 'A社',
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'won', closeReason: '価格と導入実績', competitor: 'A社' });
    expect(closed.body.closedAt).not.toBeNull();
    const history = await client.get(`/api/v1/deals/${deal.body.id}/stage-history`);
    expect(history.body.data.map((h: ApiBody) => h.stageId)).toEqual([s1?.id, s2?.id, won?.id]);
    expect(history.body.data[0].durationSeconds).toBeGreaterThanOrEqual(3600);
    expect(history.body.data[0].durationSeconds).toBeLessThan(3700);
    expect(history.body.data[0].leftAt).toBe(history.body.data[1].enteredAt);
    expect(history.body.data[2].leftAt).toBeNull();
    const reopened = await client.post(`/api/v1/deals/${deal.body.id}/move`, { version: 3, stageId: s1?.id });
    expect(reopened.body).toMatchObject({ status: 'open', closedAt: null, closeReason: null });
    const { rows } = await server.database.pool.query(
      `SELECT type, payload FROM outbox WHERE entity_id = $1 AND entity_type = 'deal' ORDER BY id`,
      [deal.body.id],
    );
    const types = rows.map((r) => r.type);
    expect(types).toEqual(['deal.created', 'deal.stage_changed', 'deal.stage_changed', 'deal.won', 'deal.stage_changed']);
    const wonEvent = rows.find((r) => r.type === 'deal.won');
    expect(wonEvent.payload.timeline).toMatchObject({
      kind: 'deal',
      links: [{ entityType: 'deal', entityId: deal.body.id }],
      summary: { reason: '価格と導入実績' },
    });
  });

  it('closes a deal without a reason unless the administrator requires one (a sales setting, optional by default)', async () => {
    const { client, pipeline } = await freshWorkspace();
    const won = pipeline.stages.find((s) => s.kind === 'won');
    const lost = pipeline.stages.find((s) => s.kind === 'lost');
    expect((await client.get('/api/v1/sales-settings')).body).toMatchObject({ closeReasonRequired: false });
    const a = await client.post('/api/v1/deals', { title: '理由なし', amount: 10_000 });
    const lostNoReason = await client.post(`/api/v1/deals/${a.body.id}/move`, { version: 1, stageId: lost?.id });
    expect(lostNoReason.status).toBe(200);
    expect(lostNoReason.body).toMatchObject({ status: 'lost', closeReason: null });
    const created = await client.post('/api/v1/deals', { title: '失注で作成', amount: 1, stageId: lost?.id });
    expect(created.status).toBe(201);

    const settings = await client.request('PUT', '/api/v1/sales-settings', { version: 1, closeReasonRequired: true });
    expect(settings.body).toMatchObject({ closeReasonRequired: true, version: 2 });
    const member = await addUser(server, client, 'member', '佐藤 一郎');
    expect((await member.client.request('PUT', '/api/v1/sales-settings', { version: 2, closeReasonRequired: false })).status).toBe(403);
    const b = await client.post('/api/v1/deals', { title: '理由必須', amount: 10_000 });
    const wonNoReason = await client.post(`/api/v1/deals/${b.body.id}/move`, { version: 1, stageId: won?.id });
    expect(wonNoReason.status).toBe(400);
    expect(wonNoReason.body.error.details.issues[0].path).toBe('closeReason');
    const wonWithReason = await client.post(`/api/v1/deals/${b.body.id}/move`, { version: 1, stageId: won?.id, closeReason: '価格' });
    expect(wonWithReason.status).toBe(200);
  });

  it("puts the deal on its own and its company's timeline through the outbox (won with its reason)", async () => {
    const { client, pipeline } = await freshWorkspace();
    const company = await client.post('/api/v1/companies', { name: '株式会社タイムライン' });
    const won = pipeline.stages.find((s) => s.kind === 'won');
    const deal = await client.post('/api/v1/deals', { title: '年間契約', amount: 900_000, companyId: company.body.id });
    await client.post(`/api/v1/deals/${deal.body.id}/move`, { version: 1, stageId: won?.id, closeReason: '導入実績' });
    const entries: ApiBody[] = await waitFor('two deal entries', async () => {
      const data = (await client.get(`/api/v1/timeline/deal/${deal.body.id}`)).body.data ?? [];
      return data.length >= 2 ? data : undefined;
    });
    expect(entries.map((e) => e.kind)).toEqual(['deal', 'deal']);
    expect(entries[0].summary).toMatchObject({ action: 'won', reason: '導入実績' });
    const onCompany = (await client.get(`/api/v1/timeline/company/${company.body.id}`)).body.data.filter((e: ApiBody) => e.kind === 'deal');
    expect(onCompany.length).toBe(2);
  });

  it('takes activities logged on a deal and a lead; another workspace cannot log on them or read their timeline', async () => {
    const { client } = await freshWorkspace();
    const deal = await client.post('/api/v1/deals', { title: '活動記録テスト', amount: 100_000 });
    const lead = await client.post('/api/v1/leads', { familyName: '見込', source: 'other' });
    for (const [type, id] of [
      ['deal', deal.body.id],
      ['lead', lead.body.id],
    ] as const) {
      const logged = await client.post('/api/v1/activities', {
        kind: 'call',
        subject: '条件の確認',
        links: [{ entityType: type, entityId: id }],
        call: { direction: 'out', durationSeconds: 300 },
      });
      expect(logged.status, JSON.stringify(logged.body)).toBe(201);
      const calls: ApiBody[] = await waitFor(`the call on the ${type}`, async () => {
        const data = ((await client.get(`/api/v1/timeline/${type}/${id}?kinds=call`)).body.data ?? []) as ApiBody[];
        return data.length ? data : undefined;
      });
      expect(calls.map((e) => e.summary.subject)).toEqual(['条件の確認']);
    }
    const other = await freshWorkspace();
    const foreign = await other.client.post('/api/v1/activities', {
      kind: 'note',
      body: 'x',
      links: [{ entityType: 'deal', entityId: deal.body.id }],
    });
    expect(foreign.status).toBe(404);
    expect((await other.client.get(`/api/v1/timeline/deal/${deal.body.id}`)).status).toBe(404);
    expect((await other.client.get(`/api/v1/timeline/lead/${lead.body.id}`)).status).toBe(404);
  });

  it('hides deals from a member whose visibility is own, on the board and by id', async () => {
    const { client, pipeline } = await freshWorkspace();
    const ws = await client.get('/api/v1/workspace');
    await client.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own' } });
    const member = await addUser(server, client, 'member');
    const hidden = await client.post('/api/v1/deals', { title: '管理者の商談', amount: 100 });
    const mine = await member.client.post('/api/v1/deals', { title: '自分の商談', amount: 7 });
    expect((await member.client.get(`/api/v1/deals/${hidden.body.id}`)).status).toBe(404);
    const board = await member.client.get(`/api/v1/pipelines/${pipeline.id}/board`);
    const first = board.body.columns[0];
    expect(first.deals.map((d: ApiBody) => d.id)).toEqual([mine.body.id]);
    expect(first.totals).toEqual([{ currency: 'JPY', count: 1, amount: 7, weightedAmount: 1 }]);
  });

  it("shows its customers' names, filters and sorts by its company's name, and routes territory rules on its company's prefecture", async () => {
    const { client } = await freshWorkspace();
    const rep = await addUser(server, client, 'member');
    const alpha = await client.post('/api/v1/companies', { name: 'Alpha KK', prefecture: '大阪府', ignoreDuplicates: true });
    const beta = await client.post('/api/v1/companies', { name: 'Beta KK', prefecture: '東京都', ignoreDuplicates: true });
    const person = await client.post('/api/v1/people', { familyName: '山田', givenName: '太郎', companyId: alpha.body.id });
    const rule = await client.post('/api/v1/assignment-rules', {
      objectType: 'deal',
      name: '関西',
      method: 'territory',
      territories: [{ prefectures: ['大阪府'], userId: rep.userId }],
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const routed = await client.post('/api/v1/deals', { title: 'A', personId: person.body.id, companyId: alpha.body.id });
    const b = await client.post('/api/v1/deals', { title: 'B', companyId: beta.body.id, ownerId: rep.userId });
    const none = await client.post('/api/v1/deals', { title: 'C', ownerId: rep.userId });
    expect(routed.body.ownerId).toBe(rep.userId);
    expect(routed.body).toMatchObject({
      person: { id: person.body.id, name: '山田 太郎' },
      company: { id: alpha.body.id, name: 'Alpha KK' },
    });

    const sorted = await client.get('/api/v1/deals?sort=company.name');
    expect(sorted.body.data.map((d: { id: string }) => d.id)).toEqual([none.body.id, routed.body.id, b.body.id]);
    expect(sorted.body.data.map((d: { company: { name: string } | null }) => d.company?.name ?? null)).toEqual([
      null,
      'Alpha KK',
      'Beta KK',
    ]);
    const filter = encodeURIComponent(JSON.stringify({ field: 'company.name', op: 'contains', value: 'beta' }));
    expect((await client.get(`/api/v1/deals?filter=${filter}`)).body.data.map((d: { id: string }) => d.id)).toEqual([b.body.id]);
    const board = await rep.client.get(`/api/v1/pipelines/${routed.body.pipelineId}/board`);
    const onBoard = board.body.columns.flatMap((c: { deals: { id: string; person: { name: string } | null }[] }) => c.deals);
    expect(onBoard.find((d: { id: string }) => d.id === routed.body.id)?.person?.name).toBe('山田 太郎');
  });
});
