import fc from 'fast-check';
import type { App } from '../../src/server/platform/http/app.js';
import {
  arbitraryFor,
  type FuzzContext,
  filterArb,
  hostileNumber,
  hostileString,
  type Schema,
  sortArb,
  toJsonText,
} from './json-schema-arbitrary.js';

/**
 * Property-based fuzzing of every API route, generated from the route schemas (the OpenAPI document is built from
 * the zod schemas by fastify-type-provider-zod). Shared by the CI test (fixed seed, bounded count) and the
 * `fuzz` benchmark (random seed, 20,000+ requests).
 */

export interface FuzzParam {
  name: string;
  required: boolean;
  schema: Schema;
}

export interface FuzzRoute {
  method: string;
  /** Fastify form: /api/v1/people/:id */
  url: string;
  params: FuzzParam[];
  query: FuzzParam[];
  body?: Schema;
  /** True when the route reads a raw body (uploads, webhooks): its OpenAPI operation has no JSON body. */
  rawBody: boolean;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The parts of an OpenAPI operation the fuzzer reads. */
interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
type OpenApiDoc = { paths?: Record<string, Record<string, OpenApiOperation>>; components?: { schemas?: Record<string, Schema> } };

/**
 * Every API route the app registered (collected by its onRoute hook as `app.apiRoutes`), with the request schemas
 * of its OpenAPI operation (generated from the route's zod schemas). A route the document leaves out is still
 * fuzzed, with generic bodies.
 */
export function apiRoutesOf(app: App): { routes: FuzzRoute[]; undocumented: string[]; refs: Record<string, Schema> } {
  const doc = app.swagger() as unknown as OpenApiDoc;
  const routes: FuzzRoute[] = [];
  const undocumented: string[] = [];
  for (const { method, url } of app.apiRoutes) {
    const op = doc.paths?.[url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[method.toLowerCase()];
    if (!op) undocumented.push(`${method} ${url}`);
    const parameters = op?.parameters ?? [];
    const pick = (where: string) =>
      parameters.filter((p) => p.in === where).map((p) => ({ name: p.name, required: !!p.required, schema: p.schema }));
    const pathNames = [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
    const params = pathNames.map(
      (name) => pick('path').find((p) => p.name === name) ?? { name, required: true, schema: { type: 'string' } },
    );
    const body = op?.requestBody?.content?.['application/json']?.schema;
    routes.push({ method, url, params, query: pick('query'), body, rawBody: !body && WRITE_METHODS.has(method) && method !== 'DELETE' });
  }
  return { routes, undocumented, refs: doc.components?.schemas ?? {} };
}

export type AuthKind = 'session' | 'session-no-csrf' | 'token' | 'anonymous' | 'bad-token' | 'bad-cookie';

export interface FuzzRequest {
  route: FuzzRoute;
  auth: AuthKind;
  url: string;
  contentType?: string;
  payload?: string | Buffer;
  language: string;
}

export function describeRequest(r: FuzzRequest): string {
  const body = r.payload === undefined ? '' : ` body(${r.contentType ?? 'none'}, ${r.payload.length}): ${truncate(String(r.payload), 300)}`;
  return `${r.route.method} ${truncate(r.url, 300)} as ${r.auth}${body}`;
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length})` : s);

/** Percent-encode, even text encodeURIComponent refuses (a lone surrogate goes as the bytes of its CESU-8 form). */
export function encodePart(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    let out = '';
    for (const ch of s) {
      const code = ch.codePointAt(0) as number;
      if (code >= 0xd800 && code <= 0xdfff) {
        out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      } else out += encodeURIComponent(ch);
    }
    return out;
  }
}

/** Raw path segments that are not valid percent-encoding or that try to walk the path. */
const RAW_SEGMENTS = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%00',
  '..',
  '%2e%2e',
  '%2F',
  'a%2Fb',
  '%C0%AE',
  '%FF',
  '+',
  '%20',
  'x'.repeat(101),
  '-1',
  '0',
  '1e308',
  'null',
];

function pathValue(p: FuzzParam, ctx: FuzzContext): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: arbitraryFor(p.schema, { ...ctx, hostility: 0 }).map((v) => encodePart(String(v))) },
    { weight: 1, arbitrary: hostileString.map(encodePart) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  );
}

function queryValue(p: FuzzParam, ctx: FuzzContext): fc.Arbitrary<string[]> {
  const one = (v: unknown): string => (typeof v === 'string' ? v : v !== null && typeof v === 'object' ? toJsonText(v) : String(v));
  if (p.name === 'filter')
    return fc.oneof(
      { weight: 4, arbitrary: filterArb.map((f) => [toJsonText(f)]) },
      { weight: 1, arbitrary: hostileString.map((s) => [s]) },
    );
  if (p.name === 'sort') return sortArb.map((s) => [s]);
  return fc.oneof(
    { weight: 6, arbitrary: arbitraryFor(p.schema, ctx).map((v) => (Array.isArray(v) ? v.map(one) : [one(v)])) },
    { weight: 1, arbitrary: fc.array(arbitraryFor(p.schema, ctx).map(one), { minLength: 2, maxLength: 3 }) },
  );
}

const RAW_QUERY = [
  '',
  '&&&',
  '=x',
  'a[b]=1',
  'a=%',
  'a=%zz',
  '%00=1',
  'x=%ED%A0%80',
  'limit=1&limit=2',
  '__proto__[x]=1',
  'constructor=1',
  `q=${'x'.repeat(5000)}`,
  'cursor=eyJ9',
  'cursor=%00',
];

function queryString(route: FuzzRoute, ctx: FuzzContext): fc.Arbitrary<string> {
  const params = route.query.map((p) =>
    fc.option(
      queryValue(p, ctx).map((vs) => vs.map((v) => `${encodePart(p.name)}=${encodePart(v)}`).join('&')),
      { freq: p.required ? 10 : 2, nil: '' },
    ),
  );
  const extra = fc.oneof(
    { weight: 6, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERY) },
    { weight: 1, arbitrary: fc.tuple(hostileString, hostileString).map(([k, v]) => `${encodePart(k)}=${encodePart(v)}`) },
  );
  return fc.tuple(fc.tuple(...params), extra).map(([ps, e]) => [...ps, e].filter(Boolean).join('&'));
}

const MALFORMED_JSON = [
  '{',
  '{"a":',
  '[1,2',
  'nul',
  '{"a":1,}',
  "{'a':1}",
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '"\\udc00"',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"a":1e999}',
  '{"a":-0}',
  '\ufeff{}',
  '{"a":1}{"b":2}',
  '[]',
  '""',
  '0',
  'null',
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
];

const WRONG_TYPES = [
  'text/plain',
  'multipart/form-data; boundary=xyz',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'text/csv',
  'application/xml',
  'application/json; charset=shift_jis',
  'application/json; charset=utf-16',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'image/png',
  'message/rfc822',
  ';;;',
];

const RAW_BODIES: Array<string | Buffer> = [
  'name,email\n山田,a@example.test\n',
  '"unterminated,quote\n',
  '\ufeff姓,名\r\n山田,太郎\r\n',
  Buffer.from([0x82, 0xa0, 0x82, 0xa2, 0x0a]),
  Buffer.from('PK\u0003\u0004garbage'),
  Buffer.from([0, 1, 2, 3, 255, 254]),
  '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\na,b\r\n--xyz--\r\n',
  'a=1&b=%zz',
  '<?xml version="1.0"?><a/>',
  'BEGIN:VCARD\nFN:山田\nEND:VCARD\n',
  '',
];

function bodyOf(route: FuzzRoute, ctx: FuzzContext): fc.Arbitrary<{ contentType?: string; payload?: string | Buffer }> {
  const json = (schema: Schema | undefined) =>
    arbitraryFor(schema, ctx).map((v) => ({ contentType: 'application/json', payload: toJsonText(v) }));
  const malformed = fc.constantFrom(...MALFORMED_JSON).map((payload) => ({ contentType: 'application/json', payload }));
  const wrongType = fc
    .tuple(
      fc.constantFrom<string | undefined>(...WRONG_TYPES, undefined),
      fc.oneof(
        fc.constantFrom(...RAW_BODIES),
        json(route.body).map((b) => b.payload),
      ),
    )
    .map(([contentType, payload]) => ({ contentType, payload }));
  const huge = fc
    .constantFrom(1024 * 1024 + 1, 3 * 1024 * 1024)
    .map((n) => ({ contentType: 'application/json', payload: `{"a":"${'x'.repeat(n)}"}` }));
  const randomBytes = fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b));
  const raw = fc
    .tuple(
      fc.constantFrom<string | undefined>(...WRONG_TYPES, 'text/csv', 'application/json', undefined),
      fc.oneof(fc.constantFrom(...RAW_BODIES), randomBytes),
    )
    .map(([contentType, payload]) => ({ contentType, payload }));
  if (route.body) {
    return fc.oneof(
      { weight: 14, arbitrary: json(route.body) },
      { weight: 2, arbitrary: malformed },
      { weight: 2, arbitrary: wrongType },
      { weight: 1, arbitrary: huge },
      { weight: 1, arbitrary: fc.constant({ contentType: 'application/json', payload: '' }) },
      { weight: 1, arbitrary: fc.constant({}) },
    );
  }
  if (route.rawBody)
    return fc.oneof(
      { weight: 6, arbitrary: raw },
      { weight: 1, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: huge },
      { weight: 1, arbitrary: json(undefined) },
    );
  return fc.oneof({ weight: 8, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: raw }, { weight: 1, arbitrary: malformed });
}

/**
 * One request to the route: half the time schema-valid throughout (so it reaches services and SQL), else with
 * hostile values at any depth of the path, query and body, wrong content types and malformed JSON.
 */
export function requestArbitrary(route: FuzzRoute, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const auth = fc.constantFrom<AuthKind>(
    'session',
    'session',
    'session',
    'session',
    'token',
    'token',
    'anonymous',
    'session-no-csrf',
    'bad-token',
    'bad-cookie',
  );
  const language = fc.constantFrom('ja', 'en', 'en-US,en;q=0.9', 'fr', '*', ';q=x', 'ja-JP-u-ca-japanese');
  const parts = (c: FuzzContext) => {
    const path = fc
      .tuple(...route.params.map((p) => (c.hostility ? pathValue(p, c) : arbitraryFor(p.schema, c).map((v) => encodePart(String(v))))))
      .map((values) => {
        let url = route.url;
        route.params.forEach((p, i) => {
          url = url.replace(`:${p.name}`, values[i] as string);
        });
        return url;
      });
    return fc.record({
      path: route.params.length ? path : fc.constant(route.url),
      query: queryString(route, c),
      body: c.hostility ? bodyOf(route, c) : validBodyOf(route, c),
    });
  };
  return fc
    .record({ auth, language, parts: fc.oneof(parts({ ...ctx, hostility: 0 }), parts(ctx)) })
    .map(({ auth: a, language: l, parts: r }) => ({
      route,
      auth: a,
      url: r.query ? `${r.path}?${r.query}` : r.path,
      contentType: r.body.contentType,
      payload: r.body.payload,
      language: l,
    }));
}

function validBodyOf(route: FuzzRoute, ctx: FuzzContext): fc.Arbitrary<{ contentType?: string; payload?: string | Buffer }> {
  if (route.body) return arbitraryFor(route.body, ctx).map((v) => ({ contentType: 'application/json', payload: toJsonText(v) }));
  if (route.rawBody) return fc.constantFrom(...RAW_BODIES).map((payload) => ({ contentType: 'text/csv', payload }));
  return fc.constant({});
}

export { hostileNumber, hostileString };
