import type { FieldType, Filter, FilterCondition } from '../../../shared/filter';
import { PREFECTURES } from '../../../shared/prefectures';
import { purchaseFilterFields } from '../commerce/purchase-fields';
import type { CustomField, EntityType } from './customers-api';

export interface FilterField {
  key: string;
  /** i18n key, or a literal label for custom fields */
  label: string;
  literal?: boolean;
  type: FieldType;
  options?: string[];
}

const prefectures = PREFECTURES.map((p) => p.name);
const permission = ['unknown', 'granted', 'withdrawn'];

const personFields: FilterField[] = [
  { key: 'name', label: 'customers.fields.name', type: 'text' },
  { key: 'familyName', label: 'customers.fields.familyName', type: 'text' },
  { key: 'familyNameKana', label: 'customers.fields.familyNameKana', type: 'text' },
  { key: 'email', label: 'customers.fields.email', type: 'text' },
  { key: 'phone', label: 'customers.fields.phone', type: 'text' },
  { key: 'prefecture', label: 'customers.fields.prefecture', type: 'enum', options: prefectures },
  { key: 'city', label: 'customers.fields.city', type: 'text' },
  { key: 'tags', label: 'customers.fields.tags', type: 'tags' },
  { key: 'emailPermission', label: 'customers.fields.emailPermission', type: 'enum', options: permission },
  { key: 'dmPermission', label: 'customers.fields.dmPermission', type: 'enum', options: permission },
  { key: 'gender', label: 'customers.fields.gender', type: 'enum', options: ['female', 'male', 'other', 'unspecified'] },
  { key: 'birthday', label: 'customers.fields.birthday', type: 'date' },
  { key: 'title', label: 'customers.fields.title', type: 'text' },
  { key: 'company.name', label: 'customers.fields.companyName', type: 'text' },
  { key: 'company.industry', label: 'customers.fields.companyIndustry', type: 'text' },
  { key: 'createdAt', label: 'customers.fields.createdAt', type: 'datetime' },
  { key: 'updatedAt', label: 'customers.fields.updatedAt', type: 'datetime' },
  ...purchaseFilterFields,
];

const companyFields: FilterField[] = [
  { key: 'name', label: 'customers.fields.name', type: 'text' },
  { key: 'nameKana', label: 'customers.fields.nameKana', type: 'text' },
  { key: 'corporateNumber', label: 'customers.fields.corporateNumber', type: 'text' },
  { key: 'industry', label: 'customers.fields.industry', type: 'text' },
  { key: 'employeeCount', label: 'customers.fields.employeeCount', type: 'number' },
  { key: 'prefecture', label: 'customers.fields.prefecture', type: 'enum', options: prefectures },
  { key: 'tags', label: 'customers.fields.tags', type: 'tags' },
  { key: 'updatedAt', label: 'customers.fields.updatedAt', type: 'datetime' },
  ...purchaseFilterFields,
];

const customType: Record<string, FieldType> = {
  number: 'number',
  currency: 'money',
  date: 'date',
  datetime: 'datetime',
  boolean: 'boolean',
  select: 'enum',
  multi_select: 'tags',
  user: 'uuid',
};

export function filterFields(entity: EntityType, custom: CustomField[], lang: string): FilterField[] {
  const builtIn = entity === 'person' ? personFields : companyFields;
  return [
    ...builtIn,
    ...custom.map((f) => ({
      key: `custom.${f.key}`,
      label: lang === 'en' ? f.labelEn : f.labelJa,
      literal: true,
      type: customType[f.type] ?? 'text',
      options: f.options.length ? f.options.map((o) => o.value) : undefined,
    })),
  ];
}

/** A condition row as the builder edits it: the value as typed. */
export interface DraftCondition {
  kind: 'condition';
  id: string;
  field: string;
  op: FilterCondition['op'];
  value: string;
}

/** Conditions and nested groups joined by AND or OR; `negate` wraps the group in NOT. */
export interface DraftGroup {
  kind: 'group';
  id: string;
  join: 'and' | 'or';
  negate: boolean;
  children: DraftNode[];
}
export type DraftNode = DraftCondition | DraftGroup;

let seq = 0;
/** Ids only for React keys while editing: they are not part of the filter. */
export const draftId = () => `d${++seq}`;

export const emptyGroup = (join: 'and' | 'or' = 'and'): DraftGroup => ({ kind: 'group', id: draftId(), join, negate: false, children: [] });

const listOps = new Set(['in', 'nin', 'has_any', 'has_all', 'has_none', 'between']);
const noValueOps = new Set(['is_empty', 'is_not_empty', 'is_true', 'is_false']);

export const needsValue = (op: string) => !noValueOps.has(op);

function conditionOf(row: DraftCondition, fields: FilterField[]): Filter | null {
  const field = fields.find((f) => f.key === row.field);
  if (!field) return null;
  if (!needsValue(row.op)) return { field: row.field, op: row.op };
  if (!row.value.trim()) return null;
  const numeric = field.type === 'number' || field.type === 'money' || row.op.startsWith('within_');
  const one = (v: string) => (numeric ? Number(v) : v.trim());
  const value = listOps.has(row.op)
    ? row.value
        .split(/[,、]/)
        .map(one)
        .filter((v) => v !== '')
    : one(row.value);
  return { field: row.field, op: row.op, value };
}

/**
 * The filter language for a draft: incomplete rows and empty groups are left out, a NOT group becomes
 * `{ not: { and|or: [...] } }`. Nothing to filter on gives null.
 */
export function toFilter(group: DraftGroup, fields: FilterField[]): Filter | null {
  const walk = (g: DraftGroup): Filter | null => {
    const parts = g.children.map((c) => (c.kind === 'group' ? walk(c) : conditionOf(c, fields))).filter((x): x is Filter => x !== null);
    if (parts.length === 0) return null;
    const joined: Filter = g.join === 'or' ? { or: parts } : { and: parts };
    return g.negate ? { not: joined } : joined;
  };
  return walk(group);
}

const conditionDraft = (c: FilterCondition): DraftCondition => ({
  kind: 'condition',
  id: draftId(),
  field: c.field,
  op: c.op,
  value: Array.isArray(c.value) ? c.value.join(',') : String(c.value ?? ''),
});

/** The draft for a saved filter, keeping its AND/OR groups and NOTs; the root is always a group. */
export function fromFilter(filter: Filter | null): DraftGroup {
  const node = (f: Filter): DraftNode => {
    if ('and' in f || 'or' in f) {
      const or = 'or' in f;
      return { kind: 'group', id: draftId(), join: or ? 'or' : 'and', negate: false, children: (or ? f.or : f.and).map(node) };
    }
    if ('not' in f) {
      const inner = node(f.not);
      // NOT of a group negates that group; NOT of a single condition is a negated group of one.
      if (inner.kind === 'group' && !inner.negate) return { ...inner, negate: true };
      return { kind: 'group', id: draftId(), join: 'and', negate: true, children: [inner] };
    }
    return conditionDraft(f);
  };
  if (!filter) return emptyGroup();
  const root = node(filter);
  return root.kind === 'group' ? root : { ...emptyGroup(), children: [root] };
}
