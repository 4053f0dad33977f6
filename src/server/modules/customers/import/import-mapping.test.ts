import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { CustomFieldDef } from '../custom-fields.js';
import { checkMapping, detectEncoding, detectFormat, suggestMapping } from './import-mapping.js';

const sjis = (s: string) => iconv.encode(s, 'cp932');

describe('detectEncoding', () => {
  it.each([
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('姓,名\n山田,太郎\n')]), 'utf8'],
    ['UTF-8 without BOM', Buffer.from('姓,名\n山田,太郎\n'), 'utf8'],
    ['plain ASCII', Buffer.from('name,email\nSmith,a@b.c\n'), 'utf8'],
    ['Shift_JIS', sjis('姓,名,セイ\n山田,太郎,ﾔﾏﾀﾞ\n'), 'cp932'],
    ['CP932 extensions (①, ㈱, 髙)', sjis('会社名\n㈱髙橋①\n'), 'cp932'],
    ['UTF-8 cut in the middle of a character', Buffer.from('山田太郎').subarray(0, 7), 'utf8'],
  ])('%s', (_name, sample, expected) => {
    expect(detectEncoding(sample as Buffer)).toBe(expected);
  });
});

describe('detectFormat', () => {
  it('tells XLSX by its ZIP magic, vCard by its first line, TSV and CSV by the delimiter, and refuses binary', () => {
    expect(detectFormat(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2]), '')).toBe('xlsx');
    expect(detectFormat(Buffer.from('BEGIN:VCARD\r\n'), 'BEGIN:VCARD\r\n')).toBe('vcf');
    const tsv = '姓\t名\t住所\n山田\t太郎\t東京都千代田区1-1, 2F\n';
    expect(detectFormat(Buffer.from(tsv), tsv)).toBe('tsv');
    const csv = '姓,名\n山田,太郎\n';
    expect(detectFormat(Buffer.from(csv), csv)).toBe('csv');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(detectFormat(png, png.toString('latin1'))).toBeNull();
  });
});

const def = (key: string, labelJa: string, labelEn: string): CustomFieldDef => ({
  id: key,
  entityType: 'person',
  key,
  type: 'text',
  labelJa,
  labelEn,
  helpJa: null,
  helpEn: null,
  required: false,
  defaultValue: null,
  options: [],
  position: 0,
  archived: false,
  version: 1,
});

describe('suggestMapping', () => {
  it('matches Japanese and English headers, full-width and spacing variants, and custom fields by key or label', () => {
    const header = [
      '氏名',
      'フリガナ',
      'ﾒｰﾙｱﾄﾞﾚｽ',
      'TEL',
      '携帯電話',
      '〒',
      '都道府県',
      '市区町村',
      '住所',
      '会社名',
      '部署',
      '役職',
      '生年月日',
      '性別',
      'タグ',
      '会員ランク',
      'shoe_size',
      '不明な列',
    ];
    const m = suggestMapping(header, 'person', [def('rank', '会員ランク', 'Rank'), def('shoe_size', '靴のサイズ', 'Shoe size')]);
    expect(m).toEqual({
      0: 'fullName',
      1: 'fullNameKana',
      2: 'email',
      3: 'phone',
      4: 'mobile',
      5: 'postalCode',
      6: 'prefecture',
      7: 'city',
      8: 'addressLine',
      9: 'companyName',
      10: 'department',
      11: 'title',
      12: 'birthday',
      13: 'gender',
      14: 'tags',
      15: 'custom.rank',
      16: 'custom.shoe_size',
    });
    expect(suggestMapping(['Last Name', 'First Name', 'E-mail', 'Zip Code', 'Company'], 'person', [])).toEqual({
      0: 'familyName',
      1: 'givenName',
      2: 'email',
      3: 'postalCode',
      4: 'companyName',
    });
    expect(suggestMapping(['姓', '名', 'セイ', 'メイ'], 'person', [])).toEqual({
      0: 'familyName',
      1: 'givenName',
      2: 'familyNameKana',
      3: 'givenNameKana',
    });
  });

  it.each([
    [['family_kana', 'given_kana'], { 0: 'familyNameKana', 1: 'givenNameKana' }],
    [['Last Name (Kana)', 'First Name (Kana)'], { 0: 'familyNameKana', 1: 'givenNameKana' }],
    [['セイ', 'メイ'], { 0: 'familyNameKana', 1: 'givenNameKana' }],
    [['ｾｲ', 'ﾒｲ'], { 0: 'familyNameKana', 1: 'givenNameKana' }],
    [['姓（カナ）', '名（カナ）'], { 0: 'familyNameKana', 1: 'givenNameKana' }],
    [['カナ姓', 'カナ名'], { 0: 'familyNameKana', 1: 'givenNameKana' }],
    [['姓ふりがな', '名ふりがな'], { 0: 'familyNameKana', 1: 'givenNameKana' }],
    [['フリガナ（姓）', 'フリガナ（名）'], { 0: 'familyNameKana', 1: 'givenNameKana' }],
    [['氏名', 'フリガナ'], { 0: 'fullName', 1: 'fullNameKana' }],
    [['氏名', 'ふりがな'], { 0: 'fullName', 1: 'fullNameKana' }],
    [['お名前', 'お名前（フリガナ）'], { 0: 'fullName', 1: 'fullNameKana' }],
    [['氏名【ヨミガナ】'], { 0: 'fullNameKana' }],
    [['name', 'name_kana'], { 0: 'fullName', 1: 'fullNameKana' }],
  ])('maps the kana columns %j', (header, expected) => {
    expect(suggestMapping(header, 'person', [])).toEqual(expected);
  });

  it('maps a company name reading, and no kana column of a person to a field that is not a name', () => {
    expect(suggestMapping(['会社名', '会社名（フリガナ）'], 'company', [])).toEqual({ 0: 'name', 1: 'nameKana' });
    expect(suggestMapping(['company_name', 'company_kana'], 'person', [])).toEqual({ 0: 'companyName' });
  });

  it('maps a field once, prefers a saved mapping, and knows company headers', () => {
    expect(suggestMapping(['メール', 'Email'], 'person', [])).toEqual({ 0: 'email' });
    expect(suggestMapping(['Nom', 'メール'], 'person', [], { Nom: 'familyName', メール: 'email2' })).toEqual({
      0: 'familyName',
      1: 'email2',
    });
    expect(suggestMapping(['会社名', '法人番号', '業種', '従業員数'], 'company', [])).toEqual({
      0: 'name',
      1: 'corporateNumber',
      2: 'industry',
      3: 'employeeCount',
    });
  });
});

describe('checkMapping', () => {
  it('names unknown fields, fields mapped twice, missing columns and a missing family name', () => {
    expect(checkMapping({ 0: 'familyName', 1: 'email' }, 2, 'person', [])).toEqual([]);
    expect(checkMapping({ 0: 'familyName', 1: 'nope' }, 2, 'person', [])).toEqual([{ path: 'mapping.1', code: 'unknown_field' }]);
    expect(checkMapping({ 0: 'email', 1: 'email' }, 2, 'person', [])).toEqual([
      { path: 'mapping.1', code: 'mapped_twice' },
      { path: 'mapping', code: 'family_name_required' },
    ]);
    expect(checkMapping({ 0: 'fullName', 3: 'email' }, 2, 'person', [])).toEqual([{ path: 'mapping.3', code: 'no_such_column' }]);
    expect(checkMapping({ 0: 'email', 1: 'title' }, 2, 'person', [], 'update_matching')).toEqual([]);
    expect(
      checkMapping({ 0: 'name', 1: 'custom.rank' }, 2, 'company', [{ ...def('rank', 'ランク', 'Rank'), entityType: 'company' }]),
    ).toEqual([]);
  });
});
