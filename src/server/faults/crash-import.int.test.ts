import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers.js';
import { type CrashHarness, seeded, startCrashHarness } from './crash-support.js';

/**
 * SIGKILL during an order import (the server as a real child process), then a restart on the same database: the
 * import resumes by itself from its committed batches and ends with exactly the file's valid orders.
 */

const random = seeded(20260611);

let h: CrashHarness;

beforeAll(async () => {
  h = await startCrashHarness({ dataDirPrefix: 'crm-fault-import-' });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('SIGKILL during an order import', () => {
  it('resumes after a restart and ends with exactly the valid orders of the file, none twice', async () => {
    expect((await h.client.call('POST', '/api/v1/products', { sku: 'K-1', name: '商品', unitPrice: 100, currency: 'JPY' })).status).toBe(
      201,
    );
    expect((await h.client.call('POST', '/api/v1/people', { familyName: '購入', emails: [{ address: 'buyer@example.jp' }] })).status).toBe(
      201,
    );
    // More orders than one batch (5,000): the kill can land between committed batches. Every 1,000th is bad.
    const ORDERS = 9_000;
    const rows: string[] = [];
    let valid = 0;
    for (let i = 0; i < ORDERS; i++) {
      const bad = i % 1000 === 7;
      if (!bad) valid++;
      rows.push(`KL-${i},2026/06/01,buyer@example.jp,K-1,${bad ? -1 : 1}`);
    }
    const csv = `注文番号,注文日時,メールアドレス,SKU,数量\n${rows.join('\n')}\n`;
    const up = await h.client.call('POST', '/api/v1/orders/imports?format=csv', csv);
    expect(up.status).toBe(202);

    // The kill point: a random moment after the first batch committed (in the second batch or just after it), so
    // the restarted job must skip the committed orders and not write them twice.
    const killAfter = Math.round(random() * 1_500);
    await waitFor(
      'the first batch to commit',
      async () => {
        const job = (await h.client.call('GET', `/api/v1/orders/imports/${up.body.id}`)).body;
        return job.processed > 0 || job.status === 'completed';
      },
      { timeoutMs: 90_000, intervalMs: 20 },
    );
    await new Promise((r) => setTimeout(r, killAfter));
    const before = (await h.client.call('GET', `/api/v1/orders/imports/${up.body.id}`)).body;
    const t0 = Date.now();
    const restartMs = await h.killAndRestart();
    const job = await waitFor(
      'the import to finish after the restart',
      async () => {
        const r = (await h.client.call('GET', `/api/v1/orders/imports/${up.body.id}`)).body;
        return r.status === 'completed' || r.status === 'failed' ? r : undefined;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        describe: async () => (await h.client.call('GET', `/api/v1/orders/imports/${up.body.id}`)).body,
      },
    );
    const resumedMs = Date.now() - t0;
    expect(job).toMatchObject({ status: 'completed', rowsTotal: ORDERS, processed: ORDERS, inserted: valid, rejected: ORDERS - valid });
    const [counts] = await h.q(
      'SELECT count(*)::int AS n, count(DISTINCT order_number)::int AS d FROM orders WHERE workspace_id = $1 AND deleted_at IS NULL',
      [h.workspaceId],
    );
    expect(counts).toEqual({ n: valid, d: valid });
    const [lines] = await h.q('SELECT count(*)::int AS n FROM order_lines WHERE workspace_id = $1', [h.workspaceId]);
    expect(lines.n).toBe(valid);
    const [metrics] = await h.q('SELECT purchase_count::int AS n FROM person_metrics WHERE workspace_id = $1', [h.workspaceId]);
    expect(metrics?.n).toBe(valid);
    console.log(
      `[faults] order import: killed ${killAfter} ms after the first batch committed, at ${before.processed}/${ORDERS} processed (${before.status}); restart ${restartMs} ms; ` +
        `completed ${resumedMs} ms after the kill`,
    );
  }, 300_000);
});
