import iconv from 'iconv-lite';
import { companyImportFields, personImportFields } from '../../../../shared/contracts/import-fields.js';
import { normalizeForSearch } from '../../../../shared/jp-text.js';
import type { ImportEncoding, ImportFormat } from '../../../platform/import/import-source.js';
import type { CustomFieldDef } from '../custom-fields.js';

/** What a file is, told from its first bytes: the format, the text encoding and (for text) the delimiter. */

export type EntityType = 'person' | 'company';

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function hasUtf8Bom(sample: Buffer): boolean {
  return sample.subarray(0, 3).equals(UTF8_BOM);
}

/** Strict UTF-8 check of a sample that may end in the middle of a character. */
function validUtf8(sample: Buffer): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let cut = 0; cut <= 3 && cut < sample.length; cut++) {
    try {
      decoder.decode(sample.subarray(0, sample.length - cut));
      return true;
    } catch {
      // A truncated trailing sequence is not an error: try without its last bytes.
    }
  }
  return sample.length === 0;
}

/**
 * UTF-8 (with or without BOM) or Shift_JIS/CP932: decode the sample both ways and keep the one that is
 * valid; when neither is clean, the one with fewer replacement characters.
 */
export function detectEncoding(sample: Buffer): ImportEncoding {
  if (hasUtf8Bom(sample) || validUtf8(sample)) return 'utf8';
  const count = (s: string) => (s.match(/\uFFFD/g) ?? []).length;
  const asUtf8 = count(sample.toString('utf8'));
  const asSjis = count(iconv.decode(sample, 'cp932'));
  return asSjis <= asUtf8 ? 'cp932' : 'utf8';
}

export function decodeSample(sample: Buffer, encoding: ImportEncoding): string {
  const text = encoding === 'utf8' ? sample.toString('utf8') : iconv.decode(sample, 'cp932');
  return text.replace(/^\uFEFF/, '');
}

/** XLSX by its ZIP magic bytes, vCard by its first line, else CSV or TSV by the delimiter of the first lines. */
export function detectFormat(sample: Buffer, text: string): ImportFormat | null {
  if (sample.length >= 4 && sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04) return 'xlsx';
  if (/^\s*BEGIN:VCARD/i.test(text)) return 'vcf';
  // Binary files (images, PDFs, old .xls) have NUL or other control bytes a text file does not.
  if (sample.subarray(0, 4096).some((b) => b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b))) return null;
  const lines = text.split(/\r?\n/, 6).slice(0, 5);
  const tabs = lines.reduce((n, l) => n + (l.split('\t').length - 1), 0);
  const commas = lines.reduce((n, l) => n + (l.split(',').length - 1), 0);
  return tabs > commas ? 'tsv' : 'csv';
}

/** Header texts (ja and en, compared after search normalisation) that suggest each field. */
const synonyms: Record<string, string[]> = {
  id: ['id', 'レコードid', '顧客id'],
  familyName: ['姓', '苗字', '名字', 'last name', 'lastname', 'family name', 'familyname', 'surname'],
  givenName: ['名', '名前', 'first name', 'firstname', 'given name', 'givenname'],
  fullName: ['氏名', 'お名前', '名前(フル)', 'name', 'full name', 'fullname', '担当者名', '担当者'],
  familyNameKana: ['セイ', 'せい', '姓カナ', '姓(カナ)', '姓フリガナ', 'フリガナ(姓)', 'last name kana', 'family name kana'],
  givenNameKana: ['メイ', 'めい', '名カナ', '名(カナ)', '名フリガナ', 'フリガナ(名)', 'first name kana', 'given name kana'],
  fullNameKana: ['フリガナ', 'ふりがな', 'カナ', 'よみがな', '読み', 'シメイ', '氏名カナ', '氏名(カナ)', 'kana', 'furigana', 'name kana'],
  email: ['メール', 'メールアドレス', 'eメール', 'e-mail', 'email', 'mail', 'email address', 'メールアドレス1'],
  email2: ['メール2', 'メールアドレス2', 'email 2', 'email2', 'secondary email'],
  phone: ['電話', '電話番号', 'tel', 'phone', 'phone number', 'telephone', '会社電話', '勤務先電話'],
  mobile: ['携帯', '携帯電話', '携帯番号', '携帯電話番号', 'mobile', 'mobile phone', 'cell', 'cell phone'],
  homePhone: ['自宅電話', '自宅電話番号', 'home phone'],
  fax: ['fax', 'ファックス', 'fax番号'],
  postalCode: ['郵便番号', '〒', 'postal code', 'postcode', 'zip', 'zip code', 'zipcode'],
  prefecture: ['都道府県', '県', 'prefecture', 'state'],
  city: ['市区町村', '市町村', 'city'],
  town: ['町域', '町名', 'town'],
  addressLine: ['住所', '番地', '番地・建物名', '住所2', '建物名', 'address', 'street', 'address line'],
  companyName: ['会社名', '会社', '勤務先', '企業名', '所属', 'company', 'company name', 'organization', 'organisation'],
  department: ['部署', '部署名', '所属部署', 'department'],
  title: ['役職', '肩書', '肩書き', 'title', 'job title', 'position'],
  birthday: ['生年月日', '誕生日', 'birthday', 'birth date', 'date of birth', 'dob'],
  gender: ['性別', 'gender', 'sex'],
  tags: ['タグ', 'tags', 'tag', 'ラベル'],
  notes: ['メモ', '備考', 'notes', 'note', 'memo', 'comment'],
  name: ['会社名', '社名', '法人名', '企業名', 'company', 'company name', 'name', '名称'],
  nameKana: ['会社名カナ', '会社名(カナ)', 'フリガナ', 'カナ', 'name kana', 'kana'],
  corporateNumber: ['法人番号', 'corporate number'],
  industry: ['業種', 'industry'],
  employeeCount: ['従業員数', '社員数', 'employees', 'employee count'],
  fiscalMonth: ['決算月', 'fiscal month'],
  website: ['ウェブサイト', 'url', 'ホームページ', 'website', 'web'],
};

const key = (s: string) => normalizeForSearch(s).replace(/[\s_:：・()（）【】［］[\]-]/g, '');

/**
 * A reading column named after a name column: the name part with a kana word before or after it
 * (family_kana, カナ姓, 氏名（フリガナ）, お名前ふりがな, Last Name (Kana)). Keys are search-normalised: katakana is hiragana.
 */
const KANA_WORD = /ふりがな|よみがな|かな|よみ|furigana|kana|yomi|reading/;
// English header words that name a name part only next to "kana" (family_kana, given_kana).
const nameWords: Record<string, string> = {
  family: 'familyName',
  last: 'familyName',
  sur: 'familyName',
  given: 'givenName',
  first: 'givenName',
  full: 'fullName',
};

function kanaFieldOf(k: string, entityType: EntityType, lookup: Map<string, string>): string | undefined {
  if (!KANA_WORD.test(k)) return undefined;
  const base = k.replace(KANA_WORD, '');
  if (!base) return undefined;
  const named = lookup.get(base) ?? nameWords[base];
  if (entityType === 'company') return named === 'name' ? 'nameKana' : undefined;
  if (named === 'familyName' || named === 'familyNameKana') return 'familyNameKana';
  if (named === 'givenName' || named === 'givenNameKana') return 'givenNameKana';
  if (named === 'fullName' || named === 'fullNameKana') return 'fullNameKana';
  return undefined;
}

/**
 * Suggest a field for each header: a saved mapping first (by exact header text), then synonyms in ja
 * and en, then custom fields by key or label. A field is suggested for at most one column.
 */
export function suggestMapping(
  header: string[],
  entityType: EntityType,
  defs: CustomFieldDef[],
  saved?: Record<string, string>,
): Record<string, string> {
  const fields: readonly string[] = entityType === 'person' ? personImportFields : companyImportFields;
  const lookup = new Map<string, string>();
  for (const f of fields) for (const s of synonyms[f] ?? []) if (!lookup.has(key(s))) lookup.set(key(s), f);
  for (const d of defs) for (const s of [d.key, d.labelJa, d.labelEn]) lookup.set(key(s), `custom.${d.key}`);
  const out: Record<string, string> = {};
  const used = new Set<string>();
  header.forEach((h, i) => {
    const k = key(h);
    const field = saved?.[h] ?? lookup.get(k) ?? (fields.includes(h) ? h : undefined) ?? kanaFieldOf(k, entityType, lookup);
    if (field && !used.has(field)) {
      out[String(i)] = field;
      used.add(field);
    }
  });
  return out;
}

/** Mapping problems, each naming the column: unknown field, a field mapped twice, a column that does not exist. */
export function checkMapping(
  mapping: Record<string, string>,
  columns: number,
  entityType: EntityType,
  defs: CustomFieldDef[],
  mode: 'create' | 'update_matching' | 'skip_duplicates' = 'create',
): { path: string; code: string }[] {
  const fields = new Set<string>([
    ...(entityType === 'person' ? personImportFields : companyImportFields),
    ...defs.map((d) => `custom.${d.key}`),
  ]);
  const issues: { path: string; code: string }[] = [];
  const seen = new Set<string>();
  for (const [col, field] of Object.entries(mapping)) {
    const i = Number(col);
    if (!Number.isInteger(i) || i < 0 || i >= columns) issues.push({ path: `mapping.${col}`, code: 'no_such_column' });
    if (!fields.has(field)) issues.push({ path: `mapping.${col}`, code: 'unknown_field' });
    else if (seen.has(field)) issues.push({ path: `mapping.${col}`, code: 'mapped_twice' });
    seen.add(field);
  }
  const has = (f: string) => seen.has(f);
  // Updating matched records needs no name column; rows that create a record without a name are rejected one by one.
  if (mode === 'update_matching') return issues;
  if (entityType === 'person' && !has('familyName') && !has('fullName')) issues.push({ path: 'mapping', code: 'family_name_required' });
  if (entityType === 'company' && !has('name')) issues.push({ path: 'mapping', code: 'name_required' });
  return issues;
}

const labels: Record<string, [string, string]> = {
  id: ['ID', 'ID'],
  familyName: ['姓', 'Family name'],
  givenName: ['名', 'Given name'],
  fullName: ['氏名', 'Full name'],
  familyNameKana: ['セイ', 'Family name (kana)'],
  givenNameKana: ['メイ', 'Given name (kana)'],
  fullNameKana: ['フリガナ', 'Name (kana)'],
  email: ['メール', 'Email'],
  email2: ['メール2', 'Email 2'],
  phone: ['電話', 'Phone'],
  mobile: ['携帯', 'Mobile'],
  homePhone: ['自宅電話', 'Home phone'],
  fax: ['FAX', 'Fax'],
  postalCode: ['郵便番号', 'Postal code'],
  prefecture: ['都道府県', 'Prefecture'],
  city: ['市区町村', 'City'],
  town: ['町域', 'Town'],
  addressLine: ['住所', 'Address'],
  companyName: ['会社名', 'Company'],
  department: ['部署', 'Department'],
  title: ['役職', 'Title'],
  birthday: ['生年月日', 'Birthday'],
  gender: ['性別', 'Gender'],
  tags: ['タグ', 'Tags'],
  notes: ['メモ', 'Notes'],
  name: ['会社名', 'Name'],
  nameKana: ['会社名カナ', 'Name (kana)'],
  corporateNumber: ['法人番号', 'Corporate number'],
  industry: ['業種', 'Industry'],
  employeeCount: ['従業員数', 'Employees'],
  fiscalMonth: ['決算月', 'Fiscal month'],
  website: ['ウェブサイト', 'Website'],
};

/** A field's name for people: the label in ja or en, custom fields by key. */
export function fieldLabel(field: string, locale: 'ja' | 'en'): string {
  const l = labels[field];
  return l ? l[locale === 'ja' ? 0 : 1] : field.replace(/^custom\./, '');
}

export type { ImportEncoding, ImportFormat };
