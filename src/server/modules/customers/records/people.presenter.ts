import { formatJapaneseName } from '../../../../shared/jp-text.js';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
const dateOnly = (d: Date | string | null) => {
  if (!d) return null;
  if (typeof d === 'string') return d.slice(0, 10);
  // pg returns `date` as a local-midnight Date: format it in local time.
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export function presentPerson(r: Record<string, any>, company?: { id: string; name: string } | null) {
  return {
    id: r.id as string,
    displayName: formatJapaneseName(
      { family: r.family_name, given: r.given_name ?? '', familyKana: r.family_name_kana, givenKana: r.given_name_kana },
      'ja',
    ),
    familyName: r.family_name as string,
    givenName: r.given_name as string | null,
    familyNameKana: r.family_name_kana as string | null,
    givenNameKana: r.given_name_kana as string | null,
    emails: (r.emails as { label: string; address: string }[]).map((e) => ({ label: e.label, address: e.address })),
    phones: (r.phones as { label: string; number: string; e164: string }[]).map((p) => ({
      label: p.label,
      number: p.number,
      e164: p.e164,
    })),
    postalCode: r.postal_code as string | null,
    prefecture: r.prefecture as string | null,
    city: r.city as string | null,
    town: r.town as string | null,
    addressLine: r.address_line as string | null,
    birthday: dateOnly(r.birthday),
    gender: r.gender as string | null,
    household: r.household as unknown[],
    preferences: r.preferences as string | null,
    emailPermission: r.email_permission as string,
    dmPermission: r.dm_permission as string,
    companyId: r.company_id as string | null,
    company: company ?? null,
    departmentId: r.department_id as string | null,
    title: r.title as string | null,
    ownerId: r.owner_id as string | null,
    teamId: r.team_id as string | null,
    tags: r.tags as string[],
    custom: r.custom as Record<string, unknown>,
    notes: r.notes as string | null,
    version: r.version as number,
    createdAt: iso(r.created_at) as string,
    createdBy: r.created_by as string | null,
    updatedAt: iso(r.updated_at) as string,
    updatedBy: r.updated_by as string | null,
    deletedAt: iso(r.deleted_at),
  };
}
export type PersonView = ReturnType<typeof presentPerson>;

export function presentCompany(r: Record<string, any>, parent?: { id: string; name: string } | null) {
  return {
    id: r.id as string,
    name: r.name as string,
    nameKana: r.name_kana as string | null,
    corporateNumber: r.corporate_number as string | null,
    industry: r.industry as string | null,
    employeeCount: r.employee_count as number | null,
    fiscalMonth: r.fiscal_month as number | null,
    website: r.website as string | null,
    emails: (r.emails as { label: string; address: string }[]).map((e) => ({ label: e.label, address: e.address })),
    phones: (r.phones as { label: string; number: string; e164: string }[]).map((p) => ({
      label: p.label,
      number: p.number,
      e164: p.e164,
    })),
    postalCode: r.postal_code as string | null,
    prefecture: r.prefecture as string | null,
    city: r.city as string | null,
    town: r.town as string | null,
    addressLine: r.address_line as string | null,
    parentId: r.parent_id as string | null,
    parent: parent ?? null,
    ownerId: r.owner_id as string | null,
    teamId: r.team_id as string | null,
    tags: r.tags as string[],
    custom: r.custom as Record<string, unknown>,
    notes: r.notes as string | null,
    version: r.version as number,
    createdAt: iso(r.created_at) as string,
    createdBy: r.created_by as string | null,
    updatedAt: iso(r.updated_at) as string,
    updatedBy: r.updated_by as string | null,
    deletedAt: iso(r.deleted_at),
  };
}
export type CompanyView = ReturnType<typeof presentCompany>;
