/**
 * Text PostgreSQL cannot store, refused once for every route before its schema runs: a NUL character (text and jsonb
 * reject it) and an unpaired UTF-16 surrogate (not a character; jsonb rejects its escape). Keys are checked as well as
 * values, since objects such as custom-field values are stored as jsonb.
 */
export interface BadText {
  in: 'body' | 'querystring' | 'params';
  path: string;
}

const MAX_DEPTH = 64;

/** With the u flag a well-formed pair is one code point; only an unpaired half is a surrogate (Cs) on its own. */
const LONE_SURROGATE = /\p{Cs}/u;

export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && !LONE_SURROGATE.test(s);
}

/** The first string (or key) in `value` that cannot be stored, as a dotted path; null when everything can. */
export function findBadText(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findBadText(value[i], path ? `${path}.${i}` : String(i), depth + 1);
      if (bad !== null) return bad;
    }
    return null;
  }
  // Only parsed JSON, query and params objects: a raw upload stream or a Buffer is not text to check here.
  if (ArrayBuffer.isView(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return null;
  for (const [k, v] of Object.entries(value)) {
    const at = path ? `${path}.${k}` : k;
    if (!isStorableText(k)) return at;
    const bad = findBadText(v, at, depth + 1);
    if (bad !== null) return bad;
  }
  return null;
}

export function badTextIn(request: { body?: unknown; query?: unknown; params?: unknown }): BadText | null {
  for (const where of ['params', 'querystring', 'body'] as const) {
    const value = where === 'querystring' ? request.query : request[where];
    const path = findBadText(value);
    if (path !== null) return { in: where, path };
  }
  return null;
}
