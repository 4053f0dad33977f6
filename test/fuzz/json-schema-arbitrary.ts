import fc from 'fast-check';
import { filterOps } from '../../src/shared/filter.js';

/** A JSON Schema node as the OpenAPI document gives it (OpenAPI 3.0 flavour: `nullable`, `$ref`). */
export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
};

/** A number JSON.stringify cannot write as such (-0 becomes 0, 1e309 becomes null): sent as its literal text. */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** JSON text of a generated value, with RawNumber literals written verbatim. */
export function toJsonText(value: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (v instanceof RawNumber) {
      marks.push(v.text);
      return `\u0001raw${marks.length - 1}\u0001`;
    }
    return v;
  });
  return text === undefined ? '' : text.replace(/"\\u0001raw(\d+)\\u0001"/g, (_m, i) => marks[Number(i)] as string);
}

/** Ids of records that exist (any kind: a person's id where a deal's is expected is "valid but unknown"). */
export interface FuzzContext {
  knownIds: string[];
  /** Relative weight of a hostile value at every node (0 = only schema-valid-ish values). */
  hostility: number;
  /** The document's named schemas, for $refs. */
  refs?: Record<string, Schema>;
}

const JAPANESE = [
  '山田太郎',
  'やまだ たろう',
  'ヤマダ　タロウ',
  'ｱｲｳｴｵ',
  '髙﨑',
  '〜－−―‐',
  '株式会社テスト',
  '①②③㈱',
  '東京都千代田区千代田１－１',
  '〒100-0001',
  '０９０－１２３４－５６７８',
];
const EMOJI = ['🎉', '👨‍👩‍👧‍👦', '🇯🇵', '🏳️‍🌈', 'e\u0301', '\u200d', '\ufeff', '\u202e'];
/** Text PostgreSQL cannot store (the global guard must refuse it) and text that only looks dangerous. */
const HOSTILE_TEXT = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\udfff\ud800',
  "' OR 1=1 --",
  '%',
  '_',
  '\\',
  '"',
  '<script>alert(1)</script>',
  '{{name}}',
  '$' + '{x}',
  '../../etc/passwd',
  'NaN',
  'Infinity',
  '-0',
  '1e308',
  'null',
  'true',
  '0x10',
  '2024-02-30',
  '0000-01-01',
  '9999-12-31T23:59:59.999Z',
  '-infinity',
  '2024-13-01T00:00:00Z',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '\t\r\n',
  'a'.repeat(255),
  '\u3000',
  '[]',
  '{}',
  '__proto__',
  'constructor',
];

export const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE_TEXT, ...JAPANESE, ...EMOJI),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.array(fc.constantFrom(...JAPANESE, ...EMOJI, '\u0000', '\ud800'), { maxLength: 5 }).map((a) => a.join('')),
  fc.integer({ min: 256, max: 70_000 }).map((n) => 'あ'.repeat(n)),
);

const BOUNDARY_NUMBERS: unknown[] = [
  0,
  1,
  -1,
  0.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  -(2 ** 53 + 1),
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 63,
  5e-324,
  new RawNumber('-0'),
  new RawNumber('1e309'),
  new RawNumber('-1e309'),
  new RawNumber('1E+2'),
  new RawNumber('123456789012345678901234567890'),
];
export const hostileNumber = fc.oneof(
  fc.constantFrom(...BOUNDARY_NUMBERS),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Any JSON value, deep or odd, for "wrong type" mutations. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, '', [], {}, 'x', -1) },
  { weight: 2, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((t) => JSON.parse(t) as unknown) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 50, max: 400 }).map((d) => {
      let v: unknown = 1;
      for (let i = 0; i < d; i++) v = [v];
      return v;
    }),
  },
);

const FIELD_NAMES = [
  'familyName',
  'givenName',
  'displayName',
  'name',
  'title',
  'email',
  'emails',
  'phones',
  'birthday',
  'createdAt',
  'updatedAt',
  'deletedAt',
  'ownerId',
  'teamId',
  'companyId',
  'amount',
  'stageId',
  'pipelineId',
  'status',
  'probability',
  'expectedCloseDate',
  'prefecture',
  'employeeCount',
  'tags',
  'custom.score',
  'custom.x',
  'emailPermission',
  'gender',
  'priority',
  'dueAt',
  'orderedAt',
  'total',
  'id',
  'version',
];

const filterValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    3,
    -1,
    'a',
    '山田',
    '2024-01-01',
    '2024-01-01T00:00:00Z',
    '00000000-0000-0000-0000-000000000000',
  ),
  hostileString,
  hostileNumber,
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), hostileString, hostileNumber), { maxLength: 5 }),
);

const conditionArb = fc.record(
  {
    field: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...FIELD_NAMES) },
      { weight: 1, arbitrary: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,20}(\.[a-zA-Z][a-zA-Z0-9_]{0,20})?$/) },
    ),
    op: fc.constantFrom(...filterOps),
    value: filterValue,
  },
  { requiredKeys: ['field', 'op'] },
);

/** The filter language: its recursive schema is a dangling $ref in the OpenAPI document, so it has its own generator. */
export const filterArb: fc.Arbitrary<unknown> = fc.letrec<{ f: unknown }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: conditionArb },
    { weight: 1, arbitrary: fc.record({ and: fc.array(tie('f'), { maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ or: fc.array(tie('f'), { maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ not: tie('f') }) },
  ),
})).f;

export const sortArb = fc
  .array(fc.tuple(fc.boolean(), fc.oneof(fc.constantFrom(...FIELD_NAMES), hostileString)), { maxLength: 4 })
  .map((parts) => parts.map(([desc, f]) => (desc ? `-${f}` : f)).join(','));

function uuidArb(ctx: FuzzContext): fc.Arbitrary<string> {
  const options: fc.Arbitrary<string>[] = [fc.uuid({ version: [4, 7] }), fc.constant('00000000-0000-0000-0000-000000000000')];
  if (ctx.knownIds.length) options.unshift(fc.constantFrom(...ctx.knownIds), fc.constantFrom(...ctx.knownIds));
  return fc.oneof(...options);
}

function typesOf(s: Schema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (s.type) return [s.type];
  if (s.properties) return ['object'];
  if (s.items) return ['array'];
  return [];
}

function stringArb(s: Schema, ctx: FuzzContext): fc.Arbitrary<string> {
  if (s.format === 'uuid') return uuidArb(ctx);
  if (s.format === 'date-time')
    return fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'date')
    return fc
      .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'email') return fc.oneof(fc.emailAddress(), fc.constantFrom('山田@例え.jp', 'a@b', 'x@example.test'));
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 60, min + 60);
  // No .filter() here: a filter that can never pass (a minimum length above every candidate) spins for ever.
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).map((v) => v.slice(0, s.maxLength ?? v.length));
    } catch {
      // A pattern fast-check cannot invert: plain text below.
    }
  }
  const japanese = JAPANESE.filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity));
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: max }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: max }) },
    { weight: japanese.length ? 2 : 0, arbitrary: japanese.length ? fc.constantFrom(...japanese) : fc.constant('') },
  );
}

/** Values that break the node's own limits: one over maxLength, below minimum, past maxItems... */
function overLimits(s: Schema): fc.Arbitrary<unknown>[] {
  const out: fc.Arbitrary<unknown>[] = [];
  if (s.maxLength !== undefined) out.push(fc.constant('x'.repeat(s.maxLength + 1)), fc.constant('あ'.repeat(s.maxLength + 1)));
  if (s.minLength) out.push(fc.constant('x'.repeat(s.minLength - 1)));
  if (typeof s.minimum === 'number') out.push(fc.constantFrom(s.minimum - 1, s.minimum - 0.5));
  if (typeof s.maximum === 'number') out.push(fc.constantFrom(s.maximum + 1, s.maximum + 0.5));
  if (s.maxItems !== undefined && s.items && s.maxItems <= 10_000)
    out.push(fc.constant(Array(s.maxItems + 1).fill(s.items.default ?? 'x')));
  if (s.enum) out.push(fc.constantFrom('unknown_value', String(s.enum[0]).toUpperCase(), ` ${String(s.enum[0])}`));
  return out;
}

/**
 * Values for a schema node: mostly valid-ish (so requests get past validation into services and SQL), with a
 * hostile value at any depth (wrong type, over limits, NUL, lone surrogates, boundary numbers), missing required
 * keys and extra keys.
 */
export function arbitraryFor(schema: Schema | undefined, ctx: FuzzContext, depth = 0): fc.Arbitrary<unknown> {
  const valid = validFor(schema ?? {}, ctx, depth);
  if (ctx.hostility <= 0) return valid;
  const hostile: fc.Arbitrary<unknown>[] = [anyJson, hostileString, hostileNumber, ...overLimits(schema ?? {})];
  return fc.oneof({ weight: 10, arbitrary: valid }, { weight: ctx.hostility, arbitrary: fc.oneof(...hostile) });
}

function validFor(s: Schema, ctx: FuzzContext, depth: number): fc.Arbitrary<unknown> {
  if (s.$ref) {
    // The filter language is recursive: its own generator (valid-looking filters over real field names).
    const name = s.$ref.split('/').pop() ?? '';
    const target = ctx.refs?.[name];
    return /filter/i.test(name) || !target || depth > 6 ? filterArb : arbitraryFor(target, ctx, depth + 1);
  }
  if (s.allOf?.length)
    return s.allOf.length === 1 ? arbitraryFor(s.allOf[0], ctx, depth) : arbitraryFor(Object.assign({}, ...s.allOf), ctx, depth);
  if (s.oneOf?.length || s.anyOf?.length) return fc.oneof(...(s.oneOf ?? s.anyOf ?? []).map((x) => arbitraryFor(x, ctx, depth + 1)));
  const base = baseFor(s, ctx, depth);
  return s.nullable ? fc.oneof({ weight: 4, arbitrary: base }, { weight: 1, arbitrary: fc.constant(null) }) : base;
}

function baseFor(s: Schema, ctx: FuzzContext, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const types = typesOf(s);
  const type = types.find((t) => t !== 'null');
  switch (type) {
    case 'string':
      return stringArb(s, ctx);
    case 'integer':
    case 'number': {
      const min = typeof s.minimum === 'number' ? s.minimum : -(2 ** 31);
      const max = typeof s.maximum === 'number' ? s.maximum : 2 ** 31;
      const edges = [min, max, Math.max(min, Math.min(max, 0)), Math.max(min, Math.min(max, 1))];
      const ints = fc.oneof(
        fc.constantFrom(...edges),
        fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) }),
      );
      return type === 'integer' ? ints : fc.oneof(ints, fc.double({ min, max, noNaN: true }));
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      if (depth > 6) return fc.constant([]);
      const maxItems = Math.min(s.maxItems ?? 5, (s.minItems ?? 0) + 5);
      return fc.array(arbitraryFor(s.items, ctx, depth + 1), { minLength: s.minItems ?? 0, maxLength: maxItems });
    }
    case 'object':
      return objectArb(s, ctx, depth);
    default:
      return anyJson;
  }
}

function objectArb(s: Schema, ctx: FuzzContext, depth: number): fc.Arbitrary<unknown> {
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  const keys = Object.keys(props);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const k of keys) model[k] = depth > 6 ? fc.constant(null) : arbitraryFor(props[k], ctx, depth + 1);
  const valid = keys.length
    ? fc.record(model, { requiredKeys: keys.filter((k) => required.has(k)) })
    : fc.dictionary(
        fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('x', 'score', 'note', '名前')),
        fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null)),
        { maxKeys: 4 },
      );
  if (ctx.hostility <= 0) return valid;
  const extraKey = fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', 'id', 'workspaceId', 'version', ''),
    hostileString,
  );
  return fc.oneof(
    { weight: 8, arbitrary: valid },
    // A required key missing.
    {
      weight: required.size ? 1 : 0,
      arbitrary: fc.tuple(valid, fc.constantFrom(...(required.size ? [...required] : ['x']))).map(([v, k]) => omit(v, k)),
    },
    // Extra keys, including ones that would poison a prototype if merged naively.
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.dictionary(extraKey, anyJson, { minKeys: 1, maxKeys: 3 })).map(([v, extra]) => withExtra(v, extra)),
    },
  );
}

function omit(v: unknown, key: string): unknown {
  if (!v || typeof v !== 'object') return v;
  const copy = { ...(v as Record<string, unknown>) };
  delete copy[key];
  return copy;
}

function withExtra(v: unknown, extra: Record<string, unknown>): unknown {
  if (!v || typeof v !== 'object') return v;
  const copy: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  // defineProperty so that "__proto__" becomes an own key in the JSON text, as a hostile client would send it.
  for (const [k, val] of Object.entries(extra))
    Object.defineProperty(copy, k, { value: val, enumerable: true, writable: true, configurable: true });
  return copy;
}
