import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { makePerson, makeProduct, makeWorkspace } from '../../../../test/factories.js';
import { signIn, startTestServer, waitFor } from '../../../../test/helpers.js';
import { commerceServer, errorsOf, importCsv, metricsOf, openShop, uploadOrders, waitImport } from './commerce.test-support.js';
import { orderImportTuning } from './import.service.js';

/** Order import through the API: rejected rows and their report, metrics and pairs, XLSX, timeline, a restart mid-import. */

const h = commerceServer();
const shop = () => openShop(h.server);

describe('order import job', () => {
  it('imports in the background, rejects bad rows with reasons, updates metrics and skips repeats', async () => {
    const { workspace, client, product, person } = await shop();
    await product('A-1', 1000);
    await product('B-2', 500);
    await product('USD-1', 10, 'USD');
    const p = await person('インポート', 'imp@example.jp');
    const other = await shop();
    const foreign = await other.person('他社', 'imp@example.jp');
    await other.product('F-1', 100);
    const csv = [
      '注文番号,注文日時,メールアドレス,顧客ID,SKU,数量,単価,ステータス,通貨,店舗',
      'R-1,2026/03/01 10:00,imp@example.jp,,A-1,2,,完了,,渋谷店',
      'R-1,2026/03/01 10:00,imp@example.jp,,B-2,1,450,完了,,渋谷店',
      'R-2,2026/03/05,imp@example.jp,,A-1,-1,,完了,,渋谷店',
      'R-3,2026/03/06,nobody@example.jp,,A-1,1,,完了,,渋谷店',
      'R-4,2026/03/07,imp@example.jp,,ZZZ,1,,完了,,渋谷店',
      'R-5,2026/03/08,imp@example.jp,,B-2,3,,キャンセル,,渋谷店',
      'R-6,2026/03/09,imp@example.jp,,A-1,1,,完了,USD,渋谷店',
      'R-7,2026/03/10,imp@example.jp,,USD-1,1,,完了,,渋谷店',
      `R-8,2026/03/11,,${foreign},A-1,1,,完了,,渋谷店`,
      'R-9,2026/03/12,imp@example.jp,,F-1,1,,完了,,渋谷店',
      'R-10,2026/03/13,imp@example.jp,,A-1,1.5,-3,完了,,渋谷店',
      'R-11,2026/03/14,imp@example.jp,,A-1,1,,完了,,渋谷店',
      'R-11,2026/03/14,imp@example.jp,,A-1,0,,完了,,渋谷店',
      ',2026/03/15,imp@example.jp,,A-1,1,,完了,,渋谷店',
    ].join('\n');
    const { id, job } = await importCsv(client, csv);
    expect(job).toMatchObject({ status: 'completed', rowsTotal: 14, processed: 14, inserted: 2, skipped: 0, rejected: 11, progress: 1 });
    expect(await errorsOf(client, id)).toEqual([
      { row: 4, orderNumber: 'R-2', reasons: ['invalid_quantity'] },
      { row: 5, orderNumber: 'R-3', reasons: ['unknown_customer'] },
      { row: 6, orderNumber: 'R-4', reasons: ['unknown_product'] },
      { row: 8, orderNumber: 'R-6', reasons: ['wrong_currency'] },
      { row: 9, orderNumber: 'R-7', reasons: ['currency_mismatch'] },
      // Another workspace's person and product are unknown here.
      { row: 10, orderNumber: 'R-8', reasons: ['unknown_customer'] },
      { row: 11, orderNumber: 'R-9', reasons: ['unknown_product'] },
      { row: 12, orderNumber: 'R-10', reasons: ['invalid_quantity', 'invalid_price'] },
      { row: 13, orderNumber: 'R-11', reasons: ['order_has_rejected_line'] },
      { row: 14, orderNumber: 'R-11', reasons: ['invalid_quantity'] },
      { row: 15, orderNumber: null, reasons: ['order_number_required'] },
    ]);
    const m = await metricsOf(client, p);
    expect(m).toMatchObject({ purchaseCount: 1, purchaseTotal: 2450, purchaseQuantity: 3, realisedValue: 2450 });
    expect(m.firstPurchaseAt).toBe('2026-03-01T01:00:00.000Z');
    expect(await metricsOf(other.client, foreign)).toMatchObject({ purchaseCount: 0 });

    // The report: the file's columns, the row number and the reasons in the user's language.
    const report = await client.request('GET', `/api/v1/orders/imports/${id}/errors.csv`);
    expect(report.status).toBe(200);
    const text = String(report.body);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe('注文番号,注文日時,メールアドレス,顧客ID,SKU,数量,単価,ステータス,通貨,店舗,行番号,エラー理由');
    expect(lines[1]).toBe('R-2,2026/03/05,imp@example.jp,,A-1,-1,,完了,,渋谷店,4,数量は 1 以上の整数で入力してください');
    expect(lines).toHaveLength(13);

    // The same file again creates nothing twice.
    const again = await importCsv(client, csv);
    expect(again.job).toMatchObject({ status: 'completed', inserted: 0, skipped: 2, rejected: 11 });
    expect((await metricsOf(client, p)).purchaseCount).toBe(1);
    const count = await h.server.database.pool.query('SELECT count(*)::int AS n FROM orders WHERE workspace_id = $1', [workspace.id]);
    expect(count.rows[0].n).toBe(2);

    // Another workspace cannot see the job.
    expect((await other.client.get(`/api/v1/orders/imports/${id}`)).status).toBe(404);
    expect((await other.client.get(`/api/v1/orders/imports/${id}/errors.csv`)).status).toBe(404);
  });

  it('counts products bought together from an imported file like from orders entered one by one', async () => {
    const { workspace, client, product, person } = await shop();
    for (const sku of ['PA', 'PB', 'PC']) await product(sku, 100);
    const buyer = await person('ペア', 'pair@example.jp');
    const rows = [
      ['P-1', 'PA'],
      ['P-1', 'PB'],
      ['P-2', 'PA'],
      ['P-2', 'PB'],
      ['P-2', 'PC'],
      ['P-3', 'PA', 'キャンセル'],
      ['P-3', 'PC', 'キャンセル'],
      ['P-4', 'PA'],
      ['P-4', 'PA'],
      ['P-4', 'PC'],
      ['P-5', 'PB'],
    ];
    const csv = ['注文番号,注文日時,メールアドレス,SKU,数量,ステータス']
      .concat(rows.map(([n, sku, status]) => `${n},2026/04/01,pair@example.jp,${sku},1,${status ?? '完了'}`))
      .join('\n');
    expect((await importCsv(client, csv)).job).toMatchObject({ status: 'completed', inserted: 5, rejected: 0 });
    const pairs = await h.server.database.pool.query(
      `SELECT a.sku || '+' || b.sku AS pair, pp.orders FROM product_pairs pp
       JOIN products a ON a.workspace_id = pp.workspace_id AND a.id = pp.product_id
       JOIN products b ON b.workspace_id = pp.workspace_id AND b.id = pp.other_product_id
       WHERE pp.workspace_id = $1 ORDER BY 1`,
      [workspace.id],
    );
    // The cancelled order is not counted; a product twice in one order counts once.
    expect(Object.fromEntries(pairs.rows.map((r) => [r.pair, r.orders]))).toEqual({
      'PA+PB': 2,
      'PA+PC': 2,
      'PB+PA': 2,
      'PB+PC': 1,
      'PC+PA': 2,
      'PC+PB': 1,
    });
    expect(await metricsOf(client, buyer)).toMatchObject({ purchaseCount: 4, purchaseQuantity: 9 });
  });

  it('refuses a file without the required columns at upload and keeps nothing', async () => {
    const { workspace, client } = await shop();
    const bad = await uploadOrders(client, 'a,b\n1,2');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0]).toMatchObject({ path: 'header', code: 'missing_columns' });
    const empty = await uploadOrders(client, '');
    expect(empty.status).toBe(400);
    const jobs = await h.server.database.pool.query(
      "SELECT count(*)::int AS n FROM import_jobs WHERE workspace_id = $1 AND kind = 'orders'",
      [workspace.id],
    );
    expect(jobs.rows[0].n).toBe(0);
  });

  it('pushes the progress and the failure of a job to those who may see it, so a screen following it never waits in vain', async () => {
    const { workspace, client, product, person } = await shop();
    await product('FL-1', 100);
    await person('失敗', 'fail@example.jp');
    orderImportTuning.afterBatch = () => {
      throw new Error('disk on fire');
    };
    try {
      const { id, job } = await importCsv(client, '注文番号,注文日時,メールアドレス,SKU\nFL-1,2026/05/01,fail@example.jp,FL-1\n');
      expect(job).toMatchObject({ status: 'failed', failure: 'disk on fire' });
      const { rows } = await h.server.database.pool.query(
        `SELECT entity_type, payload->>'status' AS status, payload->>'ownerId' AS owner FROM outbox
          WHERE workspace_id = $1 AND type = 'import.progress' AND entity_id = $2 ORDER BY id`,
        [workspace.id, id],
      );
      expect(rows).toEqual([
        { entity_type: 'import', status: 'running', owner: workspace.admin.id },
        { entity_type: 'import', status: 'failed', owner: workspace.admin.id },
      ]);
    } finally {
      orderImportTuning.afterBatch = undefined;
    }
  });

  it('gives every order of a small file its timeline entry on the customer', async () => {
    const { client, product, person } = await shop();
    await product('T-1', 700);
    const p = await person('時系列', 'tl@example.jp');
    const { job } = await importCsv(client, '注文番号,注文日時,メールアドレス,SKU,数量\nTL-1,2026/05/01 09:00,tl@example.jp,T-1,2\n');
    expect(job).toMatchObject({ status: 'completed', inserted: 1, timeline: true });
    const entry = await waitFor('the purchase entry', async () =>
      ((await client.get(`/api/v1/timeline/person/${p}`)).body.data as { kind: string }[]).find((e) => e.kind === 'purchase'),
    );
    expect(JSON.stringify(entry)).toContain('TL-1');
  });

  it('reads an XLSX sheet with English headers and matches customers by phone and id', async () => {
    const { client, product, person } = await shop();
    await product('X-1', 800);
    const byId = await person('ID一致');
    const byPhone = (await client.post('/api/v1/people', { familyName: '電話一致', phones: [{ number: '090-1111-2222' }] })).body.id;
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('orders');
    sheet.addRow(['Order number', 'Ordered at', 'Customer ID', 'Phone', 'SKU', 'Quantity', 'Status']);
    sheet.addRow(['X-100', new Date('2026-04-01T03:00:00Z'), byId, '', 'X-1', 3, 'shipped']);
    sheet.addRow(['X-101', '2026-04-02', '', '09011112222', 'X-1', 1, 'paid']);
    const body = Buffer.from(await wb.xlsx.writeBuffer());
    const up = await uploadOrders(
      client,
      body,
      'format=xlsx&filename=orders.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(up.status).toBe(202);
    expect(await waitImport(client, up.body.id)).toMatchObject({ status: 'completed', rowsTotal: 2, inserted: 2, rejected: 0 });
    expect(await metricsOf(client, byId)).toMatchObject({
      purchaseCount: 1,
      purchaseTotal: 2400,
      firstPurchaseAt: '2026-04-01T03:00:00.000Z',
    });
    expect(await metricsOf(client, byPhone)).toMatchObject({
      purchaseCount: 1,
      purchaseTotal: 800,
      firstPurchaseAt: '2026-04-01T15:00:00.000Z',
    });
  });
});

describe('order import across a restart', () => {
  it('resumes from the committed batches without duplicating or losing orders, lines or metric sums', async () => {
    const first = await startTestServer();
    const workspace = await makeWorkspace(first);
    let c = workspace.admin.client;
    await makeProduct(c, { sku: 'S-1', unitPrice: 100 });
    const p = (await makePerson(c, { familyName: '再開', emails: [{ address: 'resume@example.jp' }] })).id;
    // 30 orders, every third with a second line (40 rows); order RS-7 (row 12) is bad.
    const rows: string[] = [];
    for (let i = 0; i < 30; i++) {
      rows.push(`RS-${i},2026/06/01,resume@example.jp,S-1,${i === 7 ? -1 : 1}`);
      if (i % 3 === 0) rows.push(`RS-${i},2026/06/01,resume@example.jp,S-1,2`);
    }
    const csv = `注文番号,注文日時,メールアドレス,SKU,数量\n${rows.join('\n')}\n`;
    orderImportTuning.batchSize = 4;
    let chunks = 0;
    let stopping: Promise<void> | undefined;
    orderImportTuning.afterBatch = async () => {
      chunks++;
      // The server goes down right after the first batch committed.
      if (chunks === 1) stopping = first.stop();
    };
    try {
      const up = await uploadOrders(c, csv);
      expect(up.status).toBe(202);
      while (!stopping) await new Promise((r) => setTimeout(r, 10));
      await stopping;
      const second = await startTestServer({ databaseUrl: first.databaseUrl });
      try {
        c = await signIn(second, workspace.admin.email);
        const job = await waitImport(c, up.body.id);
        expect(job).toMatchObject({ status: 'completed', rowsTotal: 40, processed: 40, inserted: 29, rejected: 1 });
        expect(chunks).toBeGreaterThan(2);
        const q = (text: string) => second.database.pool.query(text, [workspace.id]).then((r) => r.rows[0]);
        expect(await q('SELECT count(*)::int AS n, count(DISTINCT order_number)::int AS d FROM orders WHERE workspace_id = $1')).toEqual({
          n: 29,
          d: 29,
        });
        expect(await q('SELECT count(*)::int AS n FROM order_lines WHERE workspace_id = $1')).toEqual({ n: 29 + 10 });
        // Metric sums equal the orders: no batch was counted twice.
        expect(await metricsOf(c, p)).toMatchObject({ purchaseCount: 29, purchaseQuantity: 29 + 10 * 2, purchaseTotal: (29 + 20) * 100 });
        expect(await errorsOf(c, up.body.id)).toEqual([{ row: 12, orderNumber: 'RS-7', reasons: ['invalid_quantity'] }]);
        const parts = await second.database.pool.query('SELECT count(*)::int AS n FROM import_files WHERE import_id = $1', [up.body.id]);
        expect(parts.rows[0].n).toBe(0);
      } finally {
        await second.stop();
      }
    } finally {
      orderImportTuning.batchSize = 5000;
      orderImportTuning.afterBatch = undefined;
    }
  });
});
