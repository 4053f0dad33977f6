import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../../../shared/jp-text.js';
import { indexPerson } from '../records/indexing.js';
import { normalizePhoneFast } from './import-phone.js';
import { indexPersonFast, parseDate, readPerson } from './import-rows.js';

describe('indexPersonFast', () => {
  it('gives the same index columns as indexPerson', () => {
    const cases = [
      { familyName: '山田', givenName: '太郎', familyNameKana: 'ヤマダ', givenNameKana: 'タロウ', companyName: '株式会社サンプル' },
      { familyName: '山田', givenName: '太郎', familyNameKana: 'ヤマダ', givenNameKana: 'タロウ', companyName: null },
      { familyName: 'Smith', givenName: 'John', familyNameKana: null, givenNameKana: null, companyName: 'Acme Inc.' },
      { familyName: '佐々木', givenName: null, familyNameKana: 'ササキ', givenNameKana: null, companyName: '(株) ＡＢＣ　商事' },
      { familyName: '髙橋', givenName: '𠮷子', familyNameKana: null, givenNameKana: 'ヨシコ', companyName: '有限会社 山田' },
    ];
    const contacts = [
      { emails: [], phones: [] },
      {
        emails: [{ label: 'work', address: 'A@Example.jp', normalized: normalizeEmail('A@Example.jp') as string }],
        phones: [
          {
            label: 'work',
            ...(normalizePhoneFast('03-1234-5678') as { e164: string; national: string; digits: string }),
            number: '03-1234-5678',
          },
          {
            label: 'mobile',
            ...(normalizePhoneFast('090-1111-2222') as { e164: string; national: string; digits: string }),
            number: '090-1111-2222',
          },
        ],
      },
    ];
    for (const c of cases)
      for (const k of contacts) {
        const p = { ...c, ...k };
        expect(indexPersonFast(p), JSON.stringify(p)).toEqual(indexPerson(p));
        // Second call comes from the cache.
        expect(indexPersonFast(p)).toEqual(indexPerson(p));
      }
  });
});

describe('parseDate', () => {
  it.each([
    ['1985/4/1', '1985-04-01'],
    ['1985-04-01', '1985-04-01'],
    ['１９８５年４月１日', '1985-04-01'],
    ['昭和60年4月1日', '1985-04-01'],
    ['S60.4.1', '1985-04-01'],
    ['令和元年5月1日', '2019-05-01'],
    ['19850401', '1985-04-01'],
    ['2023/2/30', null],
    ['昨日', null],
  ])('%s -> %s', (input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });
});

describe('readPerson', () => {
  const columns = new Map(['fullName', 'fullNameKana', 'email', 'gender', 'tags', 'postalCode'].map((f, i) => [f, i]));
  it('splits 氏名 and フリガナ on a space (full or half width), western names given-first', () => {
    expect(readPerson(['山田　太郎', 'ﾔﾏﾀﾞ ﾀﾛｳ', '', '女性', 'a、b;a', '100-0001'], columns).input).toMatchObject({
      familyName: '山田',
      givenName: '太郎',
      familyNameKana: 'ヤマダ',
      givenNameKana: 'タロウ',
      gender: 'female',
      tags: ['a', 'b'],
      postalCode: '100-0001',
    });
    expect(readPerson(['John Smith'], columns).input).toMatchObject({ familyName: 'Smith', givenName: 'John' });
  });
  it('reads Excel numbers: a postal code that lost its leading zero, a serial date, and yyyymmdd', () => {
    const cols = new Map(['familyName', 'postalCode', 'birthday'].map((f, i) => [f, i]));
    expect(readPerson(['北', 600000, 31138], cols).input).toMatchObject({ postalCode: '060-0000', birthday: '1985-04-01' });
    expect(readPerson(['北', 10000, 31138.75], cols).input).toMatchObject({ postalCode: '001-0000', birthday: '1985-04-01' });
    expect(readPerson(['北', '600000', '31138'], cols).input).toMatchObject({ postalCode: '060-0000', birthday: '1985-04-01' });
    expect(readPerson(['北', 1500001, 19850401], cols).input).toMatchObject({ postalCode: '150-0001', birthday: '1985-04-01' });
    expect(readPerson(['北', 12345678, '1985'], cols).reasons).toEqual([
      { field: 'birthday', code: 'invalid_date' },
      { field: 'postalCode', code: 'invalid_postal_code' },
    ]);
  });
  it('fills an empty 都道府県 and 市区町村 from the postal code, and keeps the ones the row has', () => {
    const cols = new Map(['familyName', 'postalCode', 'prefecture', 'city'].map((f, i) => [f, i]));
    expect(readPerson(['北', '060-0000', '', ''], cols).input).toMatchObject({ prefecture: '北海道', city: '札幌市中央区' });
    expect(
      readPerson(
        ['東', '1000001'],
        new Map([
          ['familyName', 0],
          ['postalCode', 1],
        ]),
      ).input,
    ).toMatchObject({
      prefecture: '東京都',
      city: '千代田区',
    });
    expect(readPerson(['北', '060-0000', '北海道', '札幌市'], cols).input).toMatchObject({ prefecture: '北海道', city: '札幌市' });
    expect(readPerson(['西', '190-0100', '', ''], cols).input).toMatchObject({ prefecture: '東京都', city: null });
    expect(readPerson(['無', '000-0000', '', ''], cols).input).toMatchObject({ prefecture: null, city: null });
  });
  it('lists every problem of a row', () => {
    const { reasons } = readPerson(['山田', 'yamada', 'bad', '?', '', '123'], columns);
    expect(reasons.map((r) => `${r.field}:${r.code}`)).toEqual([
      'fullNameKana:not_kana',
      'email:invalid_email',
      'gender:invalid_gender',
      'postalCode:invalid_postal_code',
    ]);
  });
});
