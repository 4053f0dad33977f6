import type { BulkAction, PersonCreate, PersonPatch } from '../../../../shared/contracts/customers.js';
import type { Filter, Sort } from '../../../../shared/filter.js';
import type { Actor } from '../../../platform/actor.js';
import { type Db, inTransaction, type Tx } from '../../../platform/db/database.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import { teamInWorkspace, userInWorkspace } from '../../accounts/index.js';
import { personCatalog } from '../catalogs.js';
import { checkCustomUsers, customCatalog, listCustomFields, validateCustom } from '../custom-fields.js';
import { findPersonDuplicates } from './duplicates.js';
import { contactPoints, indexPerson, normalizeContacts, normalizeKana, normalizePostalCode } from './indexing.js';
import { type PersonView, presentPerson } from './people.presenter.js';
import * as repo from './people.repository.js';
import { countRecords, findVisibleRecord, listRecords, replaceContactPoints } from './records.repository.js';
import { bulkRecords, trashRecords } from './records.service.js';

async function catalogFor(db: Db | Tx, workspaceId: string) {
  const defs = await listCustomFields(db, workspaceId, 'person');
  return { defs, catalog: { ...personCatalog, ...customCatalog(defs) } };
}

async function checkRefs(
  trx: Tx,
  actor: Actor,
  input: { companyId?: string | null; departmentId?: string | null; ownerId?: string | null; teamId?: string | null },
) {
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
async function columnsFor(trx: Tx, actor: Actor, merged: Record<string, any>) {
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
      tags: [...new Set((merged.tags ?? []) as string[])],
      notes: merged.notes ?? null,
      ...index,
    },
    emails,
    phones,
    companyName,
  };
}

async function view(trx: Db | Tx, workspaceId: string, row: Record<string, any>): Promise<PersonView> {
  const company = row.company_id ? { id: row.company_id, name: (await repo.companyName(trx, workspaceId, row.company_id)) ?? '' } : null;
  return presentPerson(row, company);
}

function checkPrefectureAndBirthday(input: { birthday?: string | null }) {
  if (input.birthday && (input.birthday < '1900-01-01' || input.birthday > new Date().toISOString().slice(0, 10))) {
    throw new AppError('validation_failed', { issues: [{ path: 'birthday', code: 'out_of_range' }] });
  }
}

export async function createPerson(options: { db: Db | Tx; actor: Actor; input: PersonCreate }) {
  const { actor, input } = options;
  checkPrefectureAndBirthday(input);
  return inTransaction(options.db, async (trx) => {
    await checkRefs(trx, actor, input);
    const { defs } = await catalogFor(trx, actor.workspaceId);
    const custom = validateCustom(defs, input.custom, null);
    await checkCustomUsers(trx, actor.workspaceId, defs, input.custom);
    const { columns, emails, phones } = await columnsFor(trx, actor, input);
    if (!input.ignoreDuplicates) {
      const candidates = await findPersonDuplicates(trx, actor.workspaceId, { ...columns, emails, phones });
      if (candidates.length) throw new AppError('duplicate_suspected', { candidates });
    }
    const id = newId();
    const row = await repo.insertPerson(trx, {
      workspace_id: actor.workspaceId,
      id,
      ...columns,
      custom: JSON.stringify(custom),
      owner_id: columns.owner_id ?? actor.userId,
      created_by: actor.userId,
      updated_by: actor.userId,
    });
    await replaceContactPoints(trx, actor.workspaceId, 'person', id, contactPoints(actor.workspaceId, 'person', id, emails, phones));
    if (row.company_id) await repo.startEmployment(trx, actor, id, row.company_id, row.department_id, row.title);
    const person = await view(trx, actor.workspaceId, row);
    await recordChange(trx, actor, {
      audit: { action: 'person.created', entityType: 'person', entityId: id, after: person },
      event: { type: 'person.created', entityType: 'person', entityId: id, ownerId: row.owner_id, teamId: row.team_id },
    });
    return person;
  });
}

export async function getPerson(options: { db: Db; actor: Actor; personId: string; includeDeleted?: boolean }) {
  const row = await findVisibleRecord(options.db, 'people', options.actor, options.personId, {
    includeDeleted: options.includeDeleted,
  });
  if (!row) throw new AppError('not_found');
  return view(options.db, options.actor.workspaceId, row);
}

/** Optimistic concurrency: a write based on an old version is refused with the current record, never merged silently. */
export async function updatePerson(options: { db: Db; actor: Actor; personId: string; patch: PersonPatch }) {
  const { actor, patch } = options;
  checkPrefectureAndBirthday(patch);
  return options.db.transaction().execute(async (trx) => {
    const before = await findVisibleRecord(trx, 'people', actor, options.personId, { forUpdate: true });
    if (!before) throw new AppError('not_found');
    const beforeView = await view(trx, actor.workspaceId, before);
    if (before.version !== patch.version) throw new AppError('conflict', { current: beforeView });
    const { version: _v, ...changes } = patch;
    const merged = { ...beforeView, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) };
    if (merged.companyId !== beforeView.companyId && changes.departmentId === undefined) merged.departmentId = null;
    await checkRefs(trx, actor, merged);
    const { defs } = await catalogFor(trx, actor.workspaceId);
    const custom = validateCustom(defs, changes.custom, before.custom);
    await checkCustomUsers(trx, actor.workspaceId, defs, changes.custom);
    const { columns, emails, phones } = await columnsFor(trx, actor, merged);
    const row = await repo.updatePerson(trx, actor.workspaceId, before.id, {
      ...columns,
      custom: JSON.stringify(custom),
      updated_by: actor.userId,
    });
    await replaceContactPoints(
      trx,
      actor.workspaceId,
      'person',
      before.id,
      contactPoints(actor.workspaceId, 'person', before.id, emails, phones),
    );
    if (row.company_id !== before.company_id) {
      await repo.endEmployment(trx, actor.workspaceId, before.id);
      if (row.company_id) await repo.startEmployment(trx, actor, before.id, row.company_id, row.department_id, row.title);
    } else if (row.title !== before.title || row.department_id !== before.department_id) {
      await repo.updateCurrentEmployment(trx, actor.workspaceId, before.id, row.department_id, row.title);
    }
    const after = await view(trx, actor.workspaceId, row);
    await recordChange(trx, actor, {
      audit: { action: 'person.updated', entityType: 'person', entityId: before.id, before: beforeView, after },
      event: {
        type: 'person.updated',
        entityType: 'person',
        entityId: before.id,
        ownerId: row.owner_id,
        teamId: row.team_id,
        payload: { changed: changedKeys(beforeView, after) },
      },
    });
    return after;
  });
}

function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>) {
  return Object.keys(b).filter((k) => !['version', 'updatedAt', 'updatedBy'].includes(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

export async function listPeople(options: {
  db: Db;
  actor: Actor;
  filter?: Filter;
  sort: Sort;
  cursor?: string;
  limit: number;
  trash?: boolean;
}) {
  const { db, actor } = options;
  const { catalog } = await catalogFor(db, actor.workspaceId);
  const { rows, nextCursor } = await listRecords(db, 'people', actor, options, catalog);
  const companies = await repo.companyNames(
    db,
    actor.workspaceId,
    rows.map((r) => r.company_id).filter((x): x is string => !!x),
  );
  return {
    data: rows.map((r) => presentPerson(r, r.company_id ? { id: r.company_id, name: companies.get(r.company_id) ?? '' } : null)),
    nextCursor,
  };
}

export async function countPeople(options: { db: Db; actor: Actor; filter?: Filter; trash?: boolean }) {
  const { catalog } = await catalogFor(options.db, options.actor.workspaceId);
  return countRecords(options.db, 'people', options.actor, options, catalog);
}

export function deletePeople(options: { db: Db; actor: Actor; ids: string[]; restore?: boolean }) {
  return trashRecords({ ...options, target: { ids: options.ids }, table: 'people', catalogFor });
}

export function bulkPeople(options: { db: Db; actor: Actor; action: BulkAction }) {
  return bulkRecords({ ...options, table: 'people', catalogFor });
}

export async function listEmploymentHistory(options: { db: Db; actor: Actor; personId: string }) {
  await getPerson(options);
  const rows = await repo.listEmployments(options.db, options.actor.workspaceId, options.personId);
  return rows.map((r) => ({
    id: r.id as string,
    companyId: r.company_id as string,
    companyName: r.company_name as string,
    departmentId: r.department_id as string | null,
    departmentName: r.department_name as string | null,
    title: r.title as string | null,
    startedOn: r.started_on as string | null,
    endedOn: r.ended_on as string | null,
  }));
}

function presentConsent(r: Record<string, any>) {
  return {
    id: r.id as string,
    channel: r.channel as string,
    status: r.status as string,
    method: r.method as string,
    purpose: r.purpose as string | null,
    wording: r.wording as string | null,
    source: r.source as string | null,
    recordedAt: new Date(r.recorded_at).toISOString(),
    recordedBy: r.recorded_by as string | null,
  };
}

export async function listConsents(options: { db: Db; actor: Actor; personId: string }) {
  await getPerson(options);
  return (await repo.listConsents(options.db, options.actor.workspaceId, options.personId)).map(presentConsent);
}

/** Record a grant or withdrawal (with how and what wording); the person's current permission follows the latest record. */
export async function recordConsent(options: {
  db: Db;
  actor: Actor;
  personId: string;
  consent: {
    channel: 'email' | 'dm' | 'phone' | 'sms';
    status: 'granted' | 'withdrawn';
    method: string;
    purpose?: string | null;
    wording?: string | null;
    source?: string | null;
  };
}) {
  const { actor, consent } = options;
  await getPerson(options);
  return options.db.transaction().execute(async (trx) => {
    const row = await repo.insertConsent(trx, {
      workspace_id: actor.workspaceId,
      id: newId(),
      person_id: options.personId,
      channel: consent.channel,
      status: consent.status,
      method: consent.method,
      purpose: consent.purpose ?? null,
      wording: consent.wording ?? null,
      source: consent.source ?? null,
      recorded_by: actor.userId,
    });
    let owner: { owner_id: string | null; team_id: string | null } | undefined;
    if (consent.channel === 'email' || consent.channel === 'dm') {
      owner = await repo.setPermission(
        trx,
        actor.workspaceId,
        options.personId,
        consent.channel === 'email' ? 'email_permission' : 'dm_permission',
        consent.status,
      );
    }
    const view = presentConsent(row);
    await recordChange(trx, actor, {
      audit: { action: `consent.${consent.status}`, entityType: 'person', entityId: options.personId, after: view },
      event: {
        type: 'person.consent_changed',
        entityType: 'person',
        entityId: options.personId,
        ownerId: owner?.owner_id ?? null,
        teamId: owner?.team_id ?? null,
        payload: { channel: consent.channel, status: consent.status },
      },
    });
    return view;
  });
}
