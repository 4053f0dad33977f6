import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  apiTokenCreate,
  apiTokenSchema,
  idParams,
  invitationAccept,
  invitationCreate,
  invitationSchema,
  passwordChangeBody,
  profilePatch,
  sessionSchema,
  setupBody,
  teamCreate,
  teamPatch,
  teamSchema,
  userPatch,
  userSchema,
  workspacePatch,
  workspaceSchema,
} from '../../../shared/contracts/accounts.js';
import { loginResult } from '../../../shared/contracts/security.js';
import { rolePermissions } from '../../../shared/permissions.js';
import type { Actor } from '../../platform/actor.js';
import type { App, ModuleDeps } from '../../platform/http/app.js';
import { SESSION_COOKIE } from '../../platform/http/auth.js';
import { AppError } from '../../platform/http/errors.js';
import { requestLocale } from '../../platform/http/locale.js';
import { accountsDb } from './accounts.db.js';
import { workspaceRepo } from './accounts.repository.js';
import { listenForInvalidations } from './actor-cache.js';
import { changePassword, createWorkspace, logout, type SessionResult, startSession } from './auth.service.js';
import { securityRoutes } from './security.routes.js';
import { enrolmentChallengeIfRequired } from './sign-in.service.js';
import { createToken, listTokens, revokeToken } from './tokens.service.js';
import * as users from './users.service.js';

const ok = z.object({ ok: z.literal(true) });

export async function accountsRoutes(app: App, deps: ModuleDeps) {
  const { database, config } = deps;
  const db = accountsDb(database.db);
  const stopListening = await listenForInvalidations(database.pool, (err) =>
    app.log.warn({ module: 'accounts', err }, 'actor cache disabled'),
  );
  app.addHook('onClose', async () => stopListening());
  const authLimit = { max: config.authRateLimit, timeWindow: '1 minute' };
  const me = (actor: Actor | null) => actor as Actor;

  function setSessionCookie(reply: FastifyReply, s: SessionResult) {
    reply.setCookie(SESSION_COOKIE, s.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
      ...(s.remember ? { expires: s.expiresAt } : {}),
    });
  }

  async function sessionView(actor: Actor) {
    const [user, workspace] = await Promise.all([
      users.getUser({ db, actor, userId: actor.userId as string }),
      users.getWorkspace({ db, actor }),
    ]);
    return { user, workspace, csrfToken: actor.csrfToken ?? '', permissions: [...rolePermissions[actor.role]] };
  }

  securityRoutes(app, deps, setSessionCookie);

  app.get(
    '/api/v1/setup',
    { config: { access: 'public' }, schema: { tags: ['auth'], response: { 200: z.object({ needsSetup: z.boolean() }) } } },
    async () => ({ needsSetup: (await workspaceRepo.count(db)) === 0 }),
  );

  app.post(
    '/api/v1/setup',
    { config: { access: 'public', rateLimit: authLimit }, schema: { tags: ['auth'], body: setupBody, response: { 201: ok } } },
    async (request, reply) => {
      const b = request.body;
      const { workspace, userId } = await createWorkspace({
        db,
        onlyIfFirst: true,
        workspace: { name: b.workspaceName, timeZone: b.timeZone, locale: b.locale, currency: b.currency },
        admin: { name: b.adminName, email: b.adminEmail, password: b.password },
      });
      const s = await startSession({
        db,
        workspaceId: workspace.id,
        userId,
        remember: false,
        sessionDays: config.sessionDays,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      });
      setSessionCookie(reply, s);
      return reply.status(201).send({ ok: true });
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { access: 'authenticated' }, schema: { tags: ['auth'], response: { 200: ok } } },
    async (request, reply) => {
      await logout({ db, actor: me(request.actor) });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );

  app.get(
    '/api/v1/auth/session',
    { config: { access: 'authenticated' }, schema: { tags: ['auth'], response: { 200: sessionSchema } } },
    async (request) => sessionView(me(request.actor)),
  );

  app.patch(
    '/api/v1/me',
    { config: { access: 'authenticated' }, schema: { tags: ['users'], body: profilePatch, response: { 200: userSchema } } },
    async (request) => users.updateProfile({ db, actor: me(request.actor), patch: request.body }),
  );

  app.post(
    '/api/v1/me/password',
    {
      config: { access: 'authenticated', rateLimit: authLimit },
      schema: { tags: ['users'], body: passwordChangeBody, response: { 200: ok } },
    },
    async (request) => {
      const actor = me(request.actor);
      if (actor.kind !== 'user') throw new AppError('forbidden');
      await changePassword({ db, actor, ...request.body });
      return { ok: true as const };
    },
  );

  app.get(
    '/api/v1/workspace',
    { config: { access: 'authenticated' }, schema: { tags: ['workspace'], response: { 200: workspaceSchema } } },
    async (request) => users.getWorkspace({ db, actor: me(request.actor) }),
  );
  app.patch(
    '/api/v1/workspace',
    { config: { access: 'workspace.manage' }, schema: { tags: ['workspace'], body: workspacePatch, response: { 200: workspaceSchema } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return users.updateWorkspace({ db, actor: me(request.actor), version, patch });
    },
  );

  app.get(
    '/api/v1/users',
    { config: { access: 'users.read' }, schema: { tags: ['users'], response: { 200: z.object({ data: z.array(userSchema) }) } } },
    async (request) => ({
      data: await users.listUsers({ db, actor: me(request.actor) }),
    }),
  );
  app.get(
    '/api/v1/users/:id',
    { config: { access: 'users.read' }, schema: { tags: ['users'], params: idParams, response: { 200: userSchema } } },
    async (request) => users.getUser({ db, actor: me(request.actor), userId: request.params.id }),
  );
  app.patch(
    '/api/v1/users/:id',
    { config: { access: 'users.manage' }, schema: { tags: ['users'], params: idParams, body: userPatch, response: { 200: userSchema } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return users.updateUser({ db, actor: me(request.actor), userId: request.params.id, version, patch });
    },
  );

  app.get(
    '/api/v1/invitations',
    { config: { access: 'users.manage' }, schema: { tags: ['users'], response: { 200: z.object({ data: z.array(invitationSchema) }) } } },
    async (request) => ({ data: await users.listInvitations({ db, actor: me(request.actor) }) }),
  );
  app.post(
    '/api/v1/invitations',
    {
      config: { access: 'users.manage' },
      schema: { tags: ['users'], body: invitationCreate, response: { 201: z.object({ invitation: invitationSchema, url: z.string() }) } },
    },
    async (request, reply) => {
      const result = await users.inviteUser({ db, actor: me(request.actor), ...request.body, publicUrl: config.publicUrl });
      return reply.status(201).send(result);
    },
  );
  app.delete(
    '/api/v1/invitations/:id',
    { config: { access: 'users.manage' }, schema: { tags: ['users'], params: idParams, response: { 200: ok } } },
    async (request) => {
      await users.revokeInvitation({ db, actor: me(request.actor), invitationId: request.params.id });
      return { ok: true as const };
    },
  );
  app.get(
    '/api/v1/invitations/by-token/:token',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['users'],
        params: z.object({ token: z.string().min(10).max(200) }),
        response: { 200: z.object({ email: z.string(), role: z.string(), workspaceName: z.string() }) },
      },
    },
    async (request) => users.describeInvitation({ db, token: request.params.token }),
  );
  app.post(
    '/api/v1/invitations/accept',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['users'],
        body: invitationAccept,
        response: { 201: z.object({ ok: z.literal(true), status: loginResult.shape.status, challenge: z.string().optional() }) },
      },
    },
    async (request, reply) => {
      const { workspaceId, userId } = await users.acceptInvitation({
        db,
        ...request.body,
        locale: request.body.locale ?? requestLocale(request),
      });
      const challenge = await enrolmentChallengeIfRequired(db, workspaceId, userId);
      if (challenge) return reply.status(201).send({ ok: true, status: 'enrolment_required', challenge });
      const s = await startSession({
        db,
        workspaceId,
        userId,
        remember: false,
        sessionDays: config.sessionDays,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      });
      setSessionCookie(reply, s);
      return reply.status(201).send({ ok: true, status: 'signed_in' });
    },
  );

  app.get(
    '/api/v1/teams',
    { config: { access: 'users.read' }, schema: { tags: ['teams'], response: { 200: z.object({ data: z.array(teamSchema) }) } } },
    async (request) => ({
      data: await users.listTeams({ db, actor: me(request.actor) }),
    }),
  );
  app.post(
    '/api/v1/teams',
    { config: { access: 'teams.manage' }, schema: { tags: ['teams'], body: teamCreate, response: { 201: teamSchema } } },
    async (request, reply) => reply.status(201).send(await users.createTeam({ db, actor: me(request.actor), ...request.body })),
  );
  app.patch(
    '/api/v1/teams/:id',
    { config: { access: 'teams.manage' }, schema: { tags: ['teams'], params: idParams, body: teamPatch, response: { 200: teamSchema } } },
    async (request) => users.updateTeam({ db, actor: me(request.actor), teamId: request.params.id, ...request.body }),
  );
  app.delete(
    '/api/v1/teams/:id',
    { config: { access: 'teams.manage' }, schema: { tags: ['teams'], params: idParams, response: { 200: ok } } },
    async (request) => {
      await users.deleteTeam({ db, actor: me(request.actor), teamId: request.params.id });
      return { ok: true as const };
    },
  );

  app.get(
    '/api/v1/tokens',
    { config: { access: 'tokens.own' }, schema: { tags: ['tokens'], response: { 200: z.object({ data: z.array(apiTokenSchema) }) } } },
    async (request) => ({
      data: await listTokens({ db, actor: me(request.actor) }),
    }),
  );
  app.post(
    '/api/v1/tokens',
    {
      config: { access: 'tokens.own' },
      schema: { tags: ['tokens'], body: apiTokenCreate, response: { 201: z.object({ token: z.string(), apiToken: apiTokenSchema }) } },
    },
    async (request, reply) => reply.status(201).send(await createToken({ db, actor: me(request.actor), ...request.body })),
  );
  app.delete(
    '/api/v1/tokens/:id',
    { config: { access: 'tokens.own' }, schema: { tags: ['tokens'], params: idParams, response: { 200: ok } } },
    async (request) => {
      await revokeToken({ db, actor: me(request.actor), tokenId: request.params.id });
      return { ok: true as const };
    },
  );
}
