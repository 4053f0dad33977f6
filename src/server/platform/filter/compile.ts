import { type RawBuilder, sql } from 'kysely';
import {
  countConditions,
  type FieldType,
  type Filter,
  type FilterCondition,
  type FilterOp,
  opsByType,
  type Sort,
} from '../../../shared/filter.js';
import { AppError } from '../http/errors.js';

/** What a module tells the compiler about one filterable/sortable field. */
export interface FieldSpec {
  type: FieldType;
  /** SQL for the value, given the main table's alias. */
  expr: (alias: string) => RawBuilder<unknown>;
  sortable?: boolean;
  /** Allowed values for enum fields. */
  options?: readonly string[];
  /** Non-null for every row: lets a sort use a plain index. */
  notNull?: boolean;
  /** The operators allowed when fewer than its type's (a search field takes `contains` only). */
  ops?: readonly FilterOp[];
  /** How `contains` is answered when not by comparing folded text (a search field: through its indexes). */
  contains?: (alias: string, value: string) => RawBuilder<boolean>;
}

export type FieldCatalog = Record<string, FieldSpec>;

const MAX_CONDITIONS = 50;
const MAX_DEPTH = 6;

function invalid(path: string, code: string, extra: Record<string, unknown> = {}): never {
  throw new AppError('validation_failed', { issues: [{ in: 'filter', path, code, ...extra }] });
}

function castValue(spec: FieldSpec, field: string, v: unknown): unknown {
  switch (spec.type) {
    case 'number':
    case 'money': {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) invalid(field, 'not_a_number');
      return n;
    }
    case 'date':
      if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) invalid(field, 'not_a_date');
      return v;
    case 'datetime':
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) invalid(field, 'not_a_datetime');
      return new Date(v).toISOString();
    case 'uuid':
      if (typeof v !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) invalid(field, 'not_a_uuid');
      return v;
    case 'enum':
      if (typeof v !== 'string' || (spec.options && !spec.options.includes(v))) invalid(field, 'not_an_option', { options: spec.options });
      return v;
    default:
      if (typeof v !== 'string' && typeof v !== 'number') invalid(field, 'not_text');
      return String(v);
  }
}

const sqlType: Record<FieldType, string> = {
  text: 'text',
  number: 'numeric',
  money: 'numeric',
  date: 'date',
  datetime: 'timestamptz',
  boolean: 'boolean',
  enum: 'text',
  uuid: 'uuid',
  tags: 'text',
};

function condition(c: FilterCondition, catalog: FieldCatalog, alias: string): RawBuilder<boolean> {
  const spec = catalog[c.field];
  if (!spec) invalid(c.field, 'unknown_field');
  const allowed = spec.ops ?? opsByType[spec.type];
  if (!allowed.includes(c.op)) invalid(c.field, 'operator_not_allowed', { op: c.op, allowed });
  const e = spec.expr(alias);
  const t = sql.raw(sqlType[spec.type]);
  const one = () => {
    if (c.value === undefined || c.value === null || Array.isArray(c.value)) invalid(c.field, 'value_required');
    return castValue(spec, c.field, c.value);
  };
  const list = () => {
    const values = Array.isArray(c.value) ? c.value : c.value === undefined || c.value === null ? [] : [c.value];
    if (values.length === 0) invalid(c.field, 'values_required');
    return values.map((v) => castValue(spec, c.field, v));
  };
  switch (c.op) {
    case 'eq':
      return sql<boolean>`${e} = ${one()}::${t}`;
    case 'neq':
      return sql<boolean>`${e} IS DISTINCT FROM ${one()}::${t}`;
    // Text is compared folded on both sides (crm_fold, migration 0021: width, case, kana, hyphens), as search does.
    case 'contains':
      if (spec.contains) return spec.contains(alias, String(one()));
      return sql<boolean>`strpos(crm_fold(${e}::text), crm_fold(${String(one())}::text)) > 0`;
    case 'not_contains':
      return sql<boolean>`coalesce(strpos(crm_fold(${e}::text), crm_fold(${String(one())}::text)) = 0, true)`;
    case 'starts_with':
      return sql<boolean>`starts_with(crm_fold(${e}::text), crm_fold(${String(one())}::text))`;
    case 'ends_with':
      return sql<boolean>`starts_with(reverse(crm_fold(${e}::text)), reverse(crm_fold(${String(one())}::text)))`;
    case 'in':
      return sql<boolean>`${e} = ANY(${list()}::${t}[])`;
    case 'nin':
      return sql<boolean>`coalesce(${e} <> ALL(${list()}::${t}[]), true)`;
    case 'gt':
      return sql<boolean>`${e} > ${one()}::${t}`;
    case 'gte':
      return sql<boolean>`${e} >= ${one()}::${t}`;
    case 'lt':
    case 'before':
      return sql<boolean>`${e} < ${one()}::${t}`;
    case 'lte':
      return sql<boolean>`${e} <= ${one()}::${t}`;
    case 'after':
      return sql<boolean>`${e} > ${one()}::${t}`;
    case 'between': {
      const [lo, hi] = list();
      if (lo === undefined || hi === undefined || (Array.isArray(c.value) && c.value.length !== 2)) invalid(c.field, 'two_values_required');
      return sql<boolean>`${e} BETWEEN ${lo}::${t} AND ${hi}::${t}`;
    }
    case 'within_last_days':
    case 'within_next_days': {
      const days = Number(c.value);
      if (!Number.isInteger(days) || days < 0 || days > 36500) invalid(c.field, 'days_required');
      const cast = spec.type === 'date' ? sql.raw('date') : sql.raw('timestamptz');
      return c.op === 'within_last_days'
        ? sql<boolean>`${e} BETWEEN (now() - make_interval(days => ${days}))::${cast} AND now()::${cast}`
        : sql<boolean>`${e} BETWEEN now()::${cast} AND (now() + make_interval(days => ${days}))::${cast}`;
    }
    case 'is_true':
      return sql<boolean>`${e} IS TRUE`;
    case 'is_false':
      return sql<boolean>`${e} IS FALSE`;
    case 'has_any':
      return sql<boolean>`${e} && ${list()}::text[]`;
    case 'has_all':
      return sql<boolean>`${e} @> ${list()}::text[]`;
    case 'has_none':
      return sql<boolean>`NOT (coalesce(${e}, '{}') && ${list()}::text[])`;
    case 'is_empty':
      if (spec.type === 'tags') return sql<boolean>`coalesce(cardinality(${e}), 0) = 0`;
      if (spec.type === 'text') return sql<boolean>`coalesce(${e}::text, '') = ''`;
      return sql<boolean>`${e} IS NULL`;
    case 'is_not_empty':
      if (spec.type === 'tags') return sql<boolean>`coalesce(cardinality(${e}), 0) > 0`;
      if (spec.type === 'text') return sql<boolean>`coalesce(${e}::text, '') <> ''`;
      return sql<boolean>`${e} IS NOT NULL`;
  }
}

/** Compile a filter against a field catalog into one SQL boolean expression. Unknown fields and wrong operators are 400s. */
export function compileFilter(filter: Filter | undefined, catalog: FieldCatalog, alias: string): RawBuilder<boolean> {
  if (!filter) return sql<boolean>`true`;
  if (countConditions(filter) > MAX_CONDITIONS) invalid('', 'too_many_conditions', { max: MAX_CONDITIONS });
  const walk = (f: Filter, depth: number): RawBuilder<boolean> => {
    if (depth > MAX_DEPTH) invalid('', 'too_deep', { max: MAX_DEPTH });
    if ('and' in f)
      return f.and.length
        ? sql<boolean>`(${sql.join(
            f.and.map((x) => walk(x, depth + 1)),
            sql` AND `,
          )})`
        : sql<boolean>`true`;
    if ('or' in f)
      return f.or.length
        ? sql<boolean>`(${sql.join(
            f.or.map((x) => walk(x, depth + 1)),
            sql` OR `,
          )})`
        : sql<boolean>`false`;
    if ('not' in f) return sql<boolean>`NOT coalesce(${walk(f.not, depth + 1)}, false)`;
    return condition(f, catalog, alias);
  };
  return walk(filter, 0);
}

const sentinel: Partial<Record<FieldType, RawBuilder<unknown>>> = {
  text: sql`''`,
  enum: sql`''`,
  number: sql`'-Infinity'::numeric`,
  money: sql`'-Infinity'::numeric`,
  date: sql`'-infinity'::date`,
  datetime: sql`'-infinity'::timestamptz`,
  boolean: sql`false`,
  uuid: sql`'00000000-0000-0000-0000-000000000000'::uuid`,
};

export interface CompiledSort {
  orderBy: RawBuilder<unknown>;
  /** Select list of the sort keys, to build the next cursor from the last row. */
  keys: RawBuilder<unknown>[];
  /** Condition for rows after the cursor. */
  after: (cursor: unknown[]) => RawBuilder<boolean>;
}

/** Keyset pagination over the chosen sort plus the id as tie-breaker; nullable keys sort as their type's lowest value. */
export function compileSort(sort: Sort, catalog: FieldCatalog, alias: string): CompiledSort {
  const parts = sort.map((s) => {
    const spec = catalog[s.field];
    if (!spec?.sortable) invalid(s.field, 'not_sortable');
    const base = spec.expr(alias);
    const fill = sentinel[spec.type];
    const expr = spec.notNull || !fill ? base : sql`coalesce(${base}, ${fill})`;
    return { expr, dir: s.dir, type: spec.type };
  });
  parts.push({ expr: sql.ref(`${alias}.id`), dir: parts.at(-1)?.dir ?? 'asc', type: 'uuid' });
  const orderBy = sql.join(parts.map((p) => sql`${p.expr} ${sql.raw(p.dir === 'desc' ? 'DESC' : 'ASC')}`));
  const after = (cursor: unknown[]) => {
    if (cursor.length !== parts.length) invalid('cursor', 'invalid');
    const ors = parts.map((p, i) => {
      const eqs = parts.slice(0, i).map((q, j) => sql`${q.expr} = ${cursor[j]}::${sql.raw(sqlType[q.type])}`);
      const cmp = sql`${p.expr} ${sql.raw(p.dir === 'desc' ? '<' : '>')} ${cursor[i]}::${sql.raw(sqlType[p.type])}`;
      return eqs.length ? sql`(${sql.join([...eqs, cmp], sql` AND `)})` : cmp;
    });
    return sql<boolean>`(${sql.join(ors, sql` OR `)})`;
  };
  return { orderBy, keys: parts.map((p) => p.expr), after };
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values.map((v) => (v instanceof Date ? v.toISOString() : v)))).toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v)) throw new Error('not an array');
    return v;
  } catch {
    return invalid('cursor', 'invalid');
  }
}
