import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PgBoss from 'pg-boss';
import { createWorkspace } from '../../src/server/modules/accounts/index.js';
import { customersImport, importTuning, startImport, uploadImport } from '../../src/server/modules/customers/import/import.service.js';
import { type Actor, systemActor } from '../../src/server/platform/actor.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import { runImport } from '../../src/server/platform/import/import.service.js';
import { PREFECTURES } from '../../src/shared/prefectures.js';
import { copyCsvUnindexed, copyIntoIndexedTwins } from '../lib/copy-baselines.js';
import { freshDatabase } from '../lib/database.js';
import { type Benchmark, figure, round } from '../lib/types.js';

/**
 * CSV import of N people through the import service and job (parse, normalise, validate, dedup keys,
 * insert with every index of `people`), against two baselines in the same database and run: a raw `COPY` of
 * the same file into a table of text columns without indexes, and a `COPY` of the rows the import wrote into
 * empty tables with the same columns and indexes (what PostgreSQL alone needs to load and index them).
 * Scale: rows.
 */

const SURNAMES: [string, string, string][] = [
  ['佐藤', 'サトウ', 'sato'],
  ['鈴木', 'スズキ', 'suzuki'],
  ['高橋', 'タカハシ', 'takahashi'],
  ['田中', 'タナカ', 'tanaka'],
  ['伊藤', 'イトウ', 'ito'],
  ['渡辺', 'ワタナベ', 'watanabe'],
  ['山本', 'ヤマモト', 'yamamoto'],
  ['中村', 'ナカムラ', 'nakamura'],
  ['小林', 'コバヤシ', 'kobayashi'],
  ['加藤', 'カトウ', 'kato'],
  ['吉田', 'ヨシダ', 'yoshida'],
  ['山田', 'ヤマダ', 'yamada'],
  ['佐々木', 'ササキ', 'sasaki'],
  ['山口', 'ヤマグチ', 'yamaguchi'],
  ['松本', 'マツモト', 'matsumoto'],
  ['井上', 'イノウエ', 'inoue'],
  ['木村', 'キムラ', 'kimura'],
  ['林', 'ハヤシ', 'hayashi'],
  ['斎藤', 'サイトウ', 'saito'],
  ['清水', 'シミズ', 'shimizu'],
  ['山崎', 'ヤマザキ', 'yamazaki'],
  ['森', 'モリ', 'mori'],
  ['池田', 'イケダ', 'ikeda'],
  ['橋本', 'ハシモト', 'hashimoto'],
  ['阿部', 'アベ', 'abe'],
  ['石川', 'イシカワ', 'ishikawa'],
  ['長谷川', 'ハセガワ', 'hasegawa'],
  ['藤田', 'フジタ', 'fujita'],
  ['近藤', 'コンドウ', 'kondo'],
  ['村上', 'ムラカミ', 'murakami'],
];
const GIVEN: [string, string, string][] = [
  ['太郎', 'タロウ', 'taro'],
  ['花子', 'ハナコ', 'hanako'],
  ['一郎', 'イチロウ', 'ichiro'],
  ['健', 'ケン', 'ken'],
  ['翔太', 'ショウタ', 'shota'],
  ['陽菜', 'ヒナ', 'hina'],
  ['大輔', 'ダイスケ', 'daisuke'],
  ['美咲', 'ミサキ', 'misaki'],
  ['拓也', 'タクヤ', 'takuya'],
  ['由美', 'ユミ', 'yumi'],
  ['直樹', 'ナオキ', 'naoki'],
  ['恵', 'メグミ', 'megumi'],
  ['誠', 'マコト', 'makoto'],
  ['愛', 'アイ', 'ai'],
  ['浩', 'ヒロシ', 'hiroshi'],
  ['さくら', 'サクラ', 'sakura'],
  ['蓮', 'レン', 'ren'],
  ['結衣', 'ユイ', 'yui'],
  ['悠真', 'ユウマ', 'yuma'],
  ['葵', 'アオイ', 'aoi'],
];
const EN_FAMILY = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Wilson', 'Taylor'];
const EN_GIVEN = ['James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'David', 'Emily'];
const CITIES = [
  '千代田区',
  '港区',
  '新宿区',
  '横浜市西区',
  '大阪市北区',
  '名古屋市中区',
  '札幌市中央区',
  '福岡市博多区',
  '京都市下京区',
  '仙台市青葉区',
];
const TITLES = ['', '', '部長', '課長', '主任', '担当', 'マネージャー'];
const AREA = ['045', '052', '092', '011', '075', '022'];
const HEADER = '姓,名,セイ,メイ,メール,電話,携帯,郵便番号,都道府県,市区町村,住所,会社名,役職,生年月日';

/** xorshift32: the same file every run. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function digits(r: () => number, n: number) {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 10);
  return s;
}

export async function writeCsv(file: string, rows: number) {
  const r = rng(20260401);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)] as T;
  const out = fs.createWriteStream(file);
  let buf = `${HEADER}\n`;
  for (let i = 0; i < rows; i++) {
    const english = r() < 0.1;
    let cols: string[];
    const company = r() < 0.4 ? `株式会社サンプル${Math.floor(r() * 2000)}` : '';
    const mobile = r() < 0.7 ? `090-${digits(r, 4)}-${digits(r, 4)}` : '';
    const roll = r();
    const phone = roll < 0.3 ? `03-${digits(r, 4)}-${digits(r, 4)}` : roll < 0.45 ? `${pick(AREA)}-${digits(r, 3)}-${digits(r, 4)}` : '';
    const birthday = r() < 0.5 ? `${1950 + Math.floor(r() * 50)}/${1 + Math.floor(r() * 12)}/${1 + Math.floor(r() * 28)}` : '';
    const postal = `${1 + Math.floor(r() * 9)}${digits(r, 2)}-${digits(r, 4)}`;
    if (english) {
      const f = pick(EN_FAMILY);
      const g = pick(EN_GIVEN);
      cols = [f, g, '', '', `${g}.${f}.${i}@example.com`.toLowerCase(), phone, mobile];
    } else {
      const [f, fk, fr] = pick(SURNAMES);
      const [g, gk, gr] = pick(GIVEN);
      cols = [f, g, fk, gk, `${gr}.${fr}.${i}@example.jp`, phone, mobile];
    }
    const pref = pick(PREFECTURES).name;
    cols.push(
      postal,
      pref,
      pick(CITIES),
      `${1 + Math.floor(r() * 9)}-${1 + Math.floor(r() * 30)}-${1 + Math.floor(r() * 20)}`,
      company,
      company ? pick(TITLES) : '',
      birthday,
    );
    buf += `${cols.join(',')}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((res) => out.once('drain', () => res()));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise<void>((res) => out.on('finish', () => res()));
}

const IMPORTED_TABLES = ['companies', 'people', 'contact_points', 'employments'];

export const importBench: Benchmark = {
  name: 'import',
  description: 'CSV import of N people through the import job vs raw COPY of the same file (rows/s)',
  defaultScale: 1_000_000,
  async run(ctx) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-bench-'));
    const file = path.join(dir, 'people.csv');
    const db = await freshDatabase(ctx.log);
    const database = openDatabase(db.url, { poolSize: 6, applicationName: 'crm-bench' });
    const boss = new PgBoss({ connectionString: db.url, max: 2, schema: 'pgboss' });
    try {
      let t = performance.now();
      await writeCsv(file, ctx.scale);
      const mb = fs.statSync(file).size / 1024 / 1024;
      ctx.log(`generated ${ctx.scale} rows (${mb.toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

      const baseline = await copyCsvUnindexed(db.url, file, HEADER.split(',').length);
      ctx.log(`raw COPY: ${baseline.rows} rows in ${baseline.seconds.toFixed(2)} s`);

      const { workspace, userId } = await createWorkspace({
        db: database.db,
        workspace: { name: 'ベンチマーク株式会社', timeZone: 'Asia/Tokyo', locale: 'ja', currency: 'JPY' },
        admin: { name: '管理 太郎', email: 'admin@bench.example', password: 'correct horse battery staple' },
      });
      const actor: Actor = { ...systemActor(workspace.id), kind: 'user', userId };
      await boss.start();
      await boss.createQueue(customersImport.queue);

      t = performance.now();
      const up = await uploadImport({
        db: database.db,
        actor,
        entityType: 'person',
        filename: 'people.csv',
        body: fs.createReadStream(file),
      });
      const uploadSeconds = (performance.now() - t) / 1000;
      ctx.log(`upload into PostgreSQL: ${uploadSeconds.toFixed(2)} s`);
      await startImport({
        database,
        boss,
        actor,
        importId: up.id,
        input: { mapping: up.suggestedMapping, mode: 'create', matchOn: 'email' },
      });
      t = performance.now();
      let lastLog = t;
      importTuning.afterBatch = ({ to: nextRow }) => {
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          ctx.log(`  ${nextRow} rows, ${Math.round(nextRow / ((lastLog - t) / 1000))} rows/s`);
        }
      };
      await runImport(customersImport, {
        database,
        workspaceId: workspace.id,
        importId: up.id,
        log: (m, e) => ctx.log(`${m} ${JSON.stringify(e)}`),
      });
      const importSeconds = (performance.now() - t) / 1000;
      const { rows: jobRows } = await database.pool.query(
        "SELECT status, (counts->>'created')::int AS created, rejected_count::int AS rejected, failure FROM import_jobs WHERE id = $1",
        [up.id],
      );
      const job = jobRows[0];
      if (job.status !== 'completed') throw new Error(`import ${job.status}: ${job.failure}`);
      ctx.log(`import job: ${job.created} created, ${job.rejected} rejected in ${importSeconds.toFixed(2)} s`);

      // The same rows loaded by PostgreSQL alone: every row the import wrote (people, contact points,
      // employments, companies) copied out, then COPY'd into empty tables with the same columns and indexes
      // (no foreign keys, so the baseline is if anything faster). The ratio is our whole overhead: reading the
      // file, normalising, validating, dedup keys, checkpoints.
      const indexed = await copyIntoIndexedTwins(database.pool, workspace.id, dir, IMPORTED_TABLES);
      ctx.log(`COPY of the imported rows into indexed twin tables: ${indexed.seconds.toFixed(2)} s (${JSON.stringify(indexed.rows)})`);

      // Deferred GIN maintenance: what the pending lists still hold after the import.
      t = performance.now();
      await database.pool.query(
        "SELECT gin_clean_pending_list(i::regclass) FROM unnest(ARRAY['people_bigrams', 'people_trgm', 'people_tags']) i",
      );
      const ginSeconds = (performance.now() - t) / 1000;
      // Building every index of people from scratch over the imported rows.
      t = performance.now();
      await database.pool.query('REINDEX TABLE people');
      const reindexSeconds = (performance.now() - t) / 1000;
      ctx.log(`GIN pending-list flush ${ginSeconds.toFixed(2)} s; REINDEX people ${reindexSeconds.toFixed(2)} s`);

      const s = ctx.scale;
      const copyRate = baseline.rows / baseline.seconds;
      const importRate = s / importSeconds;
      return [
        figure({ figure: 'import rows/s (job)', value: round(importRate, 0), unit: 'rows/s', baseline: round(copyRate, 0), scale: s }),
        figure({
          figure: 'import rows/s (upload + job)',
          value: round(s / (importSeconds + uploadSeconds), 0),
          unit: 'rows/s',
          baseline: round(copyRate, 0),
          scale: s,
        }),
        figure({ figure: 'import job time', value: round(importSeconds), unit: 's', baseline: round(baseline.seconds), scale: s }),
        figure({ figure: 'upload into PostgreSQL', value: round(uploadSeconds), unit: 's', baseline: null, scale: s }),
        figure({ figure: 'GIN pending-list flush after', value: round(ginSeconds), unit: 's', baseline: null, scale: s }),
        figure({ figure: 'REINDEX people (all indexes)', value: round(reindexSeconds), unit: 's', baseline: null, scale: s }),
        figure({ figure: 'raw COPY rows/s', value: round(copyRate, 0), unit: 'rows/s', baseline: null, scale: s }),
        figure({
          figure: 'import rows/s vs COPY into indexed tables',
          value: round(importRate, 0),
          unit: 'rows/s',
          baseline: round(s / indexed.seconds, 0),
          scale: s,
        }),
      ];
    } finally {
      await boss.stop({ graceful: false, wait: true }).catch(() => {});
      await database.close();
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
