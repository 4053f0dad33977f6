import { type RawBuilder, sql } from 'kysely';
import { PREFECTURES } from '../../../shared/prefectures.js';
import type { FieldCatalog, FieldSpec } from '../../platform/filter/compile.js';
import { matchesTerm, searchTerm } from './records/search-match.js';

const col =
  (name: string) =>
  (a: string): RawBuilder<unknown> =>
    sql.ref(`${a}.${name}`);
const f = (type: FieldSpec['type'], name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  type,
  expr: col(name),
  sortable: true,
  ...extra,
});
const jsonText = (name: string, key: string) => (a: string) =>
  sql`(SELECT string_agg(x->>${key}, ' ') FROM jsonb_array_elements(${sql.ref(`${a}.${name}`)}) x)`;
const prefectureNames = PREFECTURES.map((p) => p.name);

/**
 * `{ field: 'search', op: 'contains', value }`: what the search box of a list adds to the view's filter, matched as
 * the type-ahead search matches (names, readings, romaji, emails, phones, company) through the search indexes.
 */
const search: FieldSpec = {
  type: 'text',
  expr: col('search_text'),
  ops: ['contains'],
  contains: (alias, value) => matchesTerm(alias, searchTerm(value)),
};

const companyOf = (column: string) => (a: string) =>
  sql`(SELECT c.${sql.raw(column)} FROM companies c WHERE c.workspace_id = ${sql.ref(`${a}.workspace_id`)} AND c.id = ${sql.ref(`${a}.company_id`)})`;

/** Built-in fields of people for filters and sorts; custom fields are added per workspace. */
export const personCatalog: FieldCatalog = {
  id: f('uuid', 'id', { notNull: true }),
  search,
  name: { type: 'text', expr: col('sort_key'), sortable: true, notNull: true },
  familyName: f('text', 'family_name', { notNull: true }),
  givenName: f('text', 'given_name'),
  familyNameKana: f('text', 'family_name_kana'),
  givenNameKana: f('text', 'given_name_kana'),
  email: { type: 'text', expr: jsonText('emails', 'normalized') },
  phone: { type: 'text', expr: jsonText('phones', 'number') },
  postalCode: f('text', 'postal_code'),
  prefecture: f('enum', 'prefecture', { options: prefectureNames }),
  city: f('text', 'city'),
  town: f('text', 'town'),
  birthday: f('date', 'birthday'),
  birthMonth: { type: 'number', expr: (a) => sql`extract(month FROM ${sql.ref(`${a}.birthday`)})`, sortable: true },
  gender: f('enum', 'gender', { options: ['female', 'male', 'other', 'unspecified'] }),
  emailPermission: f('enum', 'email_permission', { options: ['unknown', 'granted', 'withdrawn'], notNull: true }),
  dmPermission: f('enum', 'dm_permission', { options: ['unknown', 'granted', 'withdrawn'], notNull: true }),
  companyId: f('uuid', 'company_id'),
  title: f('text', 'title'),
  ownerId: f('uuid', 'owner_id'),
  teamId: f('uuid', 'team_id'),
  tags: { type: 'tags', expr: col('tags') },
  createdAt: f('datetime', 'created_at', { notNull: true }),
  updatedAt: f('datetime', 'updated_at', { notNull: true }),
  'company.name': { type: 'text', expr: companyOf('name'), sortable: true },
  'company.industry': { type: 'text', expr: companyOf('industry') },
  'company.prefecture': { type: 'enum', expr: companyOf('prefecture'), options: prefectureNames },
  'company.employeeCount': { type: 'number', expr: companyOf('employee_count') },
};

export const companyCatalog: FieldCatalog = {
  id: f('uuid', 'id', { notNull: true }),
  search,
  name: { type: 'text', expr: col('sort_key'), sortable: true, notNull: true },
  nameKana: f('text', 'name_kana'),
  corporateNumber: f('text', 'corporate_number'),
  industry: f('text', 'industry'),
  employeeCount: f('number', 'employee_count'),
  fiscalMonth: f('number', 'fiscal_month'),
  website: f('text', 'website'),
  email: { type: 'text', expr: jsonText('emails', 'normalized') },
  phone: { type: 'text', expr: jsonText('phones', 'number') },
  postalCode: f('text', 'postal_code'),
  prefecture: f('enum', 'prefecture', { options: prefectureNames }),
  city: f('text', 'city'),
  parentId: f('uuid', 'parent_id'),
  ownerId: f('uuid', 'owner_id'),
  teamId: f('uuid', 'team_id'),
  tags: { type: 'tags', expr: col('tags') },
  createdAt: f('datetime', 'created_at', { notNull: true }),
  updatedAt: f('datetime', 'updated_at', { notNull: true }),
};

/** Another module adds fields of its own to the people/companies lists (e.g. commerce's purchase metrics). */
export function registerRecordFields(entity: 'person' | 'company', fields: FieldCatalog) {
  Object.assign(entity === 'person' ? personCatalog : companyCatalog, fields);
}
