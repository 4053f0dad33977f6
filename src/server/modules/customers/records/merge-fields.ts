import { AppError } from '../../../platform/http/errors.js';
import type { StoredEmail, StoredPhone } from './indexing.js';
import { jsonList, jsonObject } from './records.presenter.js';
import type { CompanyRow, PersonRow } from './records.repository.js';

/** The fields a merge chooses between, and how: from the survivor, from the merged record, or both (union). */
export type MergeChoice = 'survivor' | 'merged' | 'union';

/** A row with its jsonb columns read as what this module stores in them: the values a merge chooses between. */
export type Parsed<R> = Omit<R, 'emails' | 'phones' | 'custom'> & {
  emails: StoredEmail[];
  phones: StoredPhone[];
  custom: Record<string, unknown>;
};
export type MergePerson = Omit<Parsed<PersonRow>, 'household'> & { household: unknown[] };
export type MergeCompany = Parsed<CompanyRow>;

interface FieldRule<R> {
  columns: (keyof R & string)[];
  union?: (s: R, m: R) => Partial<R>;
}

const byKey = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((i) => [key(i), i])).values()];
const joinText = (a: string | null, b: string | null) => [...new Set([a, b].filter((x): x is string => !!x))].join('\n\n') || null;

/** What both kinds have; union: the survivor's values win, the merged record's fill the gaps. */
function commonRules<R extends MergePerson | MergeCompany>(): Record<string, FieldRule<R>> {
  const rules: Record<string, FieldRule<MergePerson | MergeCompany>> = {
    emails: { columns: ['emails'], union: (s, m) => ({ emails: byKey([...s.emails, ...m.emails], (e) => e.normalized) }) },
    phones: { columns: ['phones'], union: (s, m) => ({ phones: byKey([...s.phones, ...m.phones], (p) => p.e164) }) },
    address: { columns: ['postal_code', 'prefecture', 'city', 'town', 'address_line'] },
    ownerId: { columns: ['owner_id'] },
    teamId: { columns: ['team_id'] },
    tags: { columns: ['tags'], union: (s, m) => ({ tags: [...new Set([...s.tags, ...m.tags])] }) },
    custom: { columns: ['custom'], union: (s, m) => ({ custom: { ...m.custom, ...s.custom } }) },
    notes: { columns: ['notes'], union: (s, m) => ({ notes: joinText(s.notes, m.notes) }) },
  };
  return rules as Record<string, FieldRule<R>>;
}

export const personMergeFields: Record<string, FieldRule<MergePerson>> = {
  familyName: { columns: ['family_name'] },
  givenName: { columns: ['given_name'] },
  familyNameKana: { columns: ['family_name_kana'] },
  givenNameKana: { columns: ['given_name_kana'] },
  birthday: { columns: ['birthday'] },
  gender: { columns: ['gender'] },
  household: {
    columns: ['household'],
    union: (s, m) => ({ household: byKey([...s.household, ...m.household], (h) => JSON.stringify(h)) }),
  },
  preferences: { columns: ['preferences'], union: (s, m) => ({ preferences: joinText(s.preferences, m.preferences) }) },
  /** Company, department and title go together: a department belongs to its company. */
  company: { columns: ['company_id', 'department_id', 'title'] },
  ...commonRules<MergePerson>(),
};

export const companyMergeFields: Record<string, FieldRule<MergeCompany>> = {
  name: { columns: ['name'] },
  nameKana: { columns: ['name_kana'] },
  corporateNumber: { columns: ['corporate_number'] },
  industry: { columns: ['industry'] },
  employeeCount: { columns: ['employee_count'] },
  fiscalMonth: { columns: ['fiscal_month'] },
  website: { columns: ['website'] },
  parentId: { columns: ['parent_id'] },
  ...commonRules<MergeCompany>(),
};

export const parsed = <R extends PersonRow | CompanyRow>(r: R) => ({
  ...r,
  emails: jsonList<StoredEmail>(r.emails),
  phones: jsonList<StoredPhone>(r.phones),
  custom: jsonObject(r.custom),
});
export const parsePerson = (r: PersonRow): MergePerson => ({ ...parsed(r), household: jsonList<unknown>(r.household) });

/** The survivor's row with the chosen values; unnamed fields keep the survivor's value. */
export function combine<R extends MergePerson | MergeCompany>(
  rules: Record<string, FieldRule<R>>,
  s: R,
  m: R,
  fields: Partial<Record<string, MergeChoice>>,
): R {
  const issues: { path: string; code: string }[] = [];
  const out: R = { ...s };
  for (const [name, rule] of Object.entries(rules)) {
    const choice = fields[name] ?? 'survivor';
    if (choice === 'union') {
      if (!rule.union) issues.push({ path: `fields.${name}`, code: 'union_not_allowed' });
      else Object.assign(out, rule.union(s, m));
    } else for (const c of rule.columns) out[c] = (choice === 'merged' ? m : s)[c];
  }
  for (const name of Object.keys(fields)) if (!rules[name]) issues.push({ path: `fields.${name}`, code: 'unknown_field' });
  if (out.emails.length > 10) issues.push({ path: 'fields.emails', code: 'too_many' });
  if (out.phones.length > 10) issues.push({ path: 'fields.phones', code: 'too_many' });
  if (issues.length) throw new AppError('validation_failed', { issues });
  return out;
}

/** The jsonb columns as stored again. */
const stored = (v: { emails: StoredEmail[]; phones: StoredPhone[]; custom: Record<string, unknown> }) => ({
  emails: JSON.stringify(v.emails),
  phones: JSON.stringify(v.phones),
  custom: JSON.stringify(v.custom),
});

/** The columns both kinds take from a merge (jsonb ones stored again). */
export function sharedColumns(v: MergePerson | MergeCompany) {
  return {
    ...stored(v),
    postal_code: v.postal_code,
    prefecture: v.prefecture,
    city: v.city,
    town: v.town,
    address_line: v.address_line,
    owner_id: v.owner_id,
    team_id: v.team_id,
    tags: v.tags,
    notes: v.notes,
  };
}
