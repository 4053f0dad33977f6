import { formatJapaneseName } from '../../../../shared/jp-text.js';
import type { Json } from '../../../platform/db/schema.js';
import type { StoredEmail, StoredPhone } from './indexing.js';
import type { CompanyRow, PersonRow } from './records.repository.js';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
const dateOnly = (d: Date | string | null) => {
  if (!d) return null;
  if (typeof d === 'string') return d.slice(0, 10);
  // pg returns `date` as a local-midnight Date: format it in local time.
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/**
 * A jsonb array column as the shape this module writes into it (indexing.ts normalises emails and phones; the
 * household and custom values are validated by the contracts): the write path is the only writer of these columns.
 */
export function jsonList<T>(value: Json): T[] {
  return Array.isArray(value) ? (value as unknown as T[]) : [];
}
export function jsonObject(value: Json): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

type ReachColumns = 'emails' | 'phones' | 'postal_code' | 'prefecture' | 'city' | 'town' | 'address_line';
type KeepingColumns =
  | 'owner_id'
  | 'team_id'
  | 'tags'
  | 'custom'
  | 'notes'
  | 'version'
  | 'created_at'
  | 'created_by'
  | 'updated_at'
  | 'updated_by'
  | 'deleted_at';

/** Contact lists and postal address: people and companies store and show them alike. */
function presentReach(r: Pick<PersonRow, ReachColumns> & Pick<CompanyRow, ReachColumns>) {
  return {
    emails: jsonList<StoredEmail>(r.emails).map((e) => ({ label: e.label, address: e.address })),
    phones: jsonList<StoredPhone>(r.phones).map((p) => ({ label: p.label, number: p.number, e164: p.e164 })),
    postalCode: r.postal_code,
    prefecture: r.prefecture,
    city: r.city,
    town: r.town,
    addressLine: r.address_line,
  };
}

/** Ownership, team data and the record's history: the same columns on people and companies. */
function presentKeeping(r: Pick<PersonRow, KeepingColumns> & Pick<CompanyRow, KeepingColumns>) {
  return {
    ownerId: r.owner_id,
    teamId: r.team_id,
    tags: r.tags,
    custom: jsonObject(r.custom),
    notes: r.notes,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
    updatedAt: new Date(r.updated_at).toISOString(),
    updatedBy: r.updated_by,
    deletedAt: iso(r.deleted_at),
  };
}

export function presentPerson(r: PersonRow, company?: { id: string; name: string } | null) {
  return {
    id: r.id as string,
    displayName: formatJapaneseName(
      { family: r.family_name, given: r.given_name ?? '', familyKana: r.family_name_kana, givenKana: r.given_name_kana },
      'ja',
    ),
    familyName: r.family_name,
    givenName: r.given_name,
    familyNameKana: r.family_name_kana,
    givenNameKana: r.given_name_kana,
    ...presentReach(r),
    birthday: dateOnly(r.birthday),
    gender: r.gender,
    household: jsonList<unknown>(r.household),
    preferences: r.preferences,
    emailPermission: r.email_permission,
    dmPermission: r.dm_permission,
    companyId: r.company_id,
    company: company ?? null,
    departmentId: r.department_id,
    title: r.title,
    ...presentKeeping(r),
  };
}
export type PersonView = ReturnType<typeof presentPerson>;

export function presentCompany(r: CompanyRow, parent?: { id: string; name: string } | null) {
  return {
    id: r.id,
    name: r.name,
    nameKana: r.name_kana,
    corporateNumber: r.corporate_number,
    industry: r.industry,
    employeeCount: r.employee_count,
    fiscalMonth: r.fiscal_month,
    website: r.website,
    ...presentReach(r),
    parentId: r.parent_id,
    parent: parent ?? null,
    ...presentKeeping(r),
  };
}
export type CompanyView = ReturnType<typeof presentCompany>;
