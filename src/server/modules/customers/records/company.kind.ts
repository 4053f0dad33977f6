import type { CompanyCreate } from '../../../../shared/contracts/customers.js';
import type { Actor } from '../../../platform/actor.js';
import { AppError } from '../../../platform/http/errors.js';
import { teamInWorkspace, userInWorkspace } from '../../accounts/index.js';
import { companyCatalog } from '../catalogs.js';
import type { CustomersDb } from '../customers.db.js';
import { findCompanyDuplicates } from './duplicates.js';
import { indexCompany, normalizeContacts, normalizeKana, normalizePostalCode } from './indexing.js';
import * as repo from './people.repository.js';
import type { RecordKind } from './record-kind.js';
import { type CompanyView, presentCompany } from './records.presenter.js';
import { type CompanyRow, findRecord, insertCompany, updateCompany } from './records.repository.js';
import { reindexPeopleOf } from './reindex.js';

/** What a company's create or edited view holds (labels as stored: any string). */
export type CompanyFields = Omit<CompanyCreate, 'ignoreDuplicates' | 'emails' | 'phones'> & {
  emails?: { label: string; address: string }[];
  phones?: { label?: string; number: string }[];
};

function checkCorporateNumber(n: string | null | undefined): string | null {
  if (!n) return null;
  const digits = n.normalize('NFKC').replace(/[\s-]/g, '');
  // 法人番号: 13 digits whose first digit is a check digit over the other twelve.
  if (!/^\d{13}$/.test(digits))
    throw new AppError('validation_failed', { issues: [{ path: 'corporateNumber', code: 'invalid_corporate_number' }] });
  const body = digits.slice(1);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[11 - i]) * (i % 2 === 0 ? 1 : 2);
  if (9 - (sum % 9) !== Number(digits[0]))
    throw new AppError('validation_failed', { issues: [{ path: 'corporateNumber', code: 'invalid_check_digit' }] });
  return digits;
}

async function checkRefs(trx: CustomersDb, actor: Actor, input: Partial<CompanyFields>, selfId?: string) {
  const issues: { path: string; code: string }[] = [];
  if (input.parentId) {
    if (input.parentId === selfId) issues.push({ path: 'parentId', code: 'self' });
    else if (!(await findRecord(trx, 'companies', actor.workspaceId, input.parentId))) issues.push({ path: 'parentId', code: 'not_found' });
    // A company cannot become its own ancestor.
    else if (selfId && (await repo.isAncestor(trx, actor.workspaceId, selfId, input.parentId)))
      issues.push({ path: 'parentId', code: 'cycle' });
  }
  if (input.ownerId && !(await userInWorkspace(trx, actor.workspaceId, input.ownerId))) issues.push({ path: 'ownerId', code: 'not_found' });
  if (input.teamId && !(await teamInWorkspace(trx, actor.workspaceId, input.teamId))) issues.push({ path: 'teamId', code: 'not_found' });
  if (issues.length) throw new AppError('validation_failed', { issues });
}

function columnsFor(merged: CompanyFields) {
  const { emails, phones } = normalizeContacts(merged.emails ?? [], merged.phones ?? []);
  const nameKana = normalizeKana(merged.nameKana);
  const corporateNumber = checkCorporateNumber(merged.corporateNumber);
  return {
    columns: {
      name: merged.name,
      name_kana: nameKana,
      corporate_number: corporateNumber,
      industry: merged.industry ?? null,
      employee_count: merged.employeeCount ?? null,
      fiscal_month: merged.fiscalMonth ?? null,
      website: merged.website ?? null,
      emails: JSON.stringify(emails),
      phones: JSON.stringify(phones),
      postal_code: normalizePostalCode(merged.postalCode),
      prefecture: merged.prefecture ?? null,
      city: merged.city ?? null,
      town: merged.town ?? null,
      address_line: merged.addressLine ?? null,
      parent_id: merged.parentId ?? null,
      owner_id: merged.ownerId ?? null,
      team_id: merged.teamId ?? null,
      tags: [...new Set(merged.tags ?? [])],
      notes: merged.notes ?? null,
      ...indexCompany({ name: merged.name, nameKana, emails, phones, corporateNumber }),
    },
    emails,
    phones,
  };
}
export type CompanyColumns = ReturnType<typeof columnsFor>['columns'];

async function viewPage(db: CustomersDb, workspaceId: string, rows: CompanyRow[]) {
  const parents = await repo.companyNames(
    db,
    workspaceId,
    rows.map((r) => r.parent_id).filter((x): x is string => !!x),
  );
  return rows.map((r) => presentCompany(r, r.parent_id ? { id: r.parent_id, name: parents.get(r.parent_id) ?? '' } : null));
}

export const companyKind: RecordKind<'companies', CompanyView, CompanyFields, CompanyColumns> = {
  table: 'companies',
  entity: 'company',
  catalog: companyCatalog,
  checkInput: () => {},
  checkRefs,
  columns: async (_trx, _actor, merged) => columnsFor(merged),
  duplicates: (trx, workspaceId, c) => findCompanyDuplicates(trx, workspaceId, { ...c.columns, emails: c.emails, phones: c.phones }),
  insert: insertCompany,
  update: updateCompany,
  view: async (db, workspaceId, row) => (await viewPage(db, workspaceId, [row]))[0] as CompanyView,
  viewPage,
  edited: (before, changes) => ({ ...before, ...changes }),
  // People are found by their company's name: keep their search text current when it changes.
  afterWrite: async (trx, actor, row, before) => {
    if (before && row.name !== before.name) await reindexPeopleOf(trx, actor.workspaceId, row.id, row.name);
  },
  namesChangedFields: false,
};
