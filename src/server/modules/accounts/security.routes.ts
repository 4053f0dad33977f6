import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { idParams, loginBody } from '../../../shared/contracts/accounts.js';
import {
  loginEnrolBody,
  loginEnrolConfirmBody,
  loginResult,
  loginTotpBody,
  recoveryCodesResult,
  securityStatus,
  sessionInfo,
  totpDisableBody,
  totpEnableBody,
  totpSetup,
} from '../../../shared/contracts/security.js';
import type { Actor } from '../../platform/actor.js';
import { secretKey } from '../../platform/crypto.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { accountsDb } from './accounts.db.js';
import type { SessionResult } from './auth.service.js';
import { sweepSignInState } from './security.repository.js';
import { endUserSessions, listMySessions, resetUserTwoFactor, revokeMySession, unlockUser } from './sessions.service.js';
import { completeTotpSignIn, confirmEnrolmentSignIn, login, type SignInOutcome, startEnrolmentSignIn } from './sign-in.service.js';
import { confirmTotpSetup, disableTotp, getSecurityStatus, regenerateRecoveryCodes, startTotpSetup } from './two-factor.service.js';

/** A long-lived cookie naming a browser where the user signed in before; sent only to the sign-in routes. */
export const DEVICE_COOKIE = 'crm_device';
const DEVICE_COOKIE_PATH = '/api/v1/auth';
const DEVICE_DAYS = 365;

const ok = z.object({ ok: z.literal(true) });
const me = (actor: Actor | null) => actor as Actor;

const SWEEP_QUEUE = 'accounts.sign-in-sweep';

export function securityRoutes(
  app: App,
  { database, config, bus }: ModuleDeps,
  setSessionCookie: (reply: FastifyReply, s: SessionResult) => void,
) {
  const db = accountsDb(database.db);
  // Hourly: counters, challenges and device cookies that no longer matter (security.repository.ts).
  bus.onStart(async (boss, { workers }) => {
    await boss.createQueue(SWEEP_QUEUE);
    if (!workers) return;
    await boss.work(SWEEP_QUEUE, { pollingIntervalSeconds: 60 }, async () => {
      const gone = await sweepSignInState(db, DEVICE_DAYS);
      app.log.info({ module: 'accounts.security', ...gone }, 'old sign-in state removed');
    });
    await boss.schedule(SWEEP_QUEUE, '41 * * * *');
  });
  const key = secretKey(config);
  const authLimit = { max: config.authRateLimit, timeWindow: '1 minute' };

  const client = (request: FastifyRequest) => ({
    ip: request.ip,
    userAgent: request.headers['user-agent'],
    deviceToken: request.cookies[DEVICE_COOKIE],
  });

  function signedIn(reply: FastifyReply, result: { session: SessionResult; newDeviceToken?: string }) {
    setSessionCookie(reply, result.session);
    if (result.newDeviceToken) {
      reply.setCookie(DEVICE_COOKIE, result.newDeviceToken, {
        path: DEVICE_COOKIE_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: config.secureCookies,
        expires: new Date(Date.now() + DEVICE_DAYS * 86_400_000),
      });
    }
  }

  function answer(reply: FastifyReply, outcome: SignInOutcome) {
    if (outcome.status !== 'signed_in') return { status: outcome.status, challenge: outcome.challenge };
    signedIn(reply, outcome);
    return { status: 'signed_in' as const };
  }

  app.post(
    '/api/v1/auth/login',
    { config: { access: 'public', rateLimit: authLimit }, schema: { tags: ['auth'], body: loginBody, response: { 200: loginResult } } },
    async (request, reply) => answer(reply, await login({ db, ...request.body, sessionDays: config.sessionDays, ...client(request) })),
  );
  app.post(
    '/api/v1/auth/login/totp',
    { config: { access: 'public', rateLimit: authLimit }, schema: { tags: ['auth'], body: loginTotpBody, response: { 200: loginResult } } },
    async (request, reply) => {
      const result = await completeTotpSignIn({ db, key, ...request.body, sessionDays: config.sessionDays, ...client(request) });
      signedIn(reply, result);
      return { status: 'signed_in' as const };
    },
  );
  app.post(
    '/api/v1/auth/login/enrol',
    { config: { access: 'public', rateLimit: authLimit }, schema: { tags: ['auth'], body: loginEnrolBody, response: { 200: totpSetup } } },
    async (request) => startEnrolmentSignIn({ db, key, challenge: request.body.challenge }),
  );
  app.post(
    '/api/v1/auth/login/enrol/confirm',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: { tags: ['auth'], body: loginEnrolConfirmBody, response: { 200: recoveryCodesResult } },
    },
    async (request, reply) => {
      const result = await confirmEnrolmentSignIn({ db, key, ...request.body, sessionDays: config.sessionDays, ...client(request) });
      signedIn(reply, result);
      return { recoveryCodes: result.recoveryCodes };
    },
  );

  app.get(
    '/api/v1/me/security',
    { config: { access: 'authenticated' }, schema: { tags: ['users'], response: { 200: securityStatus } } },
    async (request) => getSecurityStatus({ db, actor: me(request.actor) }),
  );
  app.post(
    '/api/v1/me/2fa/setup',
    { config: { access: 'authenticated', rateLimit: authLimit }, schema: { tags: ['users'], response: { 200: totpSetup } } },
    async (request) => startTotpSetup({ db, key, actor: me(request.actor) }),
  );
  app.post(
    '/api/v1/me/2fa/enable',
    {
      config: { access: 'authenticated', rateLimit: authLimit },
      schema: { tags: ['users'], body: totpEnableBody, response: { 200: recoveryCodesResult } },
    },
    async (request) => confirmTotpSetup({ db, key, actor: me(request.actor), code: request.body.code }),
  );
  app.post(
    '/api/v1/me/2fa/disable',
    {
      config: { access: 'authenticated', rateLimit: authLimit },
      schema: { tags: ['users'], body: totpDisableBody, response: { 200: ok } },
    },
    async (request) => {
      await disableTotp({ db, key, actor: me(request.actor), ...request.body });
      return { ok: true as const };
    },
  );
  app.post(
    '/api/v1/me/2fa/recovery-codes',
    {
      config: { access: 'authenticated', rateLimit: authLimit },
      schema: {
        tags: ['users'],
        body: z.object({ password: z.string().min(1).max(200), code: totpEnableBody.shape.code }),
        response: { 200: recoveryCodesResult },
      },
    },
    async (request) => regenerateRecoveryCodes({ db, key, actor: me(request.actor), ...request.body }),
  );

  app.get(
    '/api/v1/me/sessions',
    { config: { access: 'authenticated' }, schema: { tags: ['users'], response: { 200: z.object({ data: z.array(sessionInfo) }) } } },
    async (request) => ({ data: await listMySessions({ db, actor: me(request.actor) }) }),
  );
  app.delete(
    '/api/v1/me/sessions/:id',
    { config: { access: 'authenticated' }, schema: { tags: ['users'], params: idParams, response: { 200: ok } } },
    async (request) => {
      await revokeMySession({ db, actor: me(request.actor), sessionId: request.params.id });
      return { ok: true as const };
    },
  );

  app.post(
    '/api/v1/users/:id/sessions/end',
    { config: { access: 'users.manage' }, schema: { tags: ['users'], params: idParams, response: { 200: ok } } },
    async (request) => {
      await endUserSessions({ db, actor: me(request.actor), userId: request.params.id });
      return { ok: true as const };
    },
  );
  app.post(
    '/api/v1/users/:id/2fa/reset',
    { config: { access: 'users.manage' }, schema: { tags: ['users'], params: idParams, response: { 200: ok } } },
    async (request) => {
      await resetUserTwoFactor({ db, actor: me(request.actor), userId: request.params.id });
      return { ok: true as const };
    },
  );
  app.post(
    '/api/v1/users/:id/unlock',
    { config: { access: 'users.manage' }, schema: { tags: ['users'], params: idParams, response: { 200: ok } } },
    async (request) => {
      await unlockUser({ db, actor: me(request.actor), userId: request.params.id });
      return { ok: true as const };
    },
  );
}
