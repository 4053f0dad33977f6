import { can } from '../../../../shared/permissions.js';
import type { Actor } from '../../../platform/actor.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { listCustomFields, validateCustom } from '../custom-fields.js';
import type { CustomersDb, CustomersTx } from '../customers.db.js';
import { settlePairsAfterMerge } from './duplicates.repository.js';
import { contactPoints, indexCompany, indexPerson } from './indexing.js';
import * as mergeRepo from './merge.repository.js';
import { combine, companyMergeFields, type MergeChoice, parsed, parsePerson, personMergeFields, sharedColumns } from './merge-fields.js';
import { companyName, companyNames, startEmployment } from './people.repository.js';
import { presentCompany, presentPerson } from './records.presenter.js';
import {
  type CompanyRow,
  findVisibleRecord,
  type PersonRow,
  type RecordRow,
  type RecordTable,
  replaceContactPoints,
  updateCompany,
  updatePerson,
} from './records.repository.js';
import { reindexPeopleOf } from './reindex.js';

/**
 * Merging two records of one customer, field by field. Everything happens in one transaction: the
 * survivor takes the chosen values, related rows move to it, the other goes to the trash with
 * `merged_into`, and `person.merged` / `company.merged` tells other modules to move theirs.
 */
interface MergeInput {
  db: CustomersDb;
  actor: Actor;
  survivorId: string;
  mergedId: string;
  survivorVersion: number;
  mergedVersion: number;
  fields: Partial<Record<string, MergeChoice>>;
}

/** Lock both rows (in id order, so two merges never deadlock) and check what the actor may do. */
async function lockPair<T extends RecordTable>(trx: CustomersDb, table: T, input: MergeInput) {
  const { actor } = input;
  if (input.survivorId === input.mergedId) throw new AppError('validation_failed', { issues: [{ path: 'mergedId', code: 'same_record' }] });
  if (!can(actor.role, 'records.delete')) throw new AppError('forbidden', { permission: 'records.delete' });
  const rows = new Map<string, RecordRow<T>>();
  for (const id of [input.survivorId, input.mergedId].sort()) {
    const r = await findVisibleRecord(trx, table, actor, id, { forUpdate: true });
    if (!r) throw new AppError('not_found');
    rows.set(id, r);
  }
  const pick = (id: string) => {
    const r = rows.get(id);
    if (!r) throw new AppError('not_found');
    return r;
  };
  return { s: pick(input.survivorId), m: pick(input.mergedId) };
}

function checkVersions(input: MergeInput, s: { version: number }, m: { version: number }, current: unknown) {
  if (s.version !== input.survivorVersion || m.version !== input.mergedVersion) throw new AppError('conflict', { current });
}

async function checkCustom(trx: CustomersDb, workspaceId: string, entityType: 'person' | 'company', custom: Record<string, unknown>) {
  return validateCustom(await listCustomFields(trx, workspaceId, entityType), {}, custom);
}

export async function mergePeople(input: MergeInput) {
  const { actor } = input;
  return input.db.transaction().execute(async (trx) => {
    const { s, m } = await lockPair(trx, 'people', input);
    const view = async (r: PersonRow) =>
      presentPerson(r, r.company_id ? { id: r.company_id, name: (await companyName(trx, actor.workspaceId, r.company_id)) ?? '' } : null);
    const sView = await view(s);
    const mView = await view(m);
    checkVersions(input, s, m, { survivor: sView, merged: mView });
    const v = combine(personMergeFields, parsePerson(s), parsePerson(m), input.fields);
    v.custom = await checkCustom(trx, actor.workspaceId, 'person', v.custom);
    const company = v.company_id ? await companyName(trx, actor.workspaceId, v.company_id) : null;
    if (v.company_id && company === undefined) {
      // The chosen company is in the trash: keep the person without one rather than point at it.
      Object.assign(v, { company_id: null, department_id: null });
    }
    const index = indexPerson({
      familyName: v.family_name,
      givenName: v.given_name,
      familyNameKana: v.family_name_kana,
      givenNameKana: v.given_name_kana,
      emails: v.emails,
      phones: v.phones,
      companyName: company ?? null,
    });
    await mergeRepo.movePersonRows(trx, actor.workspaceId, m.id, s.id);
    const permissions = await mergeRepo.latestPermissions(trx, actor.workspaceId, s.id);
    const row = await updatePerson(trx, actor.workspaceId, s.id, {
      family_name: v.family_name,
      given_name: v.given_name,
      family_name_kana: v.family_name_kana,
      given_name_kana: v.given_name_kana,
      birthday: v.birthday,
      gender: v.gender,
      household: JSON.stringify(v.household),
      preferences: v.preferences,
      company_id: v.company_id,
      department_id: v.department_id,
      title: v.title,
      ...sharedColumns(v),
      ...index,
      email_permission: permissions.email ?? (s.email_permission === 'unknown' ? m.email_permission : s.email_permission),
      dm_permission: permissions.dm ?? (s.dm_permission === 'unknown' ? m.dm_permission : s.dm_permission),
      updated_by: actor.userId,
    });
    await settleEmployments(trx, actor, row);
    await replaceContactPoints(
      trx,
      actor.workspaceId,
      'person',
      s.id,
      contactPoints(actor.workspaceId, 'person', s.id, v.emails, v.phones),
    );
    await replaceContactPoints(trx, actor.workspaceId, 'person', m.id, []);
    const gone = await mergeRepo.retire(trx, 'people', actor.workspaceId, m.id, s.id, actor.userId);
    await settlePairsAfterMerge(trx, actor.workspaceId, 'person', s.id, m.id, actor.userId);
    const after = await view(row);
    await recordMerge(trx, actor, 'person', { sView, mView, after, row, gone, fields: input.fields });
    return after;
  });
}

/** After moving employment rows: one current employment, at the survivor's company, with its department and title. */
async function settleEmployments(trx: CustomersDb, actor: Actor, row: PersonRow) {
  const current = await mergeRepo.currentEmployments(trx, actor.workspaceId, row.id);
  const keep = row.company_id ? current.find((e) => e.company_id === row.company_id) : undefined;
  await mergeRepo.endEmployments(
    trx,
    actor.workspaceId,
    current.filter((e) => e !== keep).map((e) => e.id),
  );
  if (keep) await mergeRepo.setEmployment(trx, actor.workspaceId, keep.id, row.department_id, row.title);
  else if (row.company_id) await startEmployment(trx, actor, row.id, row.company_id, row.department_id, row.title);
}

export async function mergeCompanies(input: MergeInput) {
  const { actor } = input;
  return input.db.transaction().execute(async (trx) => {
    const { s, m } = await lockPair(trx, 'companies', input);
    const view = async (r: CompanyRow) =>
      presentCompany(
        r,
        r.parent_id ? { id: r.parent_id, name: (await companyNames(trx, actor.workspaceId, [r.parent_id])).get(r.parent_id) ?? '' } : null,
      );
    const sView = await view(s);
    const mView = await view(m);
    checkVersions(input, s, m, { survivor: sView, merged: mView });
    const v = combine(companyMergeFields, parsed(s), parsed(m), input.fields);
    v.custom = await checkCustom(trx, actor.workspaceId, 'company', v.custom);
    if (v.parent_id === s.id || v.parent_id === m.id) v.parent_id = null;
    const index = indexCompany({
      name: v.name,
      nameKana: v.name_kana,
      emails: v.emails,
      phones: v.phones,
      corporateNumber: v.corporate_number,
    });
    await mergeRepo.moveCompanyRows(trx, actor.workspaceId, m.id, s.id);
    const row = await updateCompany(trx, actor.workspaceId, s.id, {
      name: v.name,
      name_kana: v.name_kana,
      corporate_number: v.corporate_number,
      industry: v.industry,
      employee_count: v.employee_count,
      fiscal_month: v.fiscal_month,
      website: v.website,
      parent_id: v.parent_id,
      ...sharedColumns(v),
      ...index,
      updated_by: actor.userId,
    });
    if (await mergeRepo.isOwnAncestor(trx, actor.workspaceId, s.id))
      throw new AppError('validation_failed', { issues: [{ path: 'fields.parentId', code: 'cycle' }] });
    await reindexPeopleOf(trx, actor.workspaceId, s.id, row.name);
    await replaceContactPoints(
      trx,
      actor.workspaceId,
      'company',
      s.id,
      contactPoints(actor.workspaceId, 'company', s.id, v.emails, v.phones),
    );
    await replaceContactPoints(trx, actor.workspaceId, 'company', m.id, []);
    const gone = await mergeRepo.retire(trx, 'companies', actor.workspaceId, m.id, s.id, actor.userId);
    await settlePairsAfterMerge(trx, actor.workspaceId, 'company', s.id, m.id, actor.userId);
    const after = await view(row);
    await recordMerge(trx, actor, 'company', { sView, mView, after, row, gone, fields: input.fields });
    return after;
  });
}

type Owned = { id: string; owner_id: string | null; team_id: string | null };

/** Audit both records (both before-states and the choices) and tell other modules to move their rows. */
async function recordMerge(
  trx: CustomersTx,
  actor: Actor,
  entityType: 'person' | 'company',
  x: { sView: object; mView: object; after: object; row: Owned; gone: Owned; fields: Partial<Record<string, MergeChoice>> },
) {
  const survivorId = x.row.id;
  const mergedId = x.gone.id;
  await recordChange(trx, actor, {
    audit: {
      action: `${entityType}.merged`,
      entityType,
      entityId: survivorId,
      before: { survivor: x.sView, merged: x.mView },
      after: { record: x.after, mergedId, fields: x.fields },
    },
    event: {
      type: `${entityType}.merged`,
      entityType,
      entityId: survivorId,
      ownerId: x.row.owner_id,
      teamId: x.row.team_id,
      payload: { survivorId, mergedId },
    },
  });
  await recordChange(trx, actor, {
    audit: { action: `${entityType}.merged_into`, entityType, entityId: mergedId, before: x.mView, after: { mergedInto: survivorId } },
    event: {
      type: `${entityType}.deleted`,
      entityType,
      entityId: mergedId,
      ownerId: x.gone.owner_id,
      teamId: x.gone.team_id,
      payload: { mergedInto: survivorId },
    },
  });
}
