import type { Db } from '../../platform/db/database.js';
import type { Authenticator } from '../../platform/http/auth.js';
import { requestLocale } from '../../platform/http/locale.js';
import { resolveApiToken, resolveSession } from './auth.service.js';

export function makeAuthenticator(db: Db, sessionDays: number): Authenticator {
  return {
    fromSessionToken: (token, request) =>
      resolveSession({ db, token, sessionDays, fallbackLocale: requestLocale(request), ip: request.ip }),
    fromApiToken: (token, request) => resolveApiToken({ db, token, fallbackLocale: requestLocale(request), ip: request.ip }),
  };
}
