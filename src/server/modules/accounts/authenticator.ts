import type { Authenticator } from '../../platform/http/auth.js';
import { requestLocale } from '../../platform/http/locale.js';
import type { AccountsDb } from './accounts.db.js';
import { resolveApiToken, resolveSession } from './auth.service.js';

export function makeAuthenticator(db: AccountsDb, sessionDays: number): Authenticator {
  return {
    fromSessionToken: (token, request) =>
      resolveSession({ db, token, sessionDays, fallbackLocale: requestLocale(request), ip: request.ip }),
    fromApiToken: (token, request) => resolveApiToken({ db, token, fallbackLocale: requestLocale(request), ip: request.ip }),
  };
}
