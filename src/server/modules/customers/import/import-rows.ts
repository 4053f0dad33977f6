import { companyNameKey, normalizeEmail, normalizeForSearch, parseWareki } from '../../../../shared/jp-text.js';
import { AppError } from '../../../platform/http/errors.js';
import type { Cell } from '../../../platform/import/import-source.js';
import { type CustomFieldDef, validateCustom } from '../custom-fields.js';
import { postalAreaOf } from '../postal.js';
import { indexCompany, indexPerson, normalizeKana, normalizePostalCode, type StoredEmail, type StoredPhone } from '../records/indexing.js';
import { normalizePhoneFast, phoneLabelFast } from './import-phone.js';

/**
 * One file row -> the stored columns of a person or company, with the same rules as the API
 * (emails, phones, kana, postal code, custom fields, required names) and a reason per problem.
 */

export interface Reason {
  field: string;
  code: string;
}

const KANA = /^[\p{Script=Katakana}\p{Script=Hiragana}ー・\s　ｦ-ﾟ]+$/u;
const limits: Record<string, number> = {
  familyName: 100,
  givenName: 100,
  title: 100,
  city: 100,
  town: 100,
  addressLine: 200,
  prefecture: 10,
  notes: 10_000,
  companyName: 200,
  department: 100,
  name: 200,
  industry: 100,
  website: 500,
};

function cellText(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return isoDay(v);
  const t = String(v).trim();
  // Our exports prefix a quote to cells a spreadsheet would read as a formula: take it off again.
  return t.charCodeAt(0) === 39 && /^'[=+\-@]/.test(t) ? t.slice(1) : t;
}

function isoDay(d: Date): string {
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/**
 * An Excel serial date (days since 1899-12-30; Excel's phantom 1900-02-29 makes the serials from 61 on line up with
 * that epoch) as yyyy-mm-dd: a date cell saved with the General format, or a built-in date format exceljs does not know.
 */
export function excelSerialDay(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 61 || serial >= 2_958_466) return null;
  return isoDay(new Date(Date.UTC(1899, 11, 30) + Math.floor(serial) * 86_400_000));
}

/** A postal code whose leading zeros a spreadsheet dropped (0600000 → 600000): a number, or six digits, padded to 7. */
function postalCell(v: Cell): string | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 10_000_000) return String(v).padStart(7, '0');
  const t = cellText(v);
  return /^\d{6}$/.test(t) ? `0${t}` : t;
}

function realDate(iso: string): boolean {
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && isoDay(d) === iso;
}

/** yyyy-mm-dd, yyyy/mm/dd, yyyy.mm.dd, yyyymmdd, yyyy年m月d日 and 和暦 (昭和60年4月1日, S60.4.1, R1/5/1). */
export function parseDate(s: string): string | null {
  const t = s.normalize('NFKC').trim();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (m) {
    const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    return realDate(iso) ? iso : null;
  }
  return parseWareki(t);
}

const GENDER: Record<string, string> = {
  男: 'male',
  男性: 'male',
  m: 'male',
  male: 'male',
  女: 'female',
  女性: 'female',
  f: 'female',
  female: 'female',
  その他: 'other',
  other: 'other',
  未回答: 'unspecified',
  回答しない: 'unspecified',
  不明: 'unspecified',
  unspecified: 'unspecified',
};

function splitName(full: string): [string, string | null] {
  const parts = full.split(/[\s　]+/).filter(Boolean);
  if (parts.length < 2) return [full, null];
  // "John Smith": western order puts the family name last.
  if (/^[A-Za-z.'-]+$/.test(parts.join(''))) return [parts.at(-1) as string, parts.slice(0, -1).join(' ')];
  return [parts[0] as string, parts.slice(1).join(' ')];
}

function customValue(def: CustomFieldDef, raw: string): unknown {
  if (raw === '') return null;
  switch (def.type) {
    case 'number':
    case 'currency': {
      const n = Number(raw.normalize('NFKC').replace(/[,¥￥円\s]/g, ''));
      return Number.isFinite(n) ? n : raw;
    }
    case 'boolean': {
      const v = raw.normalize('NFKC').toLowerCase();
      if (['true', '1', 'yes', 'y', 'はい', '有', 'あり', '○', '〇'].includes(v)) return true;
      if (['false', '0', 'no', 'n', 'いいえ', '無', 'なし', '×'].includes(v)) return false;
      return raw;
    }
    case 'date':
      return parseDate(raw) ?? raw;
    case 'multi_select':
      return splitList(raw);
    default:
      return raw;
  }
}

function splitList(s: string): string[] {
  return s
    .split(/[,、;；|]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** The values of one row, keyed by field, with parse problems collected. */
class RowReader {
  readonly reasons: Reason[] = [];
  constructor(
    private readonly cells: Cell[],
    private readonly columnOf: Map<string, number>,
  ) {}
  has(field: string) {
    return this.columnOf.has(field);
  }
  raw(field: string): Cell {
    const i = this.columnOf.get(field);
    return i === undefined ? undefined : this.cells[i];
  }
  text(field: string): string | null {
    const t = cellText(this.raw(field));
    if (!t) return null;
    if (t.length > (limits[field] ?? 500)) {
      this.reasons.push({ field, code: 'too_long' });
      return null;
    }
    return t;
  }
  kana(field: string): string | null {
    const t = this.text(field);
    if (!t) return null;
    if (!KANA.test(t)) {
      this.reasons.push({ field, code: 'not_kana' });
      return null;
    }
    return t;
  }
  email(field: string, label: string, out: StoredEmail[]) {
    const t = this.text(field);
    if (!t) return;
    const normalized = t.length <= 254 ? normalizeEmail(t) : null;
    if (!normalized) this.reasons.push({ field, code: 'invalid_email' });
    else out.push({ label, address: t, normalized });
  }
  /** A column that says which kind (携帯, 自宅電話, FAX) gives the label; a generic 電話 column (label null) takes it from the number. */
  phone(field: string, label: string | null, out: StoredPhone[]) {
    const t = this.text(field);
    if (!t) return;
    const n = t.length <= 40 ? normalizePhoneFast(t) : null;
    if (!n) this.reasons.push({ field, code: 'invalid_phone' });
    else out.push({ label: label ?? phoneLabelFast(n), number: n.national, e164: n.e164, digits: n.digits });
  }
  postal(field: string): string | null {
    const t = postalCell(this.raw(field));
    try {
      return normalizePostalCode(t);
    } catch {
      this.reasons.push({ field, code: 'invalid_postal_code' });
      return null;
    }
  }
  date(field: string): string | null {
    const v = this.raw(field);
    if (v instanceof Date) return isoDay(v);
    const t = this.text(field);
    if (!t) return null;
    // A number in a date column is Excel's serial date (31138 = 1985-04-01): a number cell, or five digits in a CSV.
    const serial = (typeof v === 'number' && !/^\d{8}$/.test(t)) || /^\d{5}(\.\d+)?$/.test(t);
    const iso = serial ? excelSerialDay(Number(t)) : parseDate(t);
    if (!iso) this.reasons.push({ field, code: 'invalid_date' });
    return iso;
  }
  custom(defs: CustomFieldDef[], existing: Record<string, unknown> | null, users?: ReadonlySet<string>): Record<string, unknown> {
    const input: Record<string, unknown> = {};
    for (const d of defs) {
      const f = `custom.${d.key}`;
      if (this.has(f)) {
        const v = this.raw(f);
        input[d.key] =
          d.type === 'date' && typeof v === 'number'
            ? (excelSerialDay(v) ?? v)
            : typeof v === 'number' || typeof v === 'boolean'
              ? v
              : customValue(d, cellText(v));
      }
    }
    try {
      return validateCustom(defs, input, existing, users);
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation_failed') {
        for (const i of (err.details as { issues: { path: string; code: string }[] }).issues)
          this.reasons.push({ field: i.path, code: i.code });
        return {};
      }
      throw err;
    }
  }
}

export interface PersonInput {
  familyName: string | null;
  givenName: string | null;
  familyNameKana: string | null;
  givenNameKana: string | null;
  emails: StoredEmail[];
  phones: StoredPhone[];
  postalCode: string | null;
  prefecture: string | null;
  city: string | null;
  town: string | null;
  addressLine: string | null;
  companyName: string | null;
  department: string | null;
  title: string | null;
  birthday: string | null;
  gender: string | null;
  tags: string[];
  notes: string | null;
  id: string | null;
  /** Custom values as read from the row (validated against the definitions later, with the stored ones on update). */
  reader: RowReader;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function tagsOf(r: RowReader): string[] {
  const t = r.text('tags');
  if (!t) return [];
  const tags = [...new Set(splitList(t))];
  if (tags.length > 50 || tags.some((x) => x.length > 50)) r.reasons.push({ field: 'tags', code: 'too_many_or_too_long' });
  return tags;
}

function idOf(r: RowReader): string | null {
  const id = r.text('id');
  if (id && !UUID.test(id)) r.reasons.push({ field: 'id', code: 'invalid_id' });
  return id && UUID.test(id) ? id.toLowerCase() : null;
}

/** Read a person from a row. `reasons` lists every problem; an empty list means the row can be stored. */
export function readPerson(cells: Cell[], columnOf: Map<string, number>): { input: PersonInput; reasons: Reason[] } {
  const r = new RowReader(cells, columnOf);
  let familyName = r.text('familyName');
  let givenName = r.text('givenName');
  const full = r.has('fullName') ? cellText(r.raw('fullName')) : '';
  if (full && !familyName) [familyName, givenName] = [splitName(full)[0], givenName ?? splitName(full)[1]];
  let familyNameKana = r.kana('familyNameKana');
  let givenNameKana = r.kana('givenNameKana');
  const fullKana = r.kana('fullNameKana');
  if (fullKana && !familyNameKana) [familyNameKana, givenNameKana] = [splitName(fullKana)[0], givenNameKana ?? splitName(fullKana)[1]];
  const emails: StoredEmail[] = [];
  r.email('email', 'work', emails);
  r.email('email2', 'other', emails);
  const phones: StoredPhone[] = [];
  r.phone('phone', null, phones);
  r.phone('mobile', 'mobile', phones);
  r.phone('homePhone', 'home', phones);
  r.phone('fax', 'fax', phones);
  let gender: string | null = null;
  const g = r.text('gender');
  if (g) {
    gender = GENDER[g.normalize('NFKC').toLowerCase()] ?? null;
    if (!gender) r.reasons.push({ field: 'gender', code: 'invalid_gender' });
  }
  const birthday = r.date('birthday');
  if (birthday && (birthday < '1900-01-01' || birthday > new Date().toISOString().slice(0, 10)))
    r.reasons.push({ field: 'birthday', code: 'out_of_range' });
  const input: PersonInput = {
    familyName,
    givenName,
    familyNameKana: normalizeKana(familyNameKana),
    givenNameKana: normalizeKana(givenNameKana),
    emails,
    phones,
    postalCode: r.postal('postalCode'),
    prefecture: r.text('prefecture'),
    city: r.text('city'),
    town: r.text('town'),
    addressLine: r.text('addressLine'),
    companyName: r.text('companyName'),
    department: r.text('department'),
    title: r.text('title'),
    birthday,
    gender,
    tags: tagsOf(r),
    notes: r.text('notes'),
    id: idOf(r),
    reader: r,
  };
  fillFromPostalCode(input);
  if (input.department && !input.companyName) r.reasons.push({ field: 'department', code: 'department_without_company' });
  return { input, reasons: r.reasons };
}

/** An empty 都道府県 / 市区町村 (no column, or an empty cell) is taken from the row's postal code. */
function fillFromPostalCode(input: { postalCode: string | null; prefecture: string | null; city: string | null }) {
  if (!input.postalCode || (input.prefecture && input.city)) return;
  const area = postalAreaOf(input.postalCode);
  if (!area) return;
  input.prefecture ??= area.prefecture;
  input.city ??= area.city;
}

/** A family name is required on create; on update the stored one is kept. */
export function requireFamilyName(input: PersonInput, reasons: Reason[]) {
  if (!input.familyName) reasons.push({ field: 'familyName', code: 'required' });
}

// Names repeat a lot in real customer lists: the name-derived index columns are memoised (a pure function of the names).
const nameCache = new Map<string, ReturnType<typeof indexPerson>>();
const companyTextCache = new Map<string, string>();

function cached<V>(cache: Map<string, V>, key: string, make: () => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size > 200_000) cache.clear();
    v = make();
    cache.set(key, v);
  }
  return v;
}

/** Same result as indexPerson (checked in import-rows.test.ts), with the name part memoised. */
export function indexPersonFast(p: {
  familyName: string;
  givenName: string | null;
  familyNameKana: string | null;
  givenNameKana: string | null;
  emails: StoredEmail[];
  phones: StoredPhone[];
  companyName: string | null;
}) {
  const key = `${p.familyName}\u0001${p.givenName ?? ''}\u0001${p.familyNameKana ?? ''}\u0001${p.givenNameKana ?? ''}\u0001${p.companyName ?? ''}`;
  const names = cached(nameCache, key, () => indexPerson({ ...p, emails: [], phones: [], companyName: p.companyName }));
  const companyText = p.companyName ? cached(companyTextCache, p.companyName, () => companyNameKey(p.companyName as string)) : '';
  // indexPerson puts the company name last: take it off the cached text and put the contacts before it.
  let text = names.search_text;
  if (companyText) text = text.endsWith(companyText) ? text.slice(0, text.length - companyText.length).trimEnd() : text;
  const contacts: string[] = [];
  for (const e of p.emails) pushNormalized(contacts, e.normalized);
  for (const ph of p.phones) {
    pushNormalized(contacts, ph.digits);
    pushNormalized(contacts, ph.e164);
  }
  const search_text = [text, contacts.join(' '), companyText].filter(Boolean).join(' ');
  return { ...names, search_text };
}

function pushNormalized(out: string[], s: string) {
  for (const part of s.split(' ')) {
    const n = normalizeForSearch(part);
    if (n) out.push(n);
  }
}

export function personColumns(input: PersonInput & { familyName: string }) {
  return {
    family_name: input.familyName,
    given_name: input.givenName,
    family_name_kana: input.familyNameKana,
    given_name_kana: input.givenNameKana,
    postal_code: input.postalCode,
    prefecture: input.prefecture,
    city: input.city,
    town: input.town,
    address_line: input.addressLine,
    birthday: input.birthday,
    gender: input.gender,
    title: input.title,
    tags: input.tags,
    notes: input.notes,
    ...indexPersonFast(input),
  };
}

export interface CompanyInput {
  name: string | null;
  nameKana: string | null;
  corporateNumber: string | null;
  industry: string | null;
  employeeCount: number | null;
  fiscalMonth: number | null;
  website: string | null;
  emails: StoredEmail[];
  phones: StoredPhone[];
  postalCode: string | null;
  prefecture: string | null;
  city: string | null;
  town: string | null;
  addressLine: string | null;
  tags: string[];
  notes: string | null;
  id: string | null;
  reader: RowReader;
}

/** 法人番号: 13 digits whose first digit is a check digit over the other twelve. */
export function corporateNumberProblem(digits: string): string | null {
  if (!/^\d{13}$/.test(digits)) return 'invalid_corporate_number';
  const body = digits.slice(1);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[11 - i]) * (i % 2 === 0 ? 1 : 2);
  return 9 - (sum % 9) === Number(digits[0]) ? null : 'invalid_check_digit';
}

function integer(r: RowReader, field: string, min: number, max: number): number | null {
  const t = r.text(field);
  if (!t) return null;
  const n = Number(t.normalize('NFKC').replace(/[,人名月\s]/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) {
    r.reasons.push({ field, code: 'out_of_range' });
    return null;
  }
  return n;
}

export function readCompany(cells: Cell[], columnOf: Map<string, number>): { input: CompanyInput; reasons: Reason[] } {
  const r = new RowReader(cells, columnOf);
  const emails: StoredEmail[] = [];
  r.email('email', 'work', emails);
  const phones: StoredPhone[] = [];
  r.phone('phone', null, phones);
  r.phone('fax', 'fax', phones);
  let corporateNumber = r.text('corporateNumber');
  if (corporateNumber) {
    corporateNumber = corporateNumber.normalize('NFKC').replace(/[\s-]/g, '');
    const problem = corporateNumberProblem(corporateNumber);
    if (problem) r.reasons.push({ field: 'corporateNumber', code: problem });
  }
  const website = r.text('website');
  const input: CompanyInput = {
    name: r.text('name'),
    nameKana: normalizeKana(r.kana('nameKana')),
    corporateNumber,
    industry: r.text('industry'),
    employeeCount: integer(r, 'employeeCount', 0, 10_000_000),
    fiscalMonth: integer(r, 'fiscalMonth', 1, 12),
    website,
    emails,
    phones,
    postalCode: r.postal('postalCode'),
    prefecture: r.text('prefecture'),
    city: r.text('city'),
    town: r.text('town'),
    addressLine: r.text('addressLine'),
    tags: tagsOf(r),
    notes: r.text('notes'),
    id: idOf(r),
    reader: r,
  };
  fillFromPostalCode(input);
  return { input, reasons: r.reasons };
}

export function companyColumns(input: CompanyInput & { name: string }) {
  return {
    name: input.name,
    name_kana: input.nameKana,
    corporate_number: input.corporateNumber,
    industry: input.industry,
    employee_count: input.employeeCount,
    fiscal_month: input.fiscalMonth,
    website: input.website,
    postal_code: input.postalCode,
    prefecture: input.prefecture,
    city: input.city,
    town: input.town,
    address_line: input.addressLine,
    tags: input.tags,
    notes: input.notes,
    ...indexCompany({
      name: input.name,
      nameKana: input.nameKana,
      emails: input.emails,
      phones: input.phones,
      corporateNumber: input.corporateNumber,
    }),
  };
}

/** Reason codes in the caller's language for the error report. */
const reasonText: Record<string, { ja: string; en: string }> = {
  required: { ja: '必須項目が空です', en: 'required value is missing' },
  too_long: { ja: '長すぎます', en: 'too long' },
  not_kana: { ja: 'カナで入力してください', en: 'must be kana' },
  invalid_email: { ja: 'メールアドレスが正しくありません', en: 'invalid email address' },
  invalid_phone: { ja: '電話番号が正しくありません', en: 'invalid phone number' },
  invalid_postal_code: { ja: '郵便番号は7桁で入力してください', en: 'postal code must have 7 digits' },
  invalid_date: { ja: '日付が正しくありません', en: 'invalid date' },
  out_of_range: { ja: '範囲外の値です', en: 'value out of range' },
  invalid_gender: { ja: '性別が正しくありません', en: 'invalid gender' },
  invalid_id: { ja: 'IDが正しくありません', en: 'invalid id' },
  too_many_or_too_long: { ja: 'タグが多すぎるか長すぎます', en: 'too many or too long tags' },
  department_without_company: { ja: '部署には会社名が必要です', en: 'a department needs a company name' },
  invalid_corporate_number: { ja: '法人番号は13桁です', en: 'corporate number must have 13 digits' },
  invalid_check_digit: { ja: '法人番号のチェックデジットが正しくありません', en: 'corporate number check digit is wrong' },
  duplicate_in_file: { ja: 'ファイル内で重複しています', en: 'duplicate within the file' },
  not_found: { ja: '更新対象が見つかりません', en: 'record to update not found' },
  unknown_field: { ja: '不明な項目です', en: 'unknown field' },
  not_an_option: { ja: '選択肢にない値です', en: 'not one of the options' },
  not_a_number: { ja: '数値ではありません', en: 'not a number' },
  not_a_date: { ja: '日付が正しくありません', en: 'not a date' },
  not_boolean: { ja: 'はい/いいえで入力してください', en: 'must be yes or no' },
  invalid_url: { ja: 'URLが正しくありません', en: 'invalid URL' },
};

export function describeReasons(reasons: Reason[], locale: 'ja' | 'en', label: (field: string) => string): string {
  return reasons.map((r) => `${label(r.field)}: ${reasonText[r.code]?.[locale] ?? r.code}`).join('; ');
}

export type { Cell };
