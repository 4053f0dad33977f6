import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace } from '../../../../test/factories.js';
import { type ApiBody, startTestServer, type TestClient, waitFor } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';

let server: RunningServer;
let client: TestClient;

beforeAll(async () => {
  server = await startTestServer();
  client = (await makeWorkspace(server)).admin.client;
});
afterAll(async () => {
  await server?.stop();
});

const lead = {
  familyName: '高橋',
  givenName: '誠',
  companyName: '株式会社サンプル商事',
  email: 'takahashi@sample-shoji.example',
  phone: '03-1234-5678',
  source: 'exhibition',
  channel: '展示会 2026 春',
};

async function count(table: string) {
  const { rows } = await server.database.pool.query(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0].n as number;
}

describe('leads', () => {
  it('creates, lists by status and updates a lead; a stale version gets 409', async () => {
    const created = await client.post('/api/v1/leads', lead);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ displayName: '高橋 誠', status: 'new', source: 'exhibition', channel: '展示会 2026 春' });
    const working = await client.patch(`/api/v1/leads/${created.body.id}`, { version: 1, status: 'working' });
    expect(working.body.status).toBe('working');
    const stale = await client.patch(`/api/v1/leads/${created.body.id}`, { version: 1, status: 'qualified' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.status).toBe('working');
    const list = await client.get('/api/v1/leads?status=working');
    expect(list.body.data.map((l: ApiBody) => l.id)).toContain(created.body.id);
    const filtered = await client.get(
      `/api/v1/leads?filter=${encodeURIComponent(JSON.stringify({ field: 'source', op: 'eq', value: 'exhibition' }))}`,
    );
    expect(filtered.body.data.length).toBeGreaterThan(0);
  });

  it('finds leads from the list’s search box by name, company, email or phone, however they are typed', async () => {
    const as = (await makeWorkspace(server)).admin.client;
    await as.post('/api/v1/leads', lead);
    await as.post('/api/v1/leads', { familyName: '佐藤', givenName: '花子', companyName: '東西運輸', phone: '06-9876-5432' });
    const names = async (value: string) => {
      const filter = encodeURIComponent(JSON.stringify({ field: 'search', op: 'contains', value }));
      const res = await as.get(`/api/v1/leads?filter=${filter}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.data as { displayName: string }[]).map((l) => l.displayName).sort();
    };
    for (const q of ['高橋誠', '高橋', 'サンプル商事', 'ｻﾝﾌﾟﾙ', 'TAKAHASHI@', '０３－１２３４', '0312345678'])
      expect(await names(q), q).toEqual(['高橋 誠']);
    expect(await names('運輸')).toEqual(['佐藤 花子']);
    expect(await names('鈴木')).toEqual([]);
    const bad = await as.get(`/api/v1/leads?filter=${encodeURIComponent(JSON.stringify({ field: 'search', op: 'eq', value: 'x' }))}`);
    expect(bad.status).toBe(400);
  });

  it('gives a lead entered without a source the source manual (手入力), not web form or other', async () => {
    const typed = await client.post('/api/v1/leads', { familyName: '手入力' });
    expect(typed.status).toBe(201);
    expect(typed.body.source).toBe('manual');
    const { rows } = await server.database.pool.query('SELECT source FROM leads WHERE id = $1', [typed.body.id]);
    expect(rows[0].source).toBe('manual');
  });

  it('converts a lead from any open status (new, working), not only qualified', async () => {
    for (const status of ['new', 'working'] as const) {
      const open = await client.post('/api/v1/leads', { familyName: `開始${status}`, email: `${status}@open-lead.example`, status });
      const res = await client.post(`/api/v1/leads/${open.body.id}/convert`, {
        version: 1,
        person: { mode: 'new' },
        deal: { title: `開始 ${status}`, amount: 300_000 },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.lead.status).toBe('converted');
      expect(res.body.dealId).not.toBeNull();
      const again = await client.post(`/api/v1/leads/${open.body.id}/convert`, { version: res.body.lead.version, person: { mode: 'new' } });
      expect(again.body.error.code).toBe('lead_not_convertible');
    }
  });

  it('refuses bad lead input', async () => {
    for (const body of [
      {},
      { familyName: '' },
      { familyName: 'a', source: 'tv' },
      { familyName: 'a', status: 'converted' },
      { familyName: 'a', email: 'not-mail' },
    ]) {
      const res = await client.post('/api/v1/leads', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('converts a qualified lead into a person, a company and a deal in one step', async () => {
    const created = await client.post('/api/v1/leads', { ...lead, status: 'qualified' });
    const out = await client.post('/api/v1/leads', { ...lead, status: 'disqualified' });
    const refused = await client.post(`/api/v1/leads/${out.body.id}/convert`, { version: 1, person: { mode: 'new' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('lead_not_convertible');

    const res = await client.post(`/api/v1/leads/${created.body.id}/convert`, {
      version: 1,
      person: { mode: 'new' },
      company: { mode: 'new' },
      deal: { title: 'サンプル商事 CRM 導入', amount: 2_400_000 },
    });
    expect(res.status).toBe(200);
    expect(res.body.lead).toMatchObject({
      status: 'converted',
      convertedPersonId: res.body.personId,
      convertedCompanyId: res.body.companyId,
      convertedDealId: res.body.dealId,
    });
    const person = await client.get(`/api/v1/people/${res.body.personId}`);
    expect(person.body).toMatchObject({ familyName: '高橋', givenName: '誠', companyId: res.body.companyId });
    expect(person.body.emails[0].address).toBe(lead.email);
    const company = await client.get(`/api/v1/companies/${res.body.companyId}`);
    expect(company.body.name).toBe('株式会社サンプル商事');
    const deal = await client.get(`/api/v1/deals/${res.body.dealId}`);
    expect(deal.body).toMatchObject({
      leadId: created.body.id,
      person: { id: res.body.personId },
      company: { id: res.body.companyId },
      amount: 2_400_000,
    });
    const { rows } = await server.database.pool.query(`SELECT payload FROM outbox WHERE type = 'lead.converted' AND entity_id = $1`, [
      created.body.id,
    ]);
    expect(rows[0].payload).toMatchObject({
      leadId: created.body.id,
      personId: res.body.personId,
      companyId: res.body.companyId,
      dealId: res.body.dealId,
    });
    const again = await client.post(`/api/v1/leads/${created.body.id}/convert`, {
      version: res.body.lead.version,
      person: { mode: 'new' },
    });
    expect(again.status).toBe(409);
  });

  it("carries the lead's history onto the new person's timeline (and the company's, as a roll-up)", async () => {
    const created = await client.post('/api/v1/leads', { ...lead, email: 'history@sample-shoji.example' });
    const qualified = await client.patch(`/api/v1/leads/${created.body.id}`, { version: 1, status: 'qualified' });
    expect(qualified.status).toBe(200);
    const wait = (path: string, n: number) =>
      waitFor(`${n} lead entries on ${path}`, async () => {
        const entries = ((await client.get(path)).body.data ?? []).filter((e: ApiBody) => e.kind === 'lead');
        return entries.length >= n ? entries : undefined;
      });
    // The lead's own history is on the lead before it converts.
    expect((await wait(`/api/v1/timeline/lead/${created.body.id}`, 2)).length).toBe(2);
    const res = await client.post(`/api/v1/leads/${created.body.id}/convert`, {
      version: 2,
      person: { mode: 'new', ignoreDuplicates: true },
      company: { mode: 'new', ignoreDuplicates: true },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // created + status change + converted, each once.
    const onPerson = await wait(`/api/v1/timeline/person/${res.body.personId}`, 3);
    expect(onPerson.map((e: ApiBody) => e.summary.action).sort()).toEqual(['converted', 'created', 'status_changed']);
    const onCompany = await wait(`/api/v1/timeline/company/${res.body.companyId}`, 3);
    expect(onCompany.length).toBe(3);
  });

  it('leaves nothing behind when the conversion fails half-way (deal in a stage of another pipeline)', async () => {
    const other = (await makeWorkspace(server)).admin.client;
    const foreignStage = (await other.get('/api/v1/pipelines')).body.data[0].stages[0].id;
    const created = await client.post('/api/v1/leads', { ...lead, familyName: '途中', email: 'halfway@example.test', status: 'qualified' });
    const before = { people: await count('people'), companies: await count('companies'), deals: await count('deals') };
    const res = await client.post(`/api/v1/leads/${created.body.id}/convert`, {
      version: 1,
      person: { mode: 'new', ignoreDuplicates: true },
      company: { mode: 'new', name: '途中で失敗株式会社', ignoreDuplicates: true },
      deal: { title: '失敗する商談', stageId: foreignStage },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toBe('deal.stageId');
    expect({ people: await count('people'), companies: await count('companies'), deals: await count('deals') }).toEqual(before);
    const still = await client.get(`/api/v1/leads/${created.body.id}`);
    expect(still.body).toMatchObject({ status: 'qualified', convertedPersonId: null, version: 1 });
  });

  it('links a lead to an existing person and company; ids of another workspace are refused', async () => {
    const p = await client.post('/api/v1/people', { familyName: '既存', ignoreDuplicates: true });
    const created = await client.post('/api/v1/leads', { familyName: '既存', status: 'qualified' });
    const other = (await makeWorkspace(server)).admin.client;
    const theirs = await other.post('/api/v1/people', { familyName: '他社' });
    const refused = await client.post(`/api/v1/leads/${created.body.id}/convert`, {
      version: 1,
      person: { mode: 'existing', id: theirs.body.id },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.issues[0].path).toBe('person.id');
    const ok = await client.post(`/api/v1/leads/${created.body.id}/convert`, { version: 1, person: { mode: 'existing', id: p.body.id } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ personId: p.body.id, companyId: null, dealId: null });
    expect((await client.get(`/api/v1/leads/${theirs.body.id}`)).status).toBe(404);
  });
});

describe('products', () => {
  it('keeps SKUs unique per workspace, computes the margin, pages by name', async () => {
    const a = await client.post('/api/v1/products', {
      sku: 'SKU-1',
      name: 'ベーシック',
      category: 'ライセンス',
      unitPrice: 1_000,
      cost: 400,
      currency: 'JPY',
    });
    expect(a.status).toBe(201);
    expect(a.body.margin).toBe(600);
    const dup = await client.post('/api/v1/products', { sku: 'sku-1', name: '重複', unitPrice: 1, currency: 'JPY' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('sku_taken');
    const other = (await makeWorkspace(server)).admin.client;
    expect((await other.post('/api/v1/products', { sku: 'SKU-1', name: '別会社', unitPrice: 1, currency: 'JPY' })).status).toBe(201);
    expect((await other.get(`/api/v1/products/${a.body.id}`)).status).toBe(404);
    expect((await other.patch(`/api/v1/products/${a.body.id}`, { version: 1, name: 'x' })).status).toBe(404);
    for (const body of [
      { sku: 'N', name: 'n', unitPrice: -1, currency: 'JPY' },
      { sku: 'N', name: 'n', unitPrice: 1.5, currency: 'JPY' },
      { sku: 'N', name: 'n', unitPrice: 1, currency: 'ABC' },
      { sku: '', name: 'n', unitPrice: 1, currency: 'JPY' },
    ]) {
      expect((await client.post('/api/v1/products', body)).status, JSON.stringify(body)).toBe(400);
    }
    for (let i = 0; i < 5; i++) await client.post('/api/v1/products', { sku: `P-${i}`, name: `商品${i}`, unitPrice: i, currency: 'JPY' });
    const first = await client.get('/api/v1/products?limit=3');
    const second = await client.get(`/api/v1/products?limit=3&cursor=${first.body.nextCursor}`);
    const names = [...first.body.data, ...second.body.data].map((p: ApiBody) => p.name);
    expect(new Set(names).size).toBe(names.length);
    const off = await client.patch(`/api/v1/products/${a.body.id}`, { version: 1, active: false });
    expect(off.body.active).toBe(false);
    expect((await client.get('/api/v1/products?active=true')).body.data.map((p: ApiBody) => p.id)).not.toContain(a.body.id);
    const stale = await client.patch(`/api/v1/products/${a.body.id}`, { version: 1, name: 'x' });
    expect(stale.status).toBe(409);
  });
});
