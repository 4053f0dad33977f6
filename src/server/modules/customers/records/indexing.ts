import {
  companyNameKey,
  kanaNameKey,
  nameSortKey,
  normalizeEmail,
  normalizeForSearch,
  normalizePhone,
  personNameKey,
  romajiVariants,
  searchBigrams,
  toHiragana,
  toKatakana,
} from '../../../../shared/jp-text.js';
import { phoneLabelOf, phoneTypeOf } from '../../../../shared/phone-type.js';
import { AppError } from '../../../platform/http/errors.js';

/** Derived columns that make a record findable and comparable: computed on every write, in one place. */

export interface EmailIn {
  label: string;
  address: string;
}
export interface PhoneIn {
  /** Left out: taken from the number's type (phoneLabelOf). */
  label?: string;
  number: string;
}
export interface StoredEmail {
  label: string;
  address: string;
  normalized: string;
}
export interface StoredPhone {
  label: string;
  number: string;
  e164: string;
  digits: string;
}

/** Validate and normalise emails and phones; each bad one is named in the error. */
export function normalizeContacts(emails: EmailIn[], phones: PhoneIn[]) {
  const issues: { path: string; code: string }[] = [];
  const storedEmails: StoredEmail[] = [];
  emails.forEach((e, i) => {
    const normalized = normalizeEmail(e.address);
    if (!normalized) issues.push({ path: `emails.${i}.address`, code: 'invalid_email' });
    else storedEmails.push({ label: e.label, address: e.address.trim(), normalized });
  });
  const storedPhones: StoredPhone[] = [];
  phones.forEach((p, i) => {
    const n = normalizePhone(p.number);
    if (!n) issues.push({ path: `phones.${i}.number`, code: 'invalid_phone' });
    else storedPhones.push({ label: p.label ?? phoneLabelOf(phoneTypeOf(n.e164)), number: n.national, e164: n.e164, digits: n.digits });
  });
  if (issues.length) throw new AppError('validation_failed', { issues });
  return { emails: storedEmails, phones: storedPhones };
}

export function normalizeKana(kana: string | null | undefined): string | null {
  if (!kana) return null;
  const k = toKatakana(kana.normalize('NFKC'))
    .replace(/[\s　]+/g, ' ')
    .trim();
  return k || null;
}

export function normalizePostalCode(code: string | null | undefined): string | null {
  if (!code) return null;
  const digits = code.normalize('NFKC').replace(/\D/g, '');
  if (digits.length !== 7) throw new AppError('validation_failed', { issues: [{ path: 'postalCode', code: 'invalid_postal_code' }] });
  return `${digits.slice(0, 3)}-${digits.slice(3)}`;
}

function join(parts: Array<string | null | undefined>): string {
  return parts.filter((p): p is string => !!p).join(' ');
}

export interface PersonIndexInput {
  familyName: string;
  givenName: string | null;
  familyNameKana: string | null;
  givenNameKana: string | null;
  emails: StoredEmail[];
  phones: StoredPhone[];
  companyName: string | null;
  title?: string | null;
}

export function indexPerson(p: PersonIndexInput) {
  // The company by its name without the legal form: 大和運輸(株), 株式会社大和運輸 and ㈱大和運輸 index alike, as the
  // search folds a query's legal form too (the company a row links to is found by this key as well).
  const company = p.companyName ? companyNameKey(p.companyName) : null;
  const reading = join([p.familyNameKana, p.givenNameKana]);
  const names = join([p.familyName, p.givenName, p.familyName && p.givenName ? `${p.familyName}${p.givenName}` : null]);
  const kanaText = reading ? `${toHiragana(reading)} ${toHiragana((p.familyNameKana ?? '') + (p.givenNameKana ?? ''))}` : '';
  const romaji = reading ? romajiVariants((p.familyNameKana ?? '') + (p.givenNameKana ?? '')).join(' ') : '';
  const searchSource = join([
    names,
    kanaText,
    romaji,
    ...p.emails.map((e) => e.normalized),
    ...p.phones.flatMap((ph) => [ph.digits, ph.e164]),
    company,
  ]);
  return {
    name_key: personNameKey(p.familyName, p.givenName ?? ''),
    kana_key: reading ? kanaNameKey(p.familyNameKana ?? '', p.givenNameKana ?? '') : null,
    sort_key: nameSortKey({
      family: p.familyName,
      given: p.givenName ?? '',
      familyKana: p.familyNameKana ?? '',
      givenKana: p.givenNameKana ?? '',
    }),
    // Each part is normalised on its own so a bigram never spans two fields.
    search_text: searchSource
      .split(' ')
      .map((s) => normalizeForSearch(s))
      .filter(Boolean)
      .join(' '),
    search_bigrams: [...new Set([names, kanaText, company ?? ''].flatMap((s) => s.split(' ').flatMap((w) => searchBigrams(w))))],
  };
}

export interface CompanyIndexInput {
  name: string;
  nameKana: string | null;
  emails: StoredEmail[];
  phones: StoredPhone[];
  corporateNumber: string | null;
}

export function indexCompany(c: CompanyIndexInput) {
  const key = companyNameKey(c.name);
  const kanaText = c.nameKana ? toHiragana(c.nameKana) : '';
  const romaji = c.nameKana ? romajiVariants(c.nameKana).join(' ') : '';
  const source = join([
    c.name,
    key,
    kanaText,
    romaji,
    c.corporateNumber,
    ...c.emails.map((e) => e.normalized),
    ...c.phones.flatMap((p) => [p.digits, p.e164]),
  ]);
  return {
    name_key: key,
    sort_key: c.nameKana ? toHiragana(normalizeForSearch(c.nameKana)) : key,
    search_text: source
      .split(' ')
      .map((s) => normalizeForSearch(s))
      .filter(Boolean)
      .join(' '),
    search_bigrams: [...new Set([c.name, key, kanaText].flatMap((s) => s.split(' ').flatMap((w) => searchBigrams(w))))],
  };
}

/** Rows for contact_points: the normalised emails and E.164 phones of one record. */
export function contactPoints(
  workspaceId: string,
  entityType: 'person' | 'company',
  entityId: string,
  emails: StoredEmail[],
  phones: StoredPhone[],
) {
  const seen = new Set<string>();
  const rows: { workspace_id: string; kind: 'email' | 'phone'; value: string; entity_type: string; entity_id: string }[] = [];
  for (const [kind, value] of [...emails.map((e) => ['email', e.normalized] as const), ...phones.map((p) => ['phone', p.e164] as const)]) {
    if (seen.has(`${kind}:${value}`)) continue;
    seen.add(`${kind}:${value}`);
    rows.push({ workspace_id: workspaceId, kind, value, entity_type: entityType, entity_id: entityId });
  }
  return rows;
}
