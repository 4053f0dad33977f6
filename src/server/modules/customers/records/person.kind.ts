import type { PersonCreate } from '../../../../shared/contracts/customers.js';
import type { Actor } from '../../../platform/actor.js';
import { AppError } from '../../../platform/http/errors.js';
import { teamInWorkspace, userInWorkspace } from '../../accounts/index.js';
import { personCatalog } from '../catalogs.js';
import type { CustomersDb } from '../customers.db.js';
import { findPersonDuplicates } from './duplicates.js';
import { indexPerson, normalizeContacts, normalizeKana, normalizePostalCode } from './indexing.js';
import * as repo from './people.repository.js';
import type { RecordKind } from './record-kind.js';
import { type PersonView, presentPerson } from './records.presenter.js';
import { insertPerson, type PersonRow, updatePerson } from './records.repository.js';

/** What a person's create or edited view holds (labels as stored: any string). */
export type PersonFields = Omit<PersonCreate, 'ignoreDuplicates' | 'emails' | 'phones' | 'household' | 'gender'> & {
  emails?: { label: string; address: string }[];
  phones?: { label?: string; number: string }[];
  household?: unknown[];
  gender?: string | null;
};

async function checkRefs(trx: CustomersDb, actor: Actor, input: Partial<PersonFields>) {
  const issues: { path: string; code: string }[] = [];
  if (input.companyId && !(await repo.companyName(trx, actor.workspaceId, input.companyId)))
    issues.push({ path: 'companyId', code: 'not_found' });
  if (input.departmentId && !(await repo.departmentOf(trx, actor.workspaceId, input.departmentId, input.companyId ?? null)))
    issues.push({ path: 'departmentId', code: 'not_found' });
  if (input.ownerId && !(await userInWorkspace(trx, actor.workspaceId, input.ownerId))) issues.push({ path: 'ownerId', code: 'not_found' });
  if (input.teamId && !(await teamInWorkspace(trx, actor.workspaceId, input.teamId))) issues.push({ path: 'teamId', code: 'not_found' });
  if (issues.length) throw new AppError('validation_failed', { issues });
}

/** The stored columns for a person, derived columns included. */
async function columnsFor(trx: CustomersDb, actor: Actor, merged: PersonFields) {
  const { emails, phones } = normalizeContacts(merged.emails ?? [], merged.phones ?? []);
  const familyNameKana = normalizeKana(merged.familyNameKana);
  const givenNameKana = normalizeKana(merged.givenNameKana);
  const companyName = merged.companyId ? await repo.companyName(trx, actor.workspaceId, merged.companyId) : null;
  const index = indexPerson({
    familyName: merged.familyName,
    givenName: merged.givenName ?? null,
    familyNameKana,
    givenNameKana,
    emails,
    phones,
    companyName: companyName ?? null,
  });
  return {
    columns: {
      family_name: merged.familyName,
      given_name: merged.givenName ?? null,
      family_name_kana: familyNameKana,
      given_name_kana: givenNameKana,
      emails: JSON.stringify(emails),
      phones: JSON.stringify(phones),
      postal_code: normalizePostalCode(merged.postalCode),
      prefecture: merged.prefecture ?? null,
      city: merged.city ?? null,
      town: merged.town ?? null,
      address_line: merged.addressLine ?? null,
      birthday: merged.birthday ?? null,
      gender: merged.gender ?? null,
      household: JSON.stringify(merged.household ?? []),
      preferences: merged.preferences ?? null,
      company_id: merged.companyId ?? null,
      department_id: merged.departmentId ?? null,
      title: merged.title ?? null,
      owner_id: merged.ownerId ?? null,
      team_id: merged.teamId ?? null,
      tags: [...new Set(merged.tags ?? [])],
      notes: merged.notes ?? null,
      ...index,
    },
    emails,
    phones,
  };
}
export type PersonColumns = Awaited<ReturnType<typeof columnsFor>>['columns'];

async function view(db: CustomersDb, workspaceId: string, row: PersonRow): Promise<PersonView> {
  const company = row.company_id ? { id: row.company_id, name: (await repo.companyName(db, workspaceId, row.company_id)) ?? '' } : null;
  return presentPerson(row, company);
}

async function viewPage(db: CustomersDb, workspaceId: string, rows: PersonRow[]) {
  const companies = await repo.companyNames(
    db,
    workspaceId,
    rows.map((r) => r.company_id).filter((x): x is string => !!x),
  );
  return rows.map((r) => presentPerson(r, r.company_id ? { id: r.company_id, name: companies.get(r.company_id) ?? '' } : null));
}

function checkBirthday(input: { birthday?: string | null }) {
  if (input.birthday && (input.birthday < '1900-01-01' || input.birthday > new Date().toISOString().slice(0, 10))) {
    throw new AppError('validation_failed', { issues: [{ path: 'birthday', code: 'out_of_range' }] });
  }
}

/** Employment history follows the person's company, department and title. */
async function followEmployment(trx: CustomersDb, actor: Actor, row: PersonRow, before: PersonRow | null) {
  if (!before) {
    if (row.company_id) await repo.startEmployment(trx, actor, row.id, row.company_id, row.department_id, row.title);
  } else if (row.company_id !== before.company_id) {
    await repo.endEmployment(trx, actor.workspaceId, before.id);
    if (row.company_id) await repo.startEmployment(trx, actor, before.id, row.company_id, row.department_id, row.title);
  } else if (row.title !== before.title || row.department_id !== before.department_id) {
    await repo.updateCurrentEmployment(trx, actor.workspaceId, before.id, row.department_id, row.title);
  }
}

export const personKind: RecordKind<'people', PersonView, PersonFields, PersonColumns> = {
  table: 'people',
  entity: 'person',
  catalog: personCatalog,
  checkInput: checkBirthday,
  checkRefs,
  columns: columnsFor,
  duplicates: (trx, workspaceId, c) => findPersonDuplicates(trx, workspaceId, { ...c.columns, emails: c.emails, phones: c.phones }),
  insert: insertPerson,
  update: updatePerson,
  view,
  viewPage,
  edited(before, changes) {
    const merged: PersonFields = { ...before, ...changes };
    // A new company without a department named: the old company's department no longer applies.
    if (merged.companyId !== before.companyId && changes.departmentId === undefined) merged.departmentId = null;
    return merged;
  },
  afterWrite: followEmployment,
  namesChangedFields: true,
};
