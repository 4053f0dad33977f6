import { z } from 'zod';

/**
 * The one filter language: list views, saved views, segments, report filters and workflow conditions
 * all speak it. The server compiles it to SQL in one place (platform/filter).
 */
export const filterOps = [
  'eq',
  'neq',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'in',
  'nin',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'before',
  'after',
  'within_last_days',
  'within_next_days',
  'is_true',
  'is_false',
  'has_any',
  'has_all',
  'has_none',
  'is_empty',
  'is_not_empty',
] as const;
export type FilterOp = (typeof filterOps)[number];

export const fieldTypes = ['text', 'number', 'money', 'date', 'datetime', 'boolean', 'enum', 'uuid', 'tags'] as const;
export type FieldType = (typeof fieldTypes)[number];

/** Which operators make sense for which field type (the filter builder offers these; the compiler enforces them). */
export const opsByType: Record<FieldType, readonly FilterOp[]> = {
  text: ['eq', 'neq', 'contains', 'not_contains', 'starts_with', 'ends_with', 'in', 'nin', 'is_empty', 'is_not_empty'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_empty', 'is_not_empty'],
  money: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_empty', 'is_not_empty'],
  date: ['eq', 'before', 'after', 'between', 'within_last_days', 'within_next_days', 'is_empty', 'is_not_empty'],
  datetime: ['before', 'after', 'between', 'within_last_days', 'within_next_days', 'is_empty', 'is_not_empty'],
  boolean: ['is_true', 'is_false', 'is_empty', 'is_not_empty'],
  enum: ['eq', 'neq', 'in', 'nin', 'is_empty', 'is_not_empty'],
  uuid: ['eq', 'neq', 'in', 'nin', 'is_empty', 'is_not_empty'],
  tags: ['has_any', 'has_all', 'has_none', 'is_empty', 'is_not_empty'],
};

const scalar = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);

export interface FilterCondition {
  field: string;
  op: FilterOp;
  value?: string | number | boolean | null | Array<string | number>;
}
export type Filter = { and: Filter[] } | { or: Filter[] } | { not: Filter } | FilterCondition;

export const conditionSchema = z.object({
  field: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)?$/),
  op: z.enum(filterOps),
  value: z.union([scalar, z.array(z.union([z.string().max(1000), z.number()])).max(1000)]).optional(),
});

export const filterSchema: z.ZodType<Filter> = z
  .lazy(() =>
    z.union([
      z.object({ and: z.array(filterSchema).max(50) }).strict(),
      z.object({ or: z.array(filterSchema).max(50) }).strict(),
      z.object({ not: filterSchema }).strict(),
      conditionSchema.strict(),
    ]),
  )
  .meta({ id: 'Filter' }); // a named component in the OpenAPI document: a recursive schema must be referable

export const sortSchema = z.array(z.object({ field: z.string().min(1).max(100), dir: z.enum(['asc', 'desc']).default('asc') })).max(3);
export type Sort = z.infer<typeof sortSchema>;

/** Parses `?filter=<json>` from a query string; the error names what is wrong. */
export const filterParam = z
  .string()
  .max(20_000)
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'filter must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(filterSchema);

export const sortParam = z
  .string()
  .max(500)
  .transform(
    (s): Array<{ field: string; dir?: 'asc' | 'desc' }> =>
      s
        .split(',')
        .filter(Boolean)
        .map((part) => (part.startsWith('-') ? { field: part.slice(1), dir: 'desc' } : { field: part, dir: 'asc' })),
  )
  .pipe(sortSchema);

export function countConditions(f: Filter): number {
  if ('and' in f) return f.and.reduce((n, c) => n + countConditions(c), 0);
  if ('or' in f) return f.or.reduce((n, c) => n + countConditions(c), 0);
  if ('not' in f) return countConditions(f.not);
  return 1;
}
