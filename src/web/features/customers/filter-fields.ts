import type { FieldType, Filter, FilterCondition } from '../../../shared/filter';
import { PREFECTURES } from '../../../shared/prefectures';
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
  field: string;
  op: FilterCondition['op'];
  value: string;
}

const listOps = new Set(['in', 'nin', 'has_any', 'has_all', 'has_none', 'between']);
const noValueOps = new Set(['is_empty', 'is_not_empty', 'is_true', 'is_false']);

export const needsValue = (op: string) => !noValueOps.has(op);

export function toFilter(rows: DraftCondition[], fields: FilterField[]): Filter | null {
  const conditions: Filter[] = [];
  for (const row of rows) {
    const field = fields.find((f) => f.key === row.field);
    if (!field) continue;
    if (!needsValue(row.op)) {
      conditions.push({ field: row.field, op: row.op });
      continue;
    }
    if (!row.value.trim()) continue;
    const numeric = field.type === 'number' || field.type === 'money' || row.op.startsWith('within_');
    const one = (v: string) => (numeric ? Number(v) : v.trim());
    const value = listOps.has(row.op)
      ? row.value
          .split(/[,、]/)
          .map(one)
          .filter((v) => v !== '')
      : one(row.value);
    conditions.push({ field: row.field, op: row.op, value });
  }
  return conditions.length ? { and: conditions } : null;
}

export function fromFilter(filter: Filter | null): DraftCondition[] {
  if (!filter) return [];
  const list = 'and' in filter ? filter.and : [filter];
  return list.flatMap((c) =>
    'field' in c ? [{ field: c.field, op: c.op, value: Array.isArray(c.value) ? c.value.join(',') : String(c.value ?? '') }] : [],
  );
}
