import type { ErrorCode } from '../../../shared/errors.js';

/**
 * What a PostgreSQL or connection error means for the caller, in one place for every route: constraint violations
 * are the caller's (409/422/400), a database that is away or busy is temporary (503), anything else is a bug (null).
 */
export function classifyDbError(err: unknown): ErrorCode | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return null;
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === '23505') return 'already_exists';
  if (code === '23503') return 'reference_invalid';
  // not-null, check and exclusion violations; data exceptions (22xxx: bad text, out-of-range numbers and dates,
  // strings too long, invalid regular expressions); an index row too large for its page (54000).
  if (code === '23502' || code === '23514' || code === '23P01' || /^22[0-9A-Z]{3}$/.test(code) || code === '54000')
    return 'validation_failed';
  // Serialisation failures and deadlocks, and a statement cancelled by its timeout: try again.
  if (code === '40001' || code === '40P01' || code === '57014' || code === '55P03') return 'unavailable';
  // The server shutting down or restarting, a lost connection, too many connections.
  if (/^(08|57P|53)/.test(code)) return 'unavailable';
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND'].includes(code)) return 'unavailable';
  const message = typeof e.message === 'string' ? e.message : '';
  if (
    /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end/i.test(
      message,
    )
  )
    return 'unavailable';
  return null;
}
