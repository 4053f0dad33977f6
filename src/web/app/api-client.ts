import type { ErrorCode } from '../../shared/errors';
import { i18n } from './i18n';

export interface ValidationIssue {
  path: string;
  message: string;
}

/** A failed API call: the server's stable code, its message (already in the caller's language) and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get issues(): ValidationIssue[] {
    const issues = (this.details as { issues?: unknown } | undefined)?.issues;
    return Array.isArray(issues) ? (issues as ValidationIssue[]) : [];
  }
}

let csrfToken = '';

/** The session's CSRF token, sent on every non-GET request. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

export async function api<T>(
  method: string,
  path: string,
  options: { body?: unknown; query?: Query; raw?: { body: Blob; contentType: string } } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': i18n.resolvedLanguage ?? 'ja' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.raw) headers['content-type'] = options.raw.contentType;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.raw ? options.raw.body : options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'network', i18n.t('errors.network'));
  }
  const text = await response.text();
  const json = text ? safeParse(text) : undefined;
  if (!response.ok) {
    const error = (json as { error?: { code?: ErrorCode; message?: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? 'internal', error?.message ?? i18n.t('errors.unexpected'), error?.details);
  }
  return json as T;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const http = {
  get: <T>(path: string, query?: Query) => api<T>('GET', path, { query }),
  post: <T>(path: string, body: unknown = {}) => api<T>('POST', path, { body }),
  patch: <T>(path: string, body: unknown) => api<T>('PATCH', path, { body }),
  delete: <T>(path: string) => api<T>('DELETE', path),
  /** A file as the raw request body (imports). */
  upload: <T>(path: string, file: Blob, contentType: string, query?: Query) =>
    api<T>('POST', path, { query, raw: { body: file, contentType } }),
};

export function isApiError(err: unknown, code?: string): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}
