import { describe, expect, it } from 'vitest';
import {
  companyNameKey,
  fiscalYear,
  formatJapaneseName,
  kanaNameKey,
  nameSortKey,
  normalizeEmail,
  normalizeForSearch,
  normalizePhone,
  parseWareki,
  personNameKey,
  phoneSearchDigits,
  readingToRomaji,
  romajiVariants,
  searchBigrams,
  toHiragana,
  toKatakana,
  toWareki,
} from './jp-text.js';
import { PREFECTURES, prefectureByCode, prefectureByName } from './prefectures.js';

describe('normalizeForSearch', () => {
  it.each([
    // width, case and script
    ['ﾔﾏﾀﾞ', 'やまだ'],
    ['ヤマダ', 'やまだ'],
    ['やまだ', 'やまだ'],
    ['ＹＡＭＡＤＡ　Taro', 'yamadataro'],
    ['ｶﾞｷﾞｸﾞ', 'がぎぐ'],
    ['か゛', 'が'],
    // long vowel mark kept inside kana words, so ラーメン and ラメン stay different
    ['ラーメン', 'らーめん'],
    ['ﾗｰﾒﾝ', 'らーめん'],
    ['ラメン', 'らめん'],
    ['コーヒー', 'こーひー'],
    // ヴ and small kana are not folded to something else
    ['ヴィンテージ', 'ゔぃんてーじ'],
    ['キャッシュ', 'きゃっしゅ'],
    ['ヶ', 'け'],
    ['霞ヶ関', '霞け関'],
    ['霞ケ関', '霞け関'],
    // hyphens of every kind in addresses and phone numbers
    ['１−２−３', '123'],
    ['1ｰ2ｰ3', '123'],
    ['1‐2‐3', '123'],
    ['1‑2‑3', '123'],
    ['1–2—3', '123'],
    ['1−2⁃3', '123'],
    ['1﹣2－3', '123'],
    ['東京都千代田区千代田1ー1', '東京都千代田区千代田11'],
    ['ABCーDEF', 'abcdef'],
    ['03(1234)5678', '0312345678'],
    // tildes, dots, spaces, brackets
    ['10〜20', '1020'],
    ['10～20', '1020'],
    ['10~20', '1020'],
    ['ジョン・スミス', 'じょんすみす'],
    ['ｼﾞｮﾝ･ｽﾐｽ', 'じょんすみす'],
    ['山田\u3000太郎', '山田太郎'],
    ['  山田\t太郎\n', '山田太郎'],
    ['「山田」【太郎】', '山田太郎'],
    ['taro.yamada@example.co.jp', 'taroyamadaexamplecojp'],
    ['zero\u200bwidth', 'zerowidth'],
    // different kanji stay different: 髙/高, 﨑/崎, 𠮷/吉
    ['髙橋', '髙橋'],
    ['高橋', '高橋'],
    ['山﨑', '山﨑'],
    ['𠮷野家', '𠮷野家'],
    ['㈱山田', '株山田'],
    ['', ''],
    ['   ', ''],
    ['\u3000', ''],
    ['ー', ''],
  ])('%s → %s', (input, expected) => {
    expect(normalizeForSearch(input)).toBe(expected);
  });

  it('keeps emoji without crashing (ZWJ is dropped)', () => {
    expect(normalizeForSearch('テスト😀👨‍👩‍👧')).toBe('てすと😀👨👩👧');
  });

  it('handles very long strings linearly', () => {
    const long = 'ヤマダ　タロウ－'.repeat(50_000);
    const started = performance.now();
    const out = normalizeForSearch(long);
    expect(out).toBe('やまだたろう'.repeat(50_000));
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('is idempotent', () => {
    for (const s of ['ﾔﾏﾀﾞ ﾀﾛｳ', '株式会社ラーメン１−２', 'Co., Ltd.', '𠮷野家〜']) {
      expect(normalizeForSearch(normalizeForSearch(s))).toBe(normalizeForSearch(s));
    }
  });
});

describe('toHiragana / toKatakana', () => {
  it.each([
    ['ヤマダ', 'やまだ'],
    ['ﾔﾏﾀﾞ', 'やまだ'],
    ['ラーメン', 'らーめん'],
    ['ヴ', 'ゔ'],
    ['山田タロウ', '山田たろう'],
    ['abc', 'abc'],
  ])('toHiragana(%s) = %s', (input, expected) => {
    expect(toHiragana(input)).toBe(expected);
  });

  it.each([
    ['やまだ', 'ヤマダ'],
    ['ﾔﾏﾀﾞ', 'ヤマダ'],
    ['ゔ', 'ヴ'],
    ['ぁぃぅ', 'ァィゥ'],
    ['tarou', 'tarou'],
  ])('toKatakana(%s) = %s', (input, expected) => {
    expect(toKatakana(input)).toBe(expected);
  });
});

describe('romaji', () => {
  it.each([
    ['やまだ たろう', 'yamadatarou'],
    ['ヤマダ　タロウ', 'yamadatarou'],
    ['ﾔﾏﾀﾞ', 'yamada'],
    ['しんいち', 'shinichi'],
    ['きっかわ', 'kikkawa'],
    ['ジョージ', 'jooji'],
    ['ヴァイオリン', 'vaiorin'],
    ['', ''],
  ])('readingToRomaji(%s) = %s', (input, expected) => {
    expect(readingToRomaji(input)).toBe(expected);
  });

  it.each([
    ['たろう', ['tarou', 'taro', 'taroh']],
    ['さとう', ['satou', 'sato', 'satoh']],
    ['おおの', ['oono', 'ono', 'ohno']],
    ['とうきょう', ['toukyou', 'tokyo', 'tohkyoh']],
    ['ゆうき', ['yuuki', 'yuki']],
    ['いのうえ', ['inoue']],
    ['やまだ', ['yamada']],
    ['', []],
  ])('romajiVariants(%s)', (input, expected) => {
    expect(romajiVariants(input)).toEqual(expected);
  });
});

describe('searchBigrams', () => {
  it('splits normalised text into distinct code-point bigrams', () => {
    expect(searchBigrams('山田 太郎')).toEqual(['山田', '田太', '太郎']);
    expect(searchBigrams('ヤマダヤマダ')).toEqual(['やま', 'まだ', 'だや']);
  });

  it('counts a surrogate-pair kanji as one character', () => {
    expect(searchBigrams('𠮷野家')).toEqual(['𠮷野', '野家']);
  });

  it('returns nothing for fewer than two characters', () => {
    expect(searchBigrams('山')).toEqual([]);
    expect(searchBigrams(' - ')).toEqual([]);
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['  Taro.Yamada+crm@Example.CO.JP ', 'taro.yamada+crm@example.co.jp'],
    ['ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'taro@example.com'],
    ['t.a.r.o@gmail.com', 't.a.r.o@gmail.com'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it.each([
    '',
    'taro',
    'taro@',
    '@example.com',
    'a@b@example.com',
    'taro@localhost',
    'ta ro@example.com',
    'taro@example..com',
    'taro@.example.com',
  ])('rejects %j', (input) => {
    expect(normalizeEmail(input)).toBeNull();
  });
});

describe('normalizePhone', () => {
  const tokyo = { e164: '+81312345678', national: '03-1234-5678', digits: '0312345678' };
  it.each([
    ['03-1234-5678', tokyo],
    ['０３−１２３４−５６７８', tokyo],
    ['０３ー１２３４ー５６７８', tokyo],
    ['(03)1234-5678', tokyo],
    ['（０３）１２３４－５６７８', tokyo],
    ['03 1234 5678', tokyo],
    ['+81 3-1234-5678', tokyo],
    ['+81-3-1234-5678', tokyo],
    ['81-3-1234-5678', tokyo],
    ['090-1234-5678', { e164: '+819012345678', national: '090-1234-5678', digits: '09012345678' }],
    ['0120-123-456', { e164: '+81120123456', national: '0120-123-456', digits: '0120123456' }],
  ])('%s', (input, expected) => {
    expect(normalizePhone(input)).toEqual(expected);
  });

  it('parses foreign numbers given with +', () => {
    expect(normalizePhone('+1 212-555-1234')?.e164).toBe('+12125551234');
  });

  it.each(['', 'abc', '03-1234-567', '0000000000', '12'])('rejects %j', (input) => {
    expect(normalizePhone(input)).toBeNull();
  });

  it('phoneSearchDigits keeps digits only, after NFKC', () => {
    expect(phoneSearchDigits('０９０−１２')).toBe('09012');
    expect(phoneSearchDigits('+81 (3) 1234')).toBe('8131234');
    expect(phoneSearchDigits('なし')).toBe('');
  });
});

describe('companyNameKey', () => {
  it.each([
    '株式会社山田商事',
    '山田商事株式会社',
    '山田商事 株式会社',
    '山田商事(株)',
    '山田商事（株）',
    '(株)山田商事',
    '（株）山田商事',
    '㈱山田商事',
    '山田商事㈱',
    'ｶﾌﾞｼｷｶﾞｲｼｬ山田商事',
    'カブシキガイシャ 山田商事',
    '山田商事',
    '山田　商事',
  ])('%s is 山田商事', (input) => {
    expect(companyNameKey(input)).toBe('山田商事');
  });

  it.each([
    ['Yamada Shoji Co., Ltd.', 'yamadashoji'],
    ['YAMADA SHOJI', 'yamadashoji'],
    ['Yamada Shoji Co.,Ltd', 'yamadashoji'],
    ['Yamada Shoji CO LTD', 'yamadashoji'],
    ['Yamada Shoji, Inc.', 'yamadashoji'],
    ['Yamada Shoji Inc', 'yamadashoji'],
    ['Yamada Shoji Corp.', 'yamadashoji'],
    ['Yamada Shoji Corporation', 'yamadashoji'],
    ['Yamada Shoji LLC', 'yamadashoji'],
    ['Yamada Shoji K.K.', 'yamadashoji'],
    ['Yamada Shoji G.K.', 'yamadashoji'],
    ['Kabushiki Kaisha Yamada Shoji', 'yamadashoji'],
    ['有限会社山田', '山田'],
    ['(有)山田', '山田'],
    ['㈲山田', '山田'],
    ['山田合同会社', '山田'],
    ['(同)山田', '山田'],
    ['合資会社山田', '山田'],
    ['合名会社山田', '山田'],
    ['一般社団法人 日本CRM協会', '日本crm協会'],
    ['公益財団法人日本CRM財団', '日本crm財団'],
    ['特定非営利活動法人みらい', 'みらい'],
    ['NPO法人みらい', 'みらい'],
    ['医療法人社団 山田クリニック', '山田くりにっく'],
    ['社会福祉法人 あおば会', 'あおば会'],
    ['学校法人山田学園', '山田学園'],
    ['独立行政法人 山田機構', '山田機構'],
    // designators only at either end, not inside words
    ['Zinc', 'zinc'],
    ['Incubate Fund', 'incubatefund'],
    ['切株', '切株'],
    ['日本株式会社研究所', '日本株式会社研究所'],
    // a name that is only a designator keeps its normalised self
    ['株式会社', '株式会社'],
    ['(株)', '株'],
    ['Inc.', 'inc'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(companyNameKey(input)).toBe(expected);
  });

  it('does not fold 髙 and 高 (different characters)', () => {
    expect(companyNameKey('株式会社髙島屋')).not.toBe(companyNameKey('株式会社高島屋'));
  });

  it('stays fast on long separator runs', () => {
    const started = performance.now();
    companyNameKey(`山田${' .'.repeat(20_000)}x`);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('person keys and names', () => {
  it('personNameKey ignores spaces, width and script', () => {
    expect(personNameKey('山田', '太郎')).toBe('山田太郎');
    expect(personNameKey('山田 ', '　太郎')).toBe('山田太郎');
    expect(personNameKey('ﾔﾏﾀﾞ', 'ﾀﾛｳ')).toBe(personNameKey('やまだ', 'たろう'));
    expect(personNameKey('Yamada', 'TARO')).toBe('yamadataro');
  });

  it('kanaNameKey is hiragana without spaces and keeps small kana distinct', () => {
    expect(kanaNameKey('ヤマダ', 'タロウ')).toBe('やまだたろう');
    expect(kanaNameKey('ﾔﾏﾀﾞ ', ' ﾀﾛｳ')).toBe('やまだたろう');
    expect(kanaNameKey('キッカワ', '')).toBe('きっかわ');
    expect(kanaNameKey('キツカワ', '')).toBe('きつかわ');
  });

  it.each([
    [{ family: '山田', given: '太郎' }, 'ja', '山田 太郎'],
    [{ family: '山田', given: '太郎' }, 'en', '山田 太郎'],
    [{ family: 'Smith', given: 'John' }, 'en', 'John Smith'],
    [{ family: 'Smith', given: 'John' }, 'ja', 'Smith John'],
    [{ family: 'Yamada', given: '太郎' }, 'en', 'Yamada 太郎'],
    [{ family: 'Müller', given: 'Zoë' }, 'en', 'Zoë Müller'],
    [{ family: '山田', given: '' }, 'ja', '山田'],
    [{ family: '', given: 'Taro' }, 'en', 'Taro'],
  ] as const)('formatJapaneseName(%j, %s) = %s', (name, locale, expected) => {
    expect(formatJapaneseName(name, locale)).toBe(expected);
  });

  it('nameSortKey sorts by reading when present (五十音順)', () => {
    const people = [
      { family: '渡辺', given: '一郎', familyKana: 'ワタナベ', givenKana: 'イチロウ' },
      { family: '青木', given: '花子', familyKana: 'アオキ', givenKana: 'ハナコ' },
      { family: '加藤', given: '次郎', familyKana: 'カトウ', givenKana: 'ジロウ' },
    ];
    const sorted = [...people].sort((a, b) => (nameSortKey(a) < nameSortKey(b) ? -1 : 1)).map((p) => p.family);
    expect(sorted).toEqual(['青木', '加藤', '渡辺']);
    expect(nameSortKey({ family: '山田', given: '太郎' })).toBe('山田太郎');
    expect(nameSortKey({ family: '山田', given: '太郎', familyKana: null, givenKana: '' })).toBe('山田太郎');
  });
});

describe('wareki', () => {
  it.each([
    ['1868-10-23', '明治', 1, '明治元年10月23日'],
    ['1912-07-29', '明治', 45, '明治45年7月29日'],
    ['1912-07-30', '大正', 1, '大正元年7月30日'],
    ['1926-12-24', '大正', 15, '大正15年12月24日'],
    ['1926-12-25', '昭和', 1, '昭和元年12月25日'],
    ['1989-01-07', '昭和', 64, '昭和64年1月7日'],
    ['1989-01-08', '平成', 1, '平成元年1月8日'],
    ['2019-04-30', '平成', 31, '平成31年4月30日'],
    ['2019-05-01', '令和', 1, '令和元年5月1日'],
    ['2026-11-23', '令和', 8, '令和8年11月23日'],
  ])('toWareki(%s)', (date, era, year, label) => {
    expect(toWareki(date)).toEqual({ era, year, label });
  });

  it('uses the Japan calendar date of a Date', () => {
    // 2019-04-30T15:00Z is 2019-05-01 00:00 in Tokyo.
    expect(toWareki(new Date('2019-04-30T15:00:00Z')).label).toBe('令和元年5月1日');
    expect(toWareki(new Date('2019-04-30T14:59:59Z')).label).toBe('平成31年4月30日');
  });

  it('throws on dates before 明治 and on invalid input', () => {
    expect(() => toWareki('1868-10-22')).toThrow(RangeError);
    expect(() => toWareki('2019-02-30')).toThrow(RangeError);
    expect(() => toWareki('not a date')).toThrow(RangeError);
  });

  it.each([
    ['昭和60年3月1日', '1985-03-01'],
    ['S60.3.1', '1985-03-01'],
    ['s60.03.01', '1985-03-01'],
    ['H31/4/30', '2019-04-30'],
    ['R1.5.1', '2019-05-01'],
    ['R01.05.01', '2019-05-01'],
    ['令和元年5月1日', '2019-05-01'],
    ['令和 ８年 １１月 ２３日', '2026-11-23'],
    ['㍻31年4月30日', '2019-04-30'],
    ['T1.7.30', '1912-07-30'],
    ['M45.7.29', '1912-07-29'],
    ['H31.5.1', null],
    ['R1.4.30', null],
    ['S64.1.8', null],
    ['H2.2.30', null],
    ['R0.5.1', null],
    ['X1.1.1', null],
    ['昭和60年', null],
    ['', null],
  ])('parseWareki(%s) = %s', (input, expected) => {
    expect(parseWareki(input)).toBe(expected);
  });

  it('round-trips every era start through toWareki and parseWareki', () => {
    for (const d of ['1868-10-23', '1912-07-30', '1926-12-25', '1989-01-08', '2019-05-01', '2000-02-29']) {
      expect(parseWareki(toWareki(d).label)).toBe(d);
    }
  });
});

describe('fiscalYear', () => {
  it.each([
    ['2026-03-31', 4, 2025],
    ['2026-04-01', 4, 2026],
    ['2026-12-31', 4, 2026],
    ['2026-01-01', 1, 2026],
    ['2026-09-30', 10, 2025],
    ['2026-10-01', 10, 2026],
  ])('fiscalYear(%s, %i) = %i', (date, start, expected) => {
    expect(fiscalYear(date, start)).toBe(expected);
  });

  it('defaults to an April start and uses Japan time', () => {
    expect(fiscalYear('2026-03-31')).toBe(2025);
    expect(fiscalYear(new Date('2026-03-31T15:00:00Z'))).toBe(2026);
  });

  it('rejects a month outside 1-12', () => {
    expect(() => fiscalYear('2026-01-01', 13)).toThrow(RangeError);
  });
});

describe('PREFECTURES', () => {
  it('lists the 47 prefectures in JIS order', () => {
    expect(PREFECTURES).toHaveLength(47);
    expect(PREFECTURES.map((p) => p.code)).toEqual(Array.from({ length: 47 }, (_, i) => String(i + 1).padStart(2, '0')));
    expect(PREFECTURES[0]).toEqual({ code: '01', name: '北海道', kana: 'ほっかいどう', en: 'Hokkaido' });
    expect(prefectureByCode(13)?.name).toBe('東京都');
    expect(prefectureByName('大阪府')?.en).toBe('Osaka');
    expect(prefectureByName('大阪')).toBeUndefined();
  });
});
