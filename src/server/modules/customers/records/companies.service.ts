import { sql } from 'kysely';
import type { BulkAction, CompanyCreate, CompanyPatch } from '../../../../shared/contracts/customers.js';
import type { Filter, Sort } from '../../../../shared/filter.js';
import type { Actor } from '../../../platform/actor.js';
import { type Db, inTransaction, type Tx } from '../../../platform/db/database.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import { teamInWorkspace, userInWorkspace } from '../../accounts/index.js';
import { companyCatalog } from '../catalogs.js';
import { checkCustomUsers, customCatalog, listCustomFields, validateCustom } from '../custom-fields.js';
import { findCompanyDuplicates } from './duplicates.js';
import { contactPoints, indexCompany, indexPerson, normalizeContacts, normalizeKana, normalizePostalCode } from './indexing.js';
import { type CompanyView, presentCompany, presentPerson } from './people.presenter.js';
import { companyNames, staffOf } from './people.repository.js';
import { countRecords, findRecord, findVisibleRecord, listRecords, replaceContactPoints } from './records.repository.js';
import { bulkRecords, trashRecords } from './records.service.js';

async function catalogFor(db: Db | Tx, workspaceId: string) {
  const defs = await listCustomFields(db, workspaceId, 'company');
  return { defs, catalog: { ...companyCatalog, ...customCatalog(defs) } };
}

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

async function checkRefs(
  trx: Tx,
  actor: Actor,
  input: { parentId?: string | null; ownerId?: string | null; teamId?: string | null },
  selfId?: string,
) {
  const issues: { path: string; code: string }[] = [];
  if (input.parentId) {
    if (input.parentId === selfId) issues.push({ path: 'parentId', code: 'self' });
    else if (!(await findRecord(trx, 'companies', actor.workspaceId, input.parentId))) issues.push({ path: 'parentId', code: 'not_found' });
    else if (selfId) {
      // A company cannot become its own ancestor.
      const { rows } = await sql<{ id: string }>`WITH RECURSIVE up AS (
          SELECT id, parent_id FROM companies WHERE workspace_id = ${actor.workspaceId} AND id = ${input.parentId}
          UNION SELECT c.id, c.parent_id FROM companies c JOIN up ON c.workspace_id = ${actor.workspaceId} AND c.id = up.parent_id)
        SELECT id FROM up WHERE id = ${selfId}`.execute(trx);
      if (rows.length) issues.push({ path: 'parentId', code: 'cycle' });
    }
  }
  if (input.ownerId && !(await userInWorkspace(trx, actor.workspaceId, input.ownerId))) issues.push({ path: 'ownerId', code: 'not_found' });
  if (input.teamId && !(await teamInWorkspace(trx, actor.workspaceId, input.teamId))) issues.push({ path: 'teamId', code: 'not_found' });
  if (issues.length) throw new AppError('validation_failed', { issues });
}

function columnsFor(merged: Record<string, any>) {
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
      tags: [...new Set((merged.tags ?? []) as string[])],
      notes: merged.notes ?? null,
      ...indexCompany({ name: merged.name, nameKana, emails, phones, corporateNumber }),
    },
    emails,
    phones,
  };
}

async function view(db: Db | Tx, workspaceId: string, row: Record<string, any>): Promise<CompanyView> {
  const parent = row.parent_id
    ? { id: row.parent_id, name: (await companyNames(db, workspaceId, [row.parent_id])).get(row.parent_id) ?? '' }
    : null;
  return presentCompany(row, parent);
}

export async function createCompany(options: { db: Db | Tx; actor: Actor; input: CompanyCreate }) {
  const { actor, input } = options;
  return inTransaction(options.db, async (trx) => {
    await checkRefs(trx, actor, input);
    const { defs } = await catalogFor(trx, actor.workspaceId);
    const custom = validateCustom(defs, input.custom, null);
    await checkCustomUsers(trx, actor.workspaceId, defs, input.custom);
    const { columns, emails, phones } = columnsFor(input);
    if (!input.ignoreDuplicates) {
      const candidates = await findCompanyDuplicates(trx, actor.workspaceId, { ...columns, emails, phones });
      if (candidates.length) throw new AppError('duplicate_suspected', { candidates });
    }
    const id = newId();
    const row = (await trx
      .insertInto('companies')
      .values({
        workspace_id: actor.workspaceId,
        id,
        ...columns,
        custom: JSON.stringify(custom),
        owner_id: columns.owner_id ?? actor.userId,
        created_by: actor.userId,
        updated_by: actor.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow()) as Record<string, any>;
    await replaceContactPoints(trx, actor.workspaceId, 'company', id, contactPoints(actor.workspaceId, 'company', id, emails, phones));
    const company = await view(trx, actor.workspaceId, row);
    await recordChange(trx, actor, {
      audit: { action: 'company.created', entityType: 'company', entityId: id, after: company },
      event: { type: 'company.created', entityType: 'company', entityId: id, ownerId: row.owner_id, teamId: row.team_id },
    });
    return company;
  });
}

export async function getCompany(options: { db: Db; actor: Actor; companyId: string; includeDeleted?: boolean }) {
  const row = await findVisibleRecord(options.db, 'companies', options.actor, options.companyId, {
    includeDeleted: options.includeDeleted,
  });
  if (!row) throw new AppError('not_found');
  return view(options.db, options.actor.workspaceId, row);
}

export async function updateCompany(options: { db: Db; actor: Actor; companyId: string; patch: CompanyPatch }) {
  const { actor, patch } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await findVisibleRecord(trx, 'companies', actor, options.companyId, { forUpdate: true });
    if (!before) throw new AppError('not_found');
    const beforeView = await view(trx, actor.workspaceId, before);
    if (before.version !== patch.version) throw new AppError('conflict', { current: beforeView });
    const { version: _v, ...changes } = patch;
    const merged = { ...beforeView, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) };
    await checkRefs(trx, actor, merged, before.id);
    const { defs } = await catalogFor(trx, actor.workspaceId);
    const custom = validateCustom(defs, changes.custom, before.custom);
    await checkCustomUsers(trx, actor.workspaceId, defs, changes.custom);
    const { columns, emails, phones } = columnsFor(merged);
    const row = (await trx
      .updateTable('companies')
      .set({ ...columns, custom: JSON.stringify(custom), version: sql`version + 1`, updated_at: new Date(), updated_by: actor.userId })
      .where('workspace_id', '=', actor.workspaceId)
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow()) as Record<string, any>;
    await replaceContactPoints(
      trx,
      actor.workspaceId,
      'company',
      before.id,
      contactPoints(actor.workspaceId, 'company', before.id, emails, phones),
    );
    if (row.name !== before.name) await reindexEmployees(trx, actor.workspaceId, before.id, row.name);
    const after = await view(trx, actor.workspaceId, row);
    await recordChange(trx, actor, {
      audit: { action: 'company.updated', entityType: 'company', entityId: before.id, before: beforeView, after },
      event: { type: 'company.updated', entityType: 'company', entityId: before.id, ownerId: row.owner_id, teamId: row.team_id },
    });
    return after;
  });
}

/** People are found by their company's name: keep their search text current when it changes. */
async function reindexEmployees(trx: Tx, workspaceId: string, companyId: string, companyName: string) {
  const people = await trx
    .selectFrom('people')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('company_id', '=', companyId)
    .execute();
  for (const p of people) {
    const idx = indexPerson({
      familyName: p.family_name,
      givenName: p.given_name,
      familyNameKana: p.family_name_kana,
      givenNameKana: p.given_name_kana,
      emails: p.emails,
      phones: p.phones,
      companyName,
    });
    await trx
      .updateTable('people')
      .set({ search_text: idx.search_text, search_bigrams: idx.search_bigrams })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', p.id)
      .execute();
  }
}

export async function listCompanies(options: {
  db: Db;
  actor: Actor;
  filter?: Filter;
  sort: Sort;
  cursor?: string;
  limit: number;
  trash?: boolean;
}) {
  const { catalog } = await catalogFor(options.db, options.actor.workspaceId);
  const { rows, nextCursor } = await listRecords(options.db, 'companies', options.actor, options, catalog);
  const parents = await companyNames(
    options.db,
    options.actor.workspaceId,
    rows.map((r) => r.parent_id).filter((x): x is string => !!x),
  );
  return {
    data: rows.map((r) => presentCompany(r, r.parent_id ? { id: r.parent_id, name: parents.get(r.parent_id) ?? '' } : null)),
    nextCursor,
  };
}

export async function countCompanies(options: { db: Db; actor: Actor; filter?: Filter; trash?: boolean }) {
  const { catalog } = await catalogFor(options.db, options.actor.workspaceId);
  return countRecords(options.db, 'companies', options.actor, options, catalog);
}

export function deleteCompanies(options: { db: Db; actor: Actor; ids: string[]; restore?: boolean }) {
  return trashRecords({ ...options, target: { ids: options.ids }, table: 'companies', catalogFor });
}

export function bulkCompanies(options: { db: Db; actor: Actor; action: BulkAction }) {
  return bulkRecords({ ...options, table: 'companies', catalogFor });
}

/** How many of a company's current people its relations show. */
const STAFF_SHOWN = 500;

/** People who work at the company now, and its subsidiaries and departments (組織図). */
export async function companyRelations(options: { db: Db; actor: Actor; companyId: string }) {
  const company = await getCompany(options);
  const { db, actor } = options;
  const [people, children, departments] = await Promise.all([
    staffOf(db, actor, company.id, STAFF_SHOWN),
    db
      .selectFrom('companies')
      .select(['id', 'name'])
      .where('workspace_id', '=', actor.workspaceId)
      .where('parent_id', '=', company.id)
      .where('deleted_at', 'is', null)
      .orderBy('sort_key')
      .execute(),
    db
      .selectFrom('departments')
      .select(['id', 'name', 'parent_id', 'position', 'version'])
      .where('workspace_id', '=', actor.workspaceId)
      .where('company_id', '=', company.id)
      .orderBy('position')
      .orderBy('name')
      .execute(),
  ]);
  return {
    people: people.map((p) => presentPerson(p, { id: company.id, name: company.name })),
    subsidiaries: children.map((c) => ({ id: c.id as string, name: c.name as string })),
    departments: departments.map((d) => ({
      id: d.id as string,
      name: d.name as string,
      parentId: d.parent_id as string | null,
      position: d.position as number,
      version: d.version as number,
    })),
  };
}

export async function createDepartment(options: { db: Db; actor: Actor; companyId: string; name: string; parentId?: string | null }) {
  const { actor } = options;
  await getCompany(options);
  return options.db.transaction().execute(async (trx) => {
    if (options.parentId) {
      const parent = await trx
        .selectFrom('departments')
        .select('id')
        .where('workspace_id', '=', actor.workspaceId)
        .where('id', '=', options.parentId)
        .where('company_id', '=', options.companyId)
        .executeTakeFirst();
      if (!parent) throw new AppError('validation_failed', { issues: [{ path: 'parentId', code: 'not_found' }] });
    }
    const id = newId();
    await trx
      .insertInto('departments')
      .values({
        workspace_id: actor.workspaceId,
        id,
        company_id: options.companyId,
        parent_id: options.parentId ?? null,
        name: options.name,
        created_by: actor.userId,
        updated_by: actor.userId,
      })
      .execute();
    await recordChange(trx, actor, {
      audit: {
        action: 'department.created',
        entityType: 'company',
        entityId: options.companyId,
        after: { departmentId: id, name: options.name },
      },
      event: { type: 'company.updated', entityType: 'company', entityId: options.companyId },
    });
    return { id, name: options.name, parentId: options.parentId ?? null, position: 0, version: 1 };
  });
}
