import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { CustomFieldType } from '../../../shared/contracts/customers.js';
import type { FieldType } from '../../../shared/filter.js';
import { normalizeEmail, normalizePhone } from '../../../shared/jp-text.js';
import type { Actor } from '../../platform/actor.js';
import type { CustomFieldDefs } from '../../platform/db/schema.js';
import { recordChange } from '../../platform/events/outbox.js';
import type { FieldCatalog } from '../../platform/filter/compile.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { userInWorkspace } from '../accounts/index.js';
import type { CustomersDb } from './customers.db.js';

export interface CustomFieldDef {
  id: string;
  entityType: 'person' | 'company';
  key: string;
  type: CustomFieldType;
  labelJa: string;
  labelEn: string;
  helpJa: string | null;
  helpEn: string | null;
  required: boolean;
  defaultValue: unknown;
  options: { value: string; labelJa: string; labelEn: string }[];
  position: number;
  archived: boolean;
  version: number;
}

function present(r: Selectable<CustomFieldDefs>): CustomFieldDef {
  return {
    id: r.id,
    // The table's CHECKs hold entity type and type to the contract's values; options are written from the contract.
    entityType: r.entity_type as CustomFieldDef['entityType'],
    key: r.key,
    type: r.type as CustomFieldType,
    labelJa: r.label_ja,
    labelEn: r.label_en,
    helpJa: r.help_ja,
    helpEn: r.help_en,
    required: r.required,
    defaultValue: r.default_value ?? null,
    options: r.options as unknown as CustomFieldDef['options'],
    position: r.position,
    archived: !!r.archived_at,
    version: r.version,
  };
}

export async function listCustomFields(db: CustomersDb, workspaceId: string, entityType?: 'person' | 'company', includeArchived = false) {
  let q = db.selectFrom('custom_field_defs').selectAll().where('workspace_id', '=', workspaceId);
  if (entityType) q = q.where('entity_type', '=', entityType);
  if (!includeArchived) q = q.where('archived_at', 'is', null);
  return (await q.orderBy('position').orderBy('created_at').execute()).map(present);
}

type Issue = { path: string; code: string };

/** Check one value against its definition; returns the value to store (normalised). */
function checkValue(def: CustomFieldDef, value: unknown, issues: Issue[], users?: ReadonlySet<string>): unknown {
  const path = `custom.${def.key}`;
  const bad = (code: string) => {
    issues.push({ path, code });
    return undefined;
  };
  if (value === null || value === undefined || value === '') return null;
  switch (def.type) {
    case 'text':
    case 'long_text':
      if (typeof value !== 'string') return bad('not_text');
      if (value.length > (def.type === 'text' ? 500 : 20_000)) return bad('too_long');
      return value;
    case 'url':
      if (typeof value !== 'string' || !/^https?:\/\/\S+$/i.test(value) || value.length > 2000) return bad('invalid_url');
      return value;
    case 'email':
      return typeof value === 'string' && normalizeEmail(value) ? normalizeEmail(value) : bad('invalid_email');
    case 'phone': {
      const p = typeof value === 'string' ? normalizePhone(value) : null;
      return p ? p.national : bad('invalid_phone');
    }
    case 'number':
    case 'currency': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(n)) return bad('not_a_number');
      if (def.type === 'currency' && !Number.isInteger(n)) return bad('not_integer_minor_units');
      return n;
    }
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) return bad('not_a_date');
      return value;
    case 'datetime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return bad('not_a_datetime');
      return new Date(value).toISOString();
    case 'boolean':
      if (typeof value !== 'boolean') return bad('not_boolean');
      return value;
    case 'select':
      if (typeof value !== 'string' || !def.options.some((o) => o.value === value)) return bad('not_an_option');
      return value;
    case 'multi_select': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !def.options.some((o) => o.value === v)))
        return bad('not_an_option');
      return [...new Set(value as string[])];
    }
    case 'user':
      if (typeof value !== 'string' || !/^[0-9a-f-]{36}$/i.test(value) || (users && !users.has(value))) return bad('not_a_user');
      return value;
  }
}

/**
 * Validate the custom values of a record against the workspace's definitions. `existing` is the stored
 * object on update (keys not sent are kept); on create, defaults fill the gaps.
 */
export function validateCustom(
  defs: CustomFieldDef[],
  input: Record<string, unknown> | undefined,
  existing: Record<string, unknown> | null,
  /** the workspace's user ids, for `user` values (imports; single writes use checkCustomUsers) */
  users?: ReadonlySet<string>,
) {
  const issues: Issue[] = [];
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const out: Record<string, unknown> = { ...(existing ?? {}) };
  for (const [key, value] of Object.entries(input ?? {})) {
    const def = byKey.get(key);
    if (!def) {
      issues.push({ path: `custom.${key}`, code: 'unknown_field' });
      continue;
    }
    const v = checkValue(def, value, issues, users);
    if (v === null) delete out[key];
    else if (v !== undefined) out[key] = v;
  }
  for (const def of defs) {
    if (existing === null && out[def.key] === undefined && def.defaultValue !== null && def.defaultValue !== undefined) {
      out[def.key] = def.defaultValue;
    }
    const v = out[def.key];
    if (def.required && (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0))) {
      issues.push({ path: `custom.${def.key}`, code: 'required' });
    }
  }
  if (issues.length) throw new AppError('validation_failed', { issues });
  return out;
}

/**
 * A `user` value must name a user of this workspace (validateCustom checks only its shape): never another
 * workspace's user. Checks the values being written, not those kept from before.
 */
export async function checkCustomUsers(
  db: CustomersDb,
  workspaceId: string,
  defs: CustomFieldDef[],
  input: Record<string, unknown> | undefined,
) {
  const issues: Issue[] = [];
  for (const def of defs) {
    const value = input?.[def.key];
    if (def.type === 'user' && typeof value === 'string' && !(await userInWorkspace(db, workspaceId, value))) {
      issues.push({ path: `custom.${def.key}`, code: 'not_a_user' });
    }
  }
  if (issues.length) throw new AppError('validation_failed', { issues });
}

const filterType: Record<CustomFieldType, FieldType> = {
  text: 'text',
  long_text: 'text',
  url: 'text',
  email: 'text',
  phone: 'text',
  number: 'number',
  currency: 'money',
  date: 'date',
  datetime: 'datetime',
  boolean: 'boolean',
  select: 'enum',
  multi_select: 'tags',
  user: 'uuid',
};

/** Custom fields as filter/sort fields named `custom.<key>`. */
export function customCatalog(defs: CustomFieldDef[]): FieldCatalog {
  const catalog: FieldCatalog = {};
  for (const d of defs) {
    const t = filterType[d.type];
    const key = d.key;
    const raw = (a: string) => sql`${sql.ref(`${a}.custom`)}->>${key}`;
    const expr =
      t === 'number' || t === 'money'
        ? (a: string) => sql`(${raw(a)})::numeric`
        : t === 'date'
          ? (a: string) => sql`(${raw(a)})::date`
          : t === 'datetime'
            ? (a: string) => sql`(${raw(a)})::timestamptz`
            : t === 'boolean'
              ? (a: string) => sql`(${raw(a)})::boolean`
              : t === 'uuid'
                ? (a: string) => sql`(${raw(a)})::uuid`
                : t === 'tags'
                  ? (a: string) => sql`array(SELECT jsonb_array_elements_text(coalesce(${sql.ref(`${a}.custom`)}->${key}, '[]')))`
                  : raw;
    catalog[`custom.${key}`] = { type: t, expr, sortable: t !== 'tags', options: t === 'enum' ? d.options.map((o) => o.value) : undefined };
  }
  return catalog;
}

export async function createCustomField(options: {
  db: CustomersDb;
  actor: Actor;
  input: Omit<CustomFieldDef, 'id' | 'archived' | 'version'>;
}) {
  const { actor, input } = options;
  if ((input.type === 'select' || input.type === 'multi_select') && input.options.length === 0) {
    throw new AppError('validation_failed', { issues: [{ path: 'options', code: 'options_required' }] });
  }
  const asDef: CustomFieldDef = { ...input, id: '', archived: false, version: 1, required: false };
  if (input.defaultValue !== undefined && input.defaultValue !== null) {
    validateCustom([asDef], { [input.key]: input.defaultValue }, {});
  }
  return options.db.transaction().execute(async (trx) => {
    await checkCustomUsers(trx, actor.workspaceId, [asDef], { [input.key]: input.defaultValue });
    const exists = await trx
      .selectFrom('custom_field_defs')
      .select('id')
      .where('workspace_id', '=', actor.workspaceId)
      .where('entity_type', '=', input.entityType)
      .where('key', '=', input.key)
      .executeTakeFirst();
    if (exists) throw new AppError('validation_failed', { issues: [{ path: 'key', code: 'taken' }] });
    const row = await trx
      .insertInto('custom_field_defs')
      .values({
        workspace_id: actor.workspaceId,
        id: newId(),
        entity_type: input.entityType,
        key: input.key,
        type: input.type,
        label_ja: input.labelJa,
        label_en: input.labelEn,
        help_ja: input.helpJa ?? null,
        help_en: input.helpEn ?? null,
        required: input.required,
        default_value: input.defaultValue === undefined ? null : JSON.stringify(input.defaultValue),
        options: JSON.stringify(input.options),
        position: input.position,
        created_by: actor.userId,
        updated_by: actor.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const def = present(row);
    await recordChange(trx, actor, {
      audit: { action: 'custom_field.created', entityType: 'custom_field', entityId: def.id, after: def },
      event: { type: 'custom_field.created', entityType: 'custom_field', entityId: def.id },
    });
    return def;
  });
}

export async function updateCustomField(options: {
  db: CustomersDb;
  actor: Actor;
  id: string;
  version: number;
  patch: Partial<
    Pick<CustomFieldDef, 'labelJa' | 'labelEn' | 'helpJa' | 'helpEn' | 'required' | 'defaultValue' | 'options' | 'position'>
  > & {
    archived?: boolean;
  };
}) {
  const { actor, patch } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('custom_field_defs')
      .selectAll()
      .where('workspace_id', '=', actor.workspaceId)
      .where('id', '=', options.id)
      .executeTakeFirst();
    if (!before) throw new AppError('not_found');
    // A new default is checked like a value (it was stored unchecked: any shape, any workspace's user).
    if (patch.defaultValue !== undefined && patch.defaultValue !== null) {
      const def = { ...present(before), options: patch.options ?? present(before).options, required: false };
      validateCustom([def], { [def.key]: patch.defaultValue }, {});
      await checkCustomUsers(trx, actor.workspaceId, [def], { [def.key]: patch.defaultValue });
    }
    const row = await trx
      .updateTable('custom_field_defs')
      .set({
        label_ja: patch.labelJa,
        label_en: patch.labelEn,
        help_ja: patch.helpJa,
        help_en: patch.helpEn,
        required: patch.required,
        default_value: patch.defaultValue === undefined ? undefined : JSON.stringify(patch.defaultValue),
        options: patch.options ? JSON.stringify(patch.options) : undefined,
        position: patch.position,
        archived_at: patch.archived === undefined ? undefined : patch.archived ? new Date() : null,
        version: options.version + 1,
        updated_at: new Date(),
        updated_by: actor.userId,
      })
      .where('workspace_id', '=', actor.workspaceId)
      .where('id', '=', options.id)
      .where('version', '=', options.version)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new AppError('conflict', { current: present(before) });
    await recordChange(trx, actor, {
      audit: { action: 'custom_field.updated', entityType: 'custom_field', entityId: row.id, before: present(before), after: present(row) },
      event: { type: 'custom_field.updated', entityType: 'custom_field', entityId: row.id },
    });
    return present(row);
  });
}
