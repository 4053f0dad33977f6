import type { Person } from './customers-api';
import { type AddressDraft, orNull } from './record-draft';

/** The person form's values as the user edits them. */
export interface PersonDraft extends AddressDraft {
  familyName: string;
  givenName: string;
  familyNameKana: string;
  givenNameKana: string;
  emails: Array<{ label: string; address: string }>;
  /** label `auto`: not chosen, the server takes it from the number (mobile or work). */
  phones: Array<{ label: string; number: string }>;
  birthday: string;
  gender: string | null;
  company: { id: string; name: string } | null;
  title: string;
  tags: string[];
  custom: Record<string, unknown>;
  departmentId: string | null;
  ownerId: string | null;
  teamId: string | null;
  household: HouseholdMember[];
  preferences: string;
  notes: string;
}

/** One row of 家族構成. The note is kept as it came from the API; the form does not edit it. */
export interface HouseholdMember {
  relation: string;
  name: string;
  birthday: string;
  note?: string | null;
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
  departmentId: null,
  ownerId: null,
  teamId: null,
  household: [],
  preferences: '',
  notes: '',
});

function householdOf(list: unknown[]): HouseholdMember[] {
  return list.flatMap((x) => {
    if (!x || typeof x !== 'object') return [];
    const h = x as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    return [{ relation: str(h.relation), name: str(h.name), birthday: str(h.birthday), note: typeof h.note === 'string' ? h.note : null }];
  });
}

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
    departmentId: p.departmentId,
    ownerId: p.ownerId,
    teamId: p.teamId,
    household: householdOf(p.household),
    preferences: p.preferences ?? '',
    notes: p.notes ?? '',
  };
}

/** A new phone row's label until the user picks one: the API then labels the number by its type. */
export const AUTO_LABEL = 'auto';

/** The API body (create or patch) for a draft. */
export function payloadOf(d: PersonDraft) {
  return {
    familyName: d.familyName.trim(),
    givenName: orNull(d.givenName),
    familyNameKana: orNull(d.familyNameKana),
    givenNameKana: orNull(d.givenNameKana),
    emails: d.emails.filter((e) => e.address.trim()),
    phones: d.phones.filter((p) => p.number.trim()).map((p) => (p.label === AUTO_LABEL ? { number: p.number } : p)),
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
    departmentId: d.company ? d.departmentId : null,
    ownerId: d.ownerId,
    teamId: d.teamId,
    household: d.household
      .filter((h) => h.relation.trim())
      .map((h) => ({ relation: h.relation.trim(), name: orNull(h.name), birthday: orNull(h.birthday), note: h.note ?? null })),
    preferences: orNull(d.preferences),
    notes: orNull(d.notes),
  };
}
