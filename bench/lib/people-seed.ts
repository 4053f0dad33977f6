import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { toRomaji } from 'wanakana';
import { contactPoints, indexPerson, type StoredEmail, type StoredPhone } from '../../src/server/modules/customers/records/indexing.js';
import { newId } from '../../src/server/platform/ids.js';
import { PREFECTURES } from '../../src/shared/prefectures.js';

/** Deterministic generator of realistic Japanese and English people, written with COPY (seeding is not what is measured). */

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
  ['山下', 'ヤマシタ', 'yamashita'],
  ['中島', 'ナカジマ', 'nakajima'],
  ['石井', 'イシイ', 'ishii'],
  ['小川', 'オガワ', 'ogawa'],
  ['前田', 'マエダ', 'maeda'],
  ['岡田', 'オカダ', 'okada'],
  ['長谷川', 'ハセガワ', 'hasegawa'],
  ['藤田', 'フジタ', 'fujita'],
  ['後藤', 'ゴトウ', 'goto'],
  ['近藤', 'コンドウ', 'kondo'],
  ['村上', 'ムラカミ', 'murakami'],
  ['遠藤', 'エンドウ', 'endo'],
  ['青木', 'アオキ', 'aoki'],
  ['坂本', 'サカモト', 'sakamoto'],
  ['斉藤', 'サイトウ', 'saito'],
  ['福田', 'フクダ', 'fukuda'],
  ['太田', 'オオタ', 'ota'],
  ['西村', 'ニシムラ', 'nishimura'],
  ['藤井', 'フジイ', 'fujii'],
  ['金子', 'カネコ', 'kaneko'],
  ['岡本', 'オカモト', 'okamoto'],
  ['藤原', 'フジワラ', 'fujiwara'],
  ['中野', 'ナカノ', 'nakano'],
  ['三浦', 'ミウラ', 'miura'],
  ['原田', 'ハラダ', 'harada'],
  ['中川', 'ナカガワ', 'nakagawa'],
  ['松田', 'マツダ', 'matsuda'],
  ['竹内', 'タケウチ', 'takeuchi'],
  ['小野', 'オノ', 'ono'],
  ['田村', 'タムラ', 'tamura'],
  ['中山', 'ナカヤマ', 'nakayama'],
  ['和田', 'ワダ', 'wada'],
  ['石田', 'イシダ', 'ishida'],
  ['森田', 'モリタ', 'morita'],
];
const GIVEN: [string, string][] = [
  ['太郎', 'タロウ'],
  ['花子', 'ハナコ'],
  ['一郎', 'イチロウ'],
  ['健', 'ケン'],
  ['翔太', 'ショウタ'],
  ['陽菜', 'ヒナ'],
  ['大輔', 'ダイスケ'],
  ['美咲', 'ミサキ'],
  ['拓也', 'タクヤ'],
  ['由美', 'ユミ'],
  ['直樹', 'ナオキ'],
  ['恵', 'メグミ'],
  ['誠', 'マコト'],
  ['愛', 'アイ'],
  ['隆', 'タカシ'],
  ['真由美', 'マユミ'],
  ['浩', 'ヒロシ'],
  ['さくら', 'サクラ'],
  ['蓮', 'レン'],
  ['結衣', 'ユイ'],
  ['悠真', 'ユウマ'],
  ['葵', 'アオイ'],
  ['湊', 'ミナト'],
  ['陽翔', 'ハルト'],
];
const EN_FAMILY = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Wilson', 'Taylor'];
const EN_GIVEN = ['James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'David', 'Emily'];

/** xorshift32: the same data every run. */
export function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

export interface SeededPerson {
  id: string;
  familyName: string;
  givenName: string;
  kana: string | null;
  email: string;
  phoneDigits: string;
  /** The company as typed on this person's row (some with a legal form before or after), or null. */
  companyName: string | null;
}

/** 200 company names (大和運輸, 東西商事 …); rows write them with or without a legal form, as real lists do. */
const COMPANY_WORDS = ['大和', '東西', '日本', '中央', '北斗', '富士', '青葉', '三光', '明星', '朝日'];
const COMPANY_TRADES = ['運輸', '商事', '工業', '電機', '物産', '建設', '食品', '製作所', '化学', '印刷'];
const COMPANIES = COMPANY_WORDS.flatMap((w) => COMPANY_TRADES.flatMap((t) => [`${w}${t}`, `${w}${t}サービス`]));
const LEGAL_FORMS = [(n: string) => `株式会社${n}`, (n: string) => `${n}(株)`, (n: string) => `㈱${n}`, (n: string) => `${n}株式会社`];

function copyText(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = Array.isArray(v)
    ? `{${v.map((x) => `"${String(x).replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`
    : typeof v === 'object'
      ? JSON.stringify(v)
      : String(v);
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const COLUMNS = [
  'workspace_id',
  'id',
  'family_name',
  'given_name',
  'family_name_kana',
  'given_name_kana',
  'emails',
  'phones',
  'postal_code',
  'prefecture',
  'city',
  'owner_id',
  'tags',
  'name_key',
  'kana_key',
  'sort_key',
  'search_text',
  'search_bigrams',
  'created_at',
  'updated_at',
];

/**
 * Insert `count` people into a workspace. Secondary indexes are dropped during the load and rebuilt
 * after it (how a DBA loads a table), then the table is analysed. Returns a sample of the people.
 */
export async function seedPeople(url: string, workspaceId: string, ownerId: string, count: number, log: (m: string) => void) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const sample: SeededPerson[] = [];
  const rand = rng(42);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)] as T;
  const client = await pool.connect();
  try {
    const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('people', 'contact_points') AND indexname NOT LIKE '%_pkey'",
    );
    for (const ix of indexes) await client.query(`DROP INDEX ${ix.indexname}`);
    const started = Date.now();
    const points: string[] = [];
    function* rows() {
      for (let i = 0; i < count; i++) {
        const english = rand() < 0.15;
        const id = newId();
        let family: string;
        let given: string;
        let fk: string | null = null;
        let gk: string | null = null;
        let local: string;
        if (english) {
          family = pick(EN_FAMILY);
          given = pick(EN_GIVEN);
          local = `${given}.${family}`.toLowerCase();
        } else {
          // Zipf-like: common surnames much more frequent, as in real registers.
          const s = SURNAMES[Math.min(SURNAMES.length - 1, Math.floor(SURNAMES.length * rand() ** 2))] as [string, string, string];
          const g = pick(GIVEN);
          [family, fk] = [s[0], s[1]];
          [given, gk] = [g[0], g[1]];
          local = `${toRomaji(g[1])}.${s[2]}`;
        }
        const email = `${local}${i}@example${i % 50}.jp`;
        const mid = String(1000 + Math.floor(rand() * 9000));
        const last = String(1000 + Math.floor(rand() * 9000));
        const prefix = pick(['090', '080', '070']);
        const phone: StoredPhone = {
          label: 'mobile',
          number: `${prefix}-${mid}-${last}`,
          e164: `+81${prefix.slice(1)}${mid}${last}`,
          digits: `${prefix}${mid}${last}`,
        };
        const emails: StoredEmail[] = [{ label: 'work', address: email, normalized: email }];
        const pref = PREFECTURES[Math.min(46, Math.floor(47 * rand() ** 1.5))] as { name: string };
        const companyName = rand() < 0.4 ? pick(LEGAL_FORMS)(pick(COMPANIES)) : null;
        const idx = indexPerson({
          familyName: family,
          givenName: given,
          familyNameKana: fk,
          givenNameKana: gk,
          emails,
          phones: [phone],
          companyName,
        });
        const tags = rand() < 0.05 ? ['vip'] : rand() < 0.2 ? ['newsletter'] : [];
        const at = new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 6 * 365 * 86_400_000)).toISOString();
        if (sample.length < 2000 && rand() < 0.01)
          sample.push({
            id,
            familyName: family,
            givenName: given,
            kana: fk ? fk + gk : null,
            email,
            phoneDigits: phone.digits,
            companyName,
          });
        for (const cp of contactPoints(workspaceId, 'person', id, emails, [phone]))
          points.push([cp.workspace_id, cp.kind, cp.value, cp.entity_type, cp.entity_id].join('\t'));
        const values = [
          workspaceId,
          id,
          family,
          given,
          fk,
          gk,
          JSON.stringify(emails),
          JSON.stringify([phone]),
          null,
          pref.name,
          null,
          ownerId,
          tags,
          idx.name_key,
          idx.kana_key,
          idx.sort_key,
          idx.search_text,
          idx.search_bigrams,
          at,
          at,
        ];
        yield `${values.map(copyText).join('\t')}\n`;
        if ((i + 1) % 200_000 === 0) log(`  generated ${i + 1} people`);
      }
    }
    await pipeline(Readable.from(rows()), client.query(copyFrom(`COPY people (${COLUMNS.join(', ')}) FROM STDIN`)));
    await pipeline(
      Readable.from(
        (function* () {
          for (const p of points) yield `${p}\n`;
        })(),
      ),
      client.query(copyFrom('COPY contact_points (workspace_id, kind, value, entity_type, entity_id) FROM STDIN')),
    );
    log(`  copied ${count} people in ${((Date.now() - started) / 1000).toFixed(1)} s; rebuilding ${indexes.length} indexes`);
    const ixStarted = Date.now();
    await client.query("SET maintenance_work_mem = '512MB'");
    for (const ix of indexes) await client.query(ix.indexdef);
    await client.query('ANALYZE people');
    await client.query('ANALYZE contact_points');
    log(`  indexes rebuilt and analysed in ${((Date.now() - ixStarted) / 1000).toFixed(1)} s`);
  } finally {
    client.release();
    await pool.end();
  }
  return sample;
}
