import type { FastifyReply, FastifyRequest } from 'fastify';
import { can, type Permission, scopeFor } from '../../../shared/permissions.js';
import type { Actor } from '../actor.js';
import { AppError } from './errors.js';

export const SESSION_COOKIE = 'crm_session';
export const CSRF_HEADER = 'x-csrf-token';

/** `public`: anyone; `authenticated`: any signed-in user or token; else a permission from the shared table. */
export type RouteAccess = 'public' | 'authenticated' | Permission;

/** Resolves credentials to an actor; provided by the accounts module so the platform knows no module. */
export interface Authenticator {
  fromSessionToken(token: string, request: FastifyRequest): Promise<Actor | null>;
  fromApiToken(token: string, request: FastifyRequest): Promise<Actor | null>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function makeAuthHooks(authenticator: Authenticator) {
  async function authenticate(request: FastifyRequest): Promise<void> {
    request.actor = null;
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      request.actor = await authenticator.fromApiToken(header.slice(7).trim(), request);
      if (!request.actor) throw new AppError('unauthenticated');
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (token) request.actor = await authenticator.fromSessionToken(token, request);
  }

  /** Runs on every API route after authentication: enforces the route's declared access. */
  async function authorize(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const access = request.routeOptions.config.access;
    if (access === 'public' || request.is404) return;
    const actor = request.actor;
    if (!actor) throw new AppError('unauthenticated');
    // Cookie-authenticated writes must carry the session's CSRF token (API tokens are not ambient credentials).
    if (actor.kind === 'user' && !SAFE_METHODS.has(request.method)) {
      if (request.headers[CSRF_HEADER] !== actor.csrfToken) throw new AppError('csrf_failed');
    }
    if (access === 'authenticated' || access === undefined) {
      if (actor.kind === 'token' && !SAFE_METHODS.has(request.method) && !actor.scopes?.includes('write'))
        throw new AppError('insufficient_scope', { required: 'write' });
      return;
    }
    if (!can(actor.role, access)) throw new AppError('forbidden', { permission: access });
    if (actor.kind === 'token') {
      const scope = scopeFor(access);
      if (!actor.scopes?.includes(scope)) throw new AppError('insufficient_scope', { required: scope });
    }
  }

  return { authenticate, authorize };
}
