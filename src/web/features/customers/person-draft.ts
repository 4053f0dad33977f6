import type { ValidationIssue } from '../../app/api-client';
import type { Person } from './customers-api';

/** The person form's values as the user edits them. */
export interface PersonDraft {
  familyName: string;
  givenName: string;
  familyNameKana: string;
  givenNameKana: string;
  emails: Array<{ label: string; address: string }>;
  phones: Array<{ label: string; number: string }>;
  postalCode: string;
  prefecture: string | null;
  city: string;
  town: string;
  addressLine: string;
  birthday: string;
  gender: string | null;
  company: { id: string; name: string } | null;
  title: string;
  tags: string[];
  custom: Record<string, unknown>;
}

export const emptyDraft = (): PersonDraft => ({
  familyName: '',
  givenName: '',
  familyNameKana: '',
  givenNameKana: '',
  emails: [],
  phones: [],
  postalCode: '',
  prefecture: null,
  city: '',
  town: '',
  addressLine: '',
  birthday: '',
  gender: null,
  company: null,
  title: '',
  tags: [],
  custom: {},
});

export function draftOf(p: Person): PersonDraft {
  return {
    familyName: p.familyName,
    givenName: p.givenName ?? '',
    familyNameKana: p.familyNameKana ?? '',
    givenNameKana: p.givenNameKana ?? '',
    emails: p.emails.map((e) => ({ label: e.label, address: e.address })),
    phones: p.phones.map((e) => ({ label: e.label, number: e.number })),
    postalCode: p.postalCode ?? '',
    prefecture: p.prefecture,
    city: p.city ?? '',
    town: p.town ?? '',
    addressLine: p.addressLine ?? '',
    birthday: p.birthday ?? '',
    gender: p.gender,
    company: p.company,
    title: p.title ?? '',
    tags: p.tags,
    custom: p.custom,
  };
}

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** The API body (create or patch) for a draft. */
export function payloadOf(d: PersonDraft) {
  return {
    familyName: d.familyName.trim(),
    givenName: orNull(d.givenName),
    familyNameKana: orNull(d.familyNameKana),
    givenNameKana: orNull(d.givenNameKana),
    emails: d.emails.filter((e) => e.address.trim()),
    phones: d.phones.filter((p) => p.number.trim()),
    postalCode: orNull(d.postalCode),
    prefecture: d.prefecture,
    city: orNull(d.city),
    town: orNull(d.town),
    addressLine: orNull(d.addressLine),
    birthday: orNull(d.birthday),
    gender: d.gender,
    companyId: d.company?.id ?? null,
    title: orNull(d.title),
    tags: d.tags,
    custom: d.custom,
  };
}

/** Field errors by path ("familyName", "emails.0.address", "custom.rank"), from a 400's details.issues. */
export function errorsByPath(issues: ValidationIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const path = i.path === 'companyId' ? 'company' : i.path;
    out[path] ??= i.message || (i as { code?: string }).code || '';
  }
  return out;
}
