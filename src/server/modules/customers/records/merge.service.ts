import { can } from '../../../../shared/permissions.js';
import type { Actor } from '../../../platform/actor.js';
import type { Db, Tx } from '../../../platform/db/database.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { listCustomFields, validateCustom } from '../custom-fields.js';
import { settlePairsAfterMerge } from './duplicates.repository.js';
import { contactPoints, indexCompany, indexPerson, type StoredEmail, type StoredPhone } from './indexing.js';
import * as mergeRepo from './merge.repository.js';
import { presentCompany, presentPerson } from './people.presenter.js';
import { companyName, companyNames, startEmployment } from './people.repository.js';
import { findVisibleRecord, replaceContactPoints } from './records.repository.js';

/**
 * Merging two records of one customer, field by field. Everything happens in one transaction: the
 * survivor takes the chosen values, related rows move to it, the other goes to the trash with
 * `merged_into`, and `person.merged` / `company.merged` tells other modules to move theirs.
 */
export type MergeChoice = 'survivor' | 'merged' | 'union';

interface FieldRule {
  columns: string[];
  union?: (s: Record<string, any>, m: Record<string, any>) => Record<string, unknown>;
}

const byKey = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((i) => [key(i), i])).values()];
const joinText = (a: string | null, b: string | null) => [...new Set([a, b].filter((x): x is string => !!x))].join('\n\n') || null;

const common: Record<string, FieldRule> = {
  emails: {
    columns: ['emails'],
    union: (s, m) => ({ emails: byKey<StoredEmail>([...s.emails, ...m.emails], (e) => e.normalized) }),
  },
  phones: {
    columns: ['phones'],
    union: (s, m) => ({ phones: byKey<StoredPhone>([...s.phones, ...m.phones], (p) => p.e164) }),
  },
  address: { columns: ['postal_code', 'prefecture', 'city', 'town', 'address_line'] },
  ownerId: { columns: ['owner_id'] },
  teamId: { columns: ['team_id'] },
  tags: { columns: ['tags'], union: (s, m) => ({ tags: [...new Set([...s.tags, ...m.tags])] }) },
  // Union: the survivor's values win, the merged record's fill the gaps.
  custom: { columns: ['custom'], union: (s, m) => ({ custom: { ...m.custom, ...s.custom } }) },
  notes: { columns: ['notes'], union: (s, m) => ({ notes: joinText(s.notes, m.notes) }) },
};

export const personMergeFields: Record<string, FieldRule> = {
  familyName: { columns: ['family_name'] },
  givenName: { columns: ['given_name'] },
  familyNameKana: { columns: ['family_name_kana'] },
  givenNameKana: { columns: ['given_name_kana'] },
  birthday: { columns: ['birthday'] },
  gender: { columns: ['gender'] },
  household: {
    columns: ['household'],
    union: (s, m) => ({ household: byKey<unknown>([...s.household, ...m.household], (h) => JSON.stringify(h)) }),
  },
  preferences: { columns: ['preferences'], union: (s, m) => ({ preferences: joinText(s.preferences, m.preferences) }) },
  /** Company, department and title go together: a department belongs to its company. */
  company: { columns: ['company_id', 'department_id', 'title'] },
  ...common,
};

export const companyMergeFields: Record<string, FieldRule> = {
  name: { columns: ['name'] },
  nameKana: { columns: ['name_kana'] },
  corporateNumber: { columns: ['corporate_number'] },
  industry: { columns: ['industry'] },
  employeeCount: { columns: ['employee_count'] },
  fiscalMonth: { columns: ['fiscal_month'] },
  website: { columns: ['website'] },
  parentId: { columns: ['parent_id'] },
  ...common,
};

const JSON_COLUMNS = new Set(['emails', 'phones', 'household', 'custom']);

/** The survivor's row with the chosen values; unnamed fields keep the survivor's value. */
function combine(
  rules: Record<string, FieldRule>,
  s: Record<string, any>,
  m: Record<string, any>,
  fields: Partial<Record<string, MergeChoice>>,
) {
  const issues: { path: string; code: string }[] = [];
  const out: Record<string, any> = {};
  for (const [name, rule] of Object.entries(rules)) {
    const choice = fields[name] ?? 'survivor';
    if (choice === 'union') {
      if (!rule.union) issues.push({ path: `fields.${name}`, code: 'union_not_allowed' });
      else Object.assign(out, rule.union(s, m));
    } else for (const c of rule.columns) out[c] = (choice === 'merged' ? m : s)[c];
  }
  for (const name of Object.keys(fields)) if (!rules[name]) issues.push({ path: `fields.${name}`, code: 'unknown_field' });
  if (out.emails?.length > 10) issues.push({ path: 'fields.emails', code: 'too_many' });
  if (out.phones?.length > 10) issues.push({ path: 'fields.phones', code: 'too_many' });
  if (issues.length) throw new AppError('validation_failed', { issues });
  return out;
}

function toDbColumns(values: Record<string, any>) {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, JSON_COLUMNS.has(k) ? JSON.stringify(v) : v]));
}

interface MergeInput {
  db: Db;
  actor: Actor;
  survivorId: string;
  mergedId: string;
  survivorVersion: number;
  mergedVersion: number;
  fields: Partial<Record<string, MergeChoice>>;
}

/** Lock both rows (in id order, so two merges never deadlock) and check what the actor may do. */
async function lockPair(trx: Tx, table: 'people' | 'companies', input: MergeInput) {
  const { actor } = input;
  if (input.survivorId === input.mergedId) throw new AppError('validation_failed', { issues: [{ path: 'mergedId', code: 'same_record' }] });
  if (!can(actor.role, 'records.delete')) throw new AppError('forbidden', { permission: 'records.delete' });
  const rows = new Map<string, Record<string, any>>();
  for (const id of [input.survivorId, input.mergedId].sort()) {
    const r = await findVisibleRecord(trx, table, actor, id, { forUpdate: true });
    if (!r) throw new AppError('not_found');
    rows.set(id, r);
  }
  return { s: rows.get(input.survivorId) as Record<string, any>, m: rows.get(input.mergedId) as Record<string, any> };
}

function checkVersions(input: MergeInput, s: Record<string, any>, m: Record<string, any>, current: unknown) {
  if (s.version !== input.survivorVersion || m.version !== input.mergedVersion) throw new AppError('conflict', { current });
}

async function checkCustom(trx: Tx, workspaceId: string, entityType: 'person' | 'company', custom: Record<string, unknown>) {
  return validateCustom(await listCustomFields(trx, workspaceId, entityType), {}, custom);
}

export async function mergePeople(input: MergeInput) {
  const { actor } = input;
  return input.db.transaction().execute(async (trx) => {
    const { s, m } = await lockPair(trx, 'people', input);
    const view = async (r: Record<string, any>) =>
      presentPerson(r, r.company_id ? { id: r.company_id, name: (await companyName(trx, actor.workspaceId, r.company_id)) ?? '' } : null);
    const sView = await view(s);
    const mView = await view(m);
    checkVersions(input, s, m, { survivor: sView, merged: mView });
    const values = combine(personMergeFields, s, m, input.fields);
    values.custom = await checkCustom(trx, actor.workspaceId, 'person', values.custom);
    const company = values.company_id ? await companyName(trx, actor.workspaceId, values.company_id) : null;
    if (values.company_id && company === undefined) {
      // The chosen company is in the trash: keep the person without one rather than point at it.
      Object.assign(values, { company_id: null, department_id: null });
    }
    const index = indexPerson({
      familyName: values.family_name,
      givenName: values.given_name,
      familyNameKana: values.family_name_kana,
      givenNameKana: values.given_name_kana,
      emails: values.emails,
      phones: values.phones,
      companyName: company ?? null,
    });
    await mergeRepo.movePersonRows(trx, actor.workspaceId, m.id, s.id);
    const permissions = await mergeRepo.latestPermissions(trx, actor.workspaceId, s.id);
    const row = await mergeRepo.updateSurvivor(trx, 'people', actor.workspaceId, s.id, {
      ...toDbColumns(values),
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
      contactPoints(actor.workspaceId, 'person', s.id, values.emails, values.phones),
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
async function settleEmployments(trx: Tx, actor: Actor, row: Record<string, any>) {
  const current = await mergeRepo.currentEmployments(trx, actor.workspaceId, row.id);
  const keep = row.company_id ? current.find((e) => e.company_id === row.company_id) : undefined;
  await mergeRepo.endEmployments(
    trx,
    actor.workspaceId,
    current.filter((e) => e !== keep).map((e) => e.id as string),
  );
  if (keep) await mergeRepo.setEmployment(trx, actor.workspaceId, keep.id, row.department_id, row.title);
  else if (row.company_id) await startEmployment(trx, actor, row.id, row.company_id, row.department_id, row.title);
}

export async function mergeCompanies(input: MergeInput) {
  const { actor } = input;
  return input.db.transaction().execute(async (trx) => {
    const { s, m } = await lockPair(trx, 'companies', input);
    const view = async (r: Record<string, any>) =>
      presentCompany(
        r,
        r.parent_id ? { id: r.parent_id, name: (await companyNames(trx, actor.workspaceId, [r.parent_id])).get(r.parent_id) ?? '' } : null,
      );
    const sView = await view(s);
    const mView = await view(m);
    checkVersions(input, s, m, { survivor: sView, merged: mView });
    const values = combine(companyMergeFields, s, m, input.fields);
    values.custom = await checkCustom(trx, actor.workspaceId, 'company', values.custom);
    if (values.parent_id === s.id || values.parent_id === m.id) values.parent_id = null;
    const index = indexCompany({
      name: values.name,
      nameKana: values.name_kana,
      emails: values.emails,
      phones: values.phones,
      corporateNumber: values.corporate_number,
    });
    await mergeRepo.moveCompanyRows(trx, actor.workspaceId, m.id, s.id);
    const row = await mergeRepo.updateSurvivor(trx, 'companies', actor.workspaceId, s.id, {
      ...toDbColumns(values),
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
      contactPoints(actor.workspaceId, 'company', s.id, values.emails, values.phones),
    );
    await replaceContactPoints(trx, actor.workspaceId, 'company', m.id, []);
    const gone = await mergeRepo.retire(trx, 'companies', actor.workspaceId, m.id, s.id, actor.userId);
    await settlePairsAfterMerge(trx, actor.workspaceId, 'company', s.id, m.id, actor.userId);
    const after = await view(row);
    await recordMerge(trx, actor, 'company', { sView, mView, after, row, gone, fields: input.fields });
    return after;
  });
}

/** People are found by their company's name: the merged company's people now carry the survivor's. */
async function reindexPeopleOf(trx: Tx, workspaceId: string, companyId: string, name: string) {
  for (const p of await mergeRepo.peopleOfCompany(trx, workspaceId, companyId)) {
    const idx = indexPerson({
      familyName: p.family_name,
      givenName: p.given_name,
      familyNameKana: p.family_name_kana,
      givenNameKana: p.given_name_kana,
      emails: p.emails,
      phones: p.phones,
      companyName: name,
    });
    await mergeRepo.setSearch(trx, workspaceId, p.id, idx.search_text, idx.search_bigrams);
  }
}

/** Audit both records (both before-states and the choices) and tell other modules to move their rows. */
async function recordMerge(
  trx: Tx,
  actor: Actor,
  entityType: 'person' | 'company',
  x: {
    sView: Record<string, unknown>;
    mView: Record<string, unknown>;
    after: Record<string, unknown>;
    row: Record<string, any>;
    gone: Record<string, any>;
    fields: Partial<Record<string, MergeChoice>>;
  },
) {
  const survivorId = x.row.id as string;
  const mergedId = x.gone.id as string;
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
