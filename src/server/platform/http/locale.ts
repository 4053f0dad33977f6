import type { FastifyRequest } from 'fastify';
import type { Locale } from '../../../shared/errors.js';

/** The caller's language: the signed-in user's choice, else the browser's Accept-Language, else Japanese. */
export function requestLocale(request: FastifyRequest): Locale {
  if (request.actor) return request.actor.locale;
  const header = request.headers['accept-language'];
  if (typeof header === 'string') {
    for (const part of header.split(',')) {
      const tag = part.split(';')[0]?.trim().toLowerCase() ?? '';
      if (tag.startsWith('ja')) return 'ja';
      if (tag.startsWith('en')) return 'en';
    }
  }
  return 'ja';
}
