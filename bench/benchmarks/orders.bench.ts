import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PgBoss from 'pg-boss';
import { createToken, createWorkspace } from '../../src/server/modules/accounts/index.js';
import { ordersImport, uploadOrderImport } from '../../src/server/modules/commerce/index.js';
import { type Actor, systemActor } from '../../src/server/platform/actor.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import { newId } from '../../src/server/platform/ids.js';
import { runImport } from '../../src/server/platform/import/import.service.js';
import { copyCsvUnindexed, copyIntoIndexedTwins } from '../lib/copy-baselines.js';
import { freshDatabase } from '../lib/database.js';
import { seedPeople } from '../lib/people-seed.js';
import { summarize } from '../lib/stats.js';
import { startTarget } from '../lib/target.js';
import { type Benchmark, figure, round } from '../lib/types.js';

/**
 * CSV import of N orders (default 1,000,000; one in five with a second line) for N/10 customers matched by
 * email and 500 products matched by SKU, through the commerce import job (upload into PostgreSQL + job): parse, validate, match,
 * insert orders and lines, product pairs and the customers' metrics (person and company), in batches.
 * Baselines in the same run: (a) raw `COPY` of the same CSV into a table of text columns without indexes,
 * (b) `COPY` of the rows the import wrote (orders, order_lines, person_metrics, product_pairs) into empty
 * twin tables with the same columns and indexes — what PostgreSQL alone needs to load and index them.
 * Then: POST one order through the API → GET that person's metrics shows it (ms, 20 times).
 */

const HEADER = '注文番号,注文日時,メールアドレス,SKU,数量,単価,ステータス,支払方法,チャネル,店舗';
const STATUSES = ['完了', '完了', '完了', '発送済み', '入金済み', 'キャンセル', '返金済み'];
const PAYMENTS = ['クレジットカード', 'コンビニ払い', '代金引換', '銀行振込'];
const STORES = ['オンライン', '渋谷店', '梅田店', '札幌店'];
const PRODUCTS = 500;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function writeCsv(file: string, orders: number, emails: string[]) {
  const rand = rng(7);
  const out = fs.createWriteStream(file);
  let buf = `${HEADER}\n`;
  let rows = 0;
  for (let i = 0; i < orders; i++) {
    const email = emails[Math.floor(rand() * emails.length)] as string;
    const at = new Date(Date.UTC(2021, 0, 1) + Math.floor(rand() * 5 * 365 * 86_400_000)).toISOString();
    const status = STATUSES[Math.floor(rand() * STATUSES.length)];
    const pay = PAYMENTS[Math.floor(rand() * PAYMENTS.length)];
    const store = STORES[Math.floor(rand() * STORES.length)];
    const lines = rand() < 0.2 ? 2 : 1;
    for (let l = 0; l < lines; l++) {
      // Zipf-like product popularity, so pairs repeat as in real baskets.
      const sku = `SKU-${String(Math.floor(PRODUCTS * rand() ** 2)).padStart(4, '0')}`;
      buf += `B-${i},${at},${email},${sku},${1 + Math.floor(rand() * 3)},,${status},${pay},${store === 'オンライン' ? 'EC' : '店舗'},${store}\n`;
      rows++;
    }
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise<void>((res) => out.on('finish', () => res()));
  return rows;
}

const WRITTEN_TABLES = ['orders', 'order_lines', 'person_metrics', 'company_metrics', 'product_pairs'];

export const ordersBench: Benchmark = {
  name: 'orders',
  description: 'order import (N orders, N/10 customers, metrics and pairs included) vs COPY; order → metrics visible (ms)',
  defaultScale: 1_000_000,
  async run(ctx) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-orders-bench-'));
    const file = path.join(dir, 'orders.csv');
    const db = await freshDatabase(ctx.log);
    const database = openDatabase(db.url, { poolSize: 8, applicationName: 'crm-bench' });
    const boss = new PgBoss({ connectionString: db.url, max: 2, schema: 'pgboss' });
    try {
      const { workspace, userId } = await createWorkspace({
        db: database.db,
        workspace: { name: 'ベンチ通販株式会社', timeZone: 'Asia/Tokyo', locale: 'ja', currency: 'JPY' },
        admin: { name: '管理 太郎', email: 'admin@orders.bench', password: 'correct horse battery staple' },
      });
      const actor: Actor = { ...systemActor(workspace.id), kind: 'user', userId };
      const customers = Math.max(10, Math.round(ctx.scale / 10));
      await seedPeople(db.url, workspace.id, userId, customers, ctx.log);
      for (let i = 0; i < PRODUCTS; i += 100) {
        await database.db
          .insertInto('products')
          .values(
            Array.from({ length: 100 }, (_, k) => ({
              workspace_id: workspace.id,
              id: newId(),
              sku: `SKU-${String(i + k).padStart(4, '0')}`,
              name: `商品 ${i + k}`,
              unit_price: 500 + ((i + k) % 40) * 250,
              currency: 'JPY',
            })),
          )
          .execute();
      }
      const emails = (
        await database.pool.query("SELECT value FROM contact_points WHERE workspace_id = $1 AND kind = 'email'", [workspace.id])
      ).rows.map((r) => r.value as string);

      let t = performance.now();
      const rows = await writeCsv(file, ctx.scale, emails);
      const mb = fs.statSync(file).size / 1024 / 1024;
      ctx.log(`generated ${ctx.scale} orders in ${rows} rows (${mb.toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

      const baseline = await copyCsvUnindexed(db.url, file, HEADER.split(',').length);
      ctx.log(`raw COPY into an unindexed text table: ${baseline.rows} rows in ${baseline.seconds.toFixed(2)} s`);

      // As the API runs it: the upload stores the file in PostgreSQL and queues the job; the job reads it back.
      await boss.start();
      await boss.createQueue(ordersImport.queue);
      t = performance.now();
      const up = await uploadOrderImport({
        database,
        boss,
        actor,
        filename: 'orders.csv',
        format: 'csv',
        encoding: 'utf8',
        body: fs.createReadStream(file),
      });
      const uploadSeconds = (performance.now() - t) / 1000;
      ctx.log(`upload into PostgreSQL: ${uploadSeconds.toFixed(2)} s`);
      t = performance.now();
      await runImport(ordersImport, {
        database,
        workspaceId: workspace.id,
        importId: up.id,
        log: (m, e) => ctx.log(`${m} ${JSON.stringify(e)}`),
      });
      const jobSeconds = (performance.now() - t) / 1000;
      const importSeconds = uploadSeconds + jobSeconds;
      const job = (
        await database.pool.query(
          `SELECT status, rows_total::int AS rows, (counts->>'inserted')::int AS orders, (counts->>'skipped')::int AS skipped,
                  rejected_count::int AS rejected, failure FROM import_jobs WHERE id = $1`,
          [up.id],
        )
      ).rows[0];
      if (job.status !== 'completed') throw new Error(`import ${job.status}: ${job.failure}`);
      const result = { rows: job.rows as number, orders: job.orders as number };
      ctx.log(
        `import (upload + job): ${job.orders} orders (${job.rows} rows, ${job.rejected} rejected, ${job.skipped} skipped) in ${importSeconds.toFixed(2)} s (job ${jobSeconds.toFixed(2)} s)`,
      );
      if (result.orders !== ctx.scale) throw new Error(`expected ${ctx.scale} orders, got ${result.orders}`);
      const check = (
        await database.pool.query(
          `SELECT (SELECT sum(purchase_count) FROM person_metrics WHERE workspace_id = $1)::bigint AS counted,
                  (SELECT count(*) FROM orders WHERE workspace_id = $1 AND status NOT IN ('cancelled', 'refunded'))::bigint AS expected`,
          [workspace.id],
        )
      ).rows[0];
      if (check.counted !== check.expected) throw new Error(`metrics disagree with orders: ${check.counted} vs ${check.expected}`);

      const indexed = await copyIntoIndexedTwins(database.pool, workspace.id, dir, WRITTEN_TABLES);
      ctx.log(`COPY of the written rows into indexed twin tables: ${indexed.seconds.toFixed(2)} s (${JSON.stringify(indexed.rows)})`);

      // One order through the API, then the person's metrics through the API: how soon they show it.
      const { token } = await createToken({ db: database.db, actor, name: 'bench', scopes: ['read', 'write'] });
      const people = (await database.pool.query('SELECT id FROM people WHERE workspace_id = $1 ORDER BY id LIMIT 20', [workspace.id])).rows;
      const target = await startTarget('full-app.ts', {
        env: { BENCH_DATABASE: db.url, BENCH_DATA_DIR: db.dataDir },
        profileDir: ctx.profileDir,
      });
      const visible: number[] = [];
      try {
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        for (const p of people) {
          const before = (await (await fetch(`${target.url}/api/v1/people/${p.id}/metrics`, { headers })).json()) as {
            purchaseCount: number;
          };
          const t0 = performance.now();
          const res = await fetch(`${target.url}/api/v1/orders`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ personId: p.id, currency: 'JPY', lines: [{ sku: 'SKU-0001', quantity: 1 }] }),
          });
          if (res.status !== 201) throw new Error(`POST order: ${res.status} ${await res.text()}`);
          for (;;) {
            const m = (await (await fetch(`${target.url}/api/v1/people/${p.id}/metrics`, { headers })).json()) as { purchaseCount: number };
            if (m.purchaseCount === before.purchaseCount + 1) break;
            if (performance.now() - t0 > 10_000) throw new Error('metrics not updated within 10 s');
          }
          visible.push(performance.now() - t0);
        }
      } finally {
        await target.stop();
      }
      const latency = summarize(visible);
      ctx.log(
        `order → metrics visible: p50 ${latency.p50.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms (in order: ${visible.map((v) => v.toFixed(0)).join(', ')})`,
      );

      const s = ctx.scale;
      const copyRate = baseline.rows / baseline.seconds;
      const importRowRate = result.rows / importSeconds;
      return [
        figure({
          figure: 'order import rows/s vs raw COPY (unindexed text table)',
          value: round(importRowRate, 0),
          unit: 'rows/s',
          baseline: round(copyRate, 0),
          scale: s,
        }),
        figure({
          figure: 'order import orders/s vs COPY of the written rows into indexed twins',
          value: round(s / importSeconds, 0),
          unit: 'orders/s',
          baseline: round(s / indexed.seconds, 0),
          scale: s,
        }),
        figure({
          figure: 'order import time (upload + job)',
          value: round(importSeconds),
          unit: 's',
          baseline: round(indexed.seconds),
          scale: s,
        }),
        figure({ figure: 'order import upload into PostgreSQL', value: round(uploadSeconds), unit: 's', baseline: null, scale: s }),
        figure({ figure: 'POST order → GET metrics shows it, p50', value: round(latency.p50, 1), unit: 'ms', baseline: null, scale: s }),
        figure({ figure: 'POST order → GET metrics shows it, max', value: round(latency.max, 1), unit: 'ms', baseline: 1000, scale: s }),
      ];
    } finally {
      await boss.stop({ graceful: false, wait: true }).catch(() => {});
      await database.close();
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
