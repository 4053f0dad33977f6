import { can, scopeFor } from '../../../shared/permissions.js';
import { newId } from '../ids.js';
import { OWNERS_A, type Principal, sees, type UserKey, wsOf } from './access-matrix.callers.js';
import { type Fixtures, namesOf } from './access-matrix.fixtures.js';
import { type Kind, models, type RouteSpec, stale } from './access-matrix.table.js';
import type { ApiRoute } from './app.js';

/**
 * The access matrix's requests and what each must get: from the route's declared access (401, 403), and from the
 * visibility rules for the records it names (404 like an unknown id, or granted).
 *
 * Requests are harmless: where access should be granted to a write, the request carries a NUL in its query, which
 * the platform refuses (400 invalid_text) after authorization and before the handler; only requests that must be
 * refused reach the handler, with a valid body, and must answer 404 like an unknown id.
 */

export type Expect = { granted: true } | { status: number } | { anything: true };
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 401 / 403 from the route's declared access alone, or null when the caller passes it. */
function refusedByAccess(route: ApiRoute, p: Principal, spec: RouteSpec): number | null {
  if (route.access === 'public') return null;
  if (p.kind === 'anonymous') return 401;
  const token = p.kind === 'token';
  if (token && spec.sessionOnly) return 403;
  if (route.access === 'authenticated') return token && !SAFE.has(route.method) && !p.scopes?.includes('write') ? 403 : null;
  if (!p.role || !can(p.role, route.access)) return 403;
  if (token && !p.scopes?.includes(scopeFor(route.access))) return 403;
  return null;
}

export interface Case {
  label: string;
  spec: RouteSpec;
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  principal: Principal;
  expect: Expect;
}

const NUL_QUERY = 'matrix_guard=%00';

function fill(url: string, params: Record<string, string>): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${url}`);
    return encodeURIComponent(v);
  });
}

function withQuery(url: string, ...parts: (string | undefined)[]): string {
  const q = parts.filter(Boolean).join('&');
  return q ? `${url}?${q}` : url;
}

/** Every caller on the route: refused by access, on an unknown id, and on each record of the kind its `:id` names. */
export function casesFor(route: ApiRoute, spec: RouteSpec, principals: Principal[], fixtures: Fixtures): Case[] {
  const out: Case[] = [];
  const key = `${route.method} ${route.url}`;
  const write = !SAFE.has(route.method);
  const request = (p: Principal, id: string | undefined, target: string, granted: boolean): Case => {
    const params: Record<string, string> = { ...(id ? { id, entityId: id } : {}), ...(spec.params?.(id ?? newId()) ?? {}) };
    // A granted write is stopped after authorization by the NUL guard; a refused one reaches the handler.
    // A stale version is refused (409) after every check: such a write runs its handler for real.
    const staleWrite = route.method === 'PATCH' && (spec.body as { version?: number } | undefined)?.version === stale.version;
    const guard = granted && write && !staleWrite ? NUL_QUERY : undefined;
    const query = typeof spec.query === 'function' ? spec.query(id ?? newId()) : spec.query;
    const url = withQuery(fill(route.url, params), query, spec.upload?.query, guard);
    const base = { label: `${key} as ${p.name} on ${target}`, spec, method: route.method, url, principal: p };
    if (spec.upload)
      return { ...base, body: Buffer.from('matrix'), headers: { 'content-type': spec.upload.contentType }, expect: { anything: true } };
    return {
      ...base,
      body: SAFE.has(route.method) || route.method === 'DELETE' ? undefined : (spec.body ?? {}),
      expect: { anything: true },
    };
  };
  for (const p of principals) {
    if (spec.stream && route.access !== 'public' && refusedByAccess(route, p, spec) === null) continue;
    const refused = refusedByAccess(route, p, spec);
    if (route.access === 'public') {
      out.push({ ...request(p, spec.kind ? newId() : undefined, 'a public route', true), expect: { anything: true } });
      continue;
    }
    if (refused !== null) {
      out.push({ ...request(p, fixtureFor(fixtures, spec.kind, 'mate'), 'any record', false), expect: { status: refused } });
      continue;
    }
    if (!spec.kind) {
      out.push({ ...request(p, undefined, 'no record', true), expect: { granted: true } });
      continue;
    }
    const unknown = newId();
    const refusal: Expect = spec.filter ? { granted: true } : { status: 404 };
    out.push({ ...request(p, unknown, 'an unknown id', false), expect: refusal });
    const kind = spec.kind;
    if (models[kind] === 'none') continue;
    for (const owner of targetsFor(fixtures, p, kind)) {
      const id = fixtures[kind][owner];
      if (!id) throw new Error(`no ${kind} fixture for ${owner}`);
      const granted = sees(p, kind, owner);
      const where = `${kind} of ${owner} (workspace ${wsOf(owner)})`;
      out.push({ ...request(p, id, where, granted), expect: granted ? { granted: true } : refusal });
    }
  }
  return out;
}

function fixtureFor(fixtures: Fixtures, kind: Kind | undefined, owner: UserKey): string | undefined {
  if (!kind) return undefined;
  return fixtures[kind]?.[models[kind] === 'workspace' ? 'admin' : owner] ?? fixtures[kind]?.admin ?? newId();
}

/** Own, a teammate's, an outsider's, and another workspace's: those that exist for this kind. */
function targetsFor(fixtures: Fixtures, p: Principal, kind: Kind): UserKey[] {
  const user = p.user as UserKey;
  const keys: UserKey[] = models[kind] === 'workspace' ? ['admin', 'bAdmin'] : [user, 'mate', 'outsider', 'bAdmin'];
  return [...new Set(keys)].filter((k) => fixtures[kind][k] !== undefined);
}

/** What a caller may not see, for the leak scanner: `[id or name, what it is, whether of another workspace]`. */
export type Hidden = [string, string, boolean];

const hiddenCache = new Map<Principal, Hidden[]>();
export function hiddenFrom(p: Principal, fixtures: Fixtures): Hidden[] {
  if (!p.user) return [];
  const user = p.user;
  let hidden = hiddenCache.get(p);
  if (!hidden) {
    hidden = [];
    for (const kind of Object.keys(fixtures) as Kind[]) {
      for (const [owner, id] of Object.entries(fixtures[kind]) as [UserKey, string][]) {
        const foreign = wsOf(owner) !== wsOf(user);
        if (!sees(p, kind, owner)) hidden.push([id, `${kind} of ${owner} (workspace ${wsOf(owner)})`, foreign]);
      }
    }
    // Exports and searches may name records without their ids: the fixtures' names carry their owner.
    for (const owner of [...OWNERS_A, 'bAdmin'] as UserKey[]) {
      if (sees(p, 'person', owner)) continue;
      for (const name of namesOf(owner)) {
        hidden.push([name, `the name ${name} (owned by ${owner}, workspace ${wsOf(owner)})`, wsOf(owner) !== wsOf(user)]);
      }
    }
    hiddenCache.set(p, hidden);
  }
  return hidden;
}

/** The leaks in an answer the caller was granted: ids or names of records it may not see. */
export function leaksIn(text: string, p: Principal, fixtures: Fixtures, wholeWorkspace = false): string[] {
  return hiddenFrom(p, fixtures)
    .filter(([id, , foreign]) => (foreign || !wholeWorkspace) && text.includes(id))
    .map(([, what]) => what);
}
