import fs from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import helmet from 'helmet';
import { z } from 'zod';
import { type ErrorCode, errorCodes, errorMessage } from '../../../shared/errors.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { classifyDbError } from '../db/db-errors.js';
import type { EventBus } from '../events/bus.js';
import type { MailReceiver } from '../mail-receiver.js';
import type { RealtimeHub } from '../realtime.js';
import { type Authenticator, makeAuthHooks, type RouteAccess } from './auth.js';
import { AppError } from './errors.js';
import { badTextIn } from './input-guard.js';
import { requestLocale } from './locale.js';

/** The server as modules see it: Node's HTTP server, zod schemas as the route types. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface ModuleDeps {
  config: Config;
  database: Database;
  bus: EventBus;
  realtime: RealtimeHub;
  /** The built-in inbound SMTP receiver (started by the server when MAIL_INBOUND_PORT is set). */
  mailReceiver?: MailReceiver;
}

/** One API route as declared: what the access matrix test walks (every route, every principal). */
export interface ApiRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

declare module 'fastify' {
  interface FastifyInstance {
    apiRoutes: readonly ApiRoute[];
  }
}

export type ModulePlugin = (app: App, deps: ModuleDeps) => Promise<void> | void;

export interface BuildAppOptions extends ModuleDeps {
  authenticator: Authenticator;
  modules: ModulePlugin[];
  webDir?: string;
  logger?: boolean | object;
}

const BODY_LIMIT = 1024 * 1024;

/** Malformed URLs and over-long path parameters answer in the API's error format, not Fastify's. */
const frameworkErrors: FastifyServerOptions['frameworkErrors'] = (err, request, reply) => {
  const code: ErrorCode = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'uri_too_long' : 'bad_request';
  const message = errorMessage(code, requestLocale(request as FastifyRequest));
  return (reply as FastifyReply).status(errorCodes[code].status).send({ error: { code, message } });
};

/** Errors before a request exists (headers too large, a broken request line): the same format, written to the socket. */
const clientErrorHandler: FastifyServerOptions['clientErrorHandler'] = (err: NodeJS.ErrnoException, socket) => {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const code: ErrorCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : 'bad_request';
  const status = errorCodes[code].status;
  // No request, so no Accept-Language: Japanese first, English beside it.
  const body = JSON.stringify({ error: { code, message: `${errorMessage(code, 'ja')} / ${errorMessage(code, 'en')}` } });
  const reason = code === 'headers_too_large' ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
};

export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { config } = options;
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    bodyLimit: BODY_LIMIT,
    frameworkErrors,
    clientErrorHandler,
    trustProxy: config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('actor', null);

  // Every API route must say who may call it: a forgotten declaration fails at start, not in production.
  const apiRoutes: ApiRoute[] = [];
  app.decorate('apiRoutes', apiRoutes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1') || route.method === 'HEAD') return;
    const access = route.config?.access;
    if (!access) throw new Error(`Route ${route.method} ${route.url} declares no access`);
    for (const method of [route.method].flat()) if (method !== 'HEAD') apiRoutes.push({ method, url: route.url, access });
  });

  await app.register(fastifyCookie);
  // Security headers: helmet's middleware built once (the Fastify plugin rebuilds it on every request).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: config.secureCookies,
  });
  app.addHook('onRequest', (request, reply, done) => {
    // Swagger UI sends its own CSP for its pages.
    if (request.url.startsWith('/api/docs')) return done();
    securityHeaders(request.raw, reply.raw, done as (err?: unknown) => void);
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifySwagger, {
    openapi: {
      // 3.1: JSON Schema as zod emits it (type "null" in unions, e.g. a filter value), valid for validators and generators.
      openapi: '3.1.0',
      info: { title: 'CRM API', version: '1', description: 'REST API of the CRM. Authenticate with `Authorization: Bearer <API token>`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    // Schemas with an id (the recursive filter) become components/schemas, which the routes' $refs point at.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const { authenticate, authorize } = makeAuthHooks(options.authenticator);
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/api/v1')) await authenticate(request);
  });
  app.addHook('preValidation', async (request, reply) => {
    if (request.url.startsWith('/api/v1')) await authorize(request, reply);
  });
  // Text PostgreSQL cannot store (NUL, unpaired surrogates) is refused here, once for every route, before its schema.
  app.addHook('preValidation', async (request) => {
    const bad = badTextIn(request);
    if (bad) throw new AppError('invalid_text', bad);
  });

  // Server time of every API response, for browsers' devtools and the benchmarks (budgets are server time).
  const started = new WeakMap<object, bigint>();
  app.addHook('onRequest', async (request) => {
    started.set(request, process.hrtime.bigint());
  });
  app.addHook('onSend', async (request, reply) => {
    const t0 = started.get(request);
    if (t0 !== undefined && request.url.startsWith('/api/')) {
      reply.header('server-timing', `app;dur=${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(2)}`);
    }
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const locale = requestLocale(request);
    // Errors are JSON even when the route had already set another type (a download that failed before its first byte).
    const send = (code: ErrorCode, details?: unknown, status?: number) =>
      reply
        .status(status ?? errorCodes[code].status)
        .type('application/json; charset=utf-8')
        .send({ error: { code, message: errorMessage(code, locale), details } });
    if (err instanceof AppError) return send(err.code, err.details);
    if (hasZodFastifySchemaValidationErrors(err)) return send('validation_failed', { issues: localisedIssues(request, err, locale) });
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send('payload_too_large');
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return send('unsupported_media_type');
    if (err.statusCode === 429) return send('rate_limited');
    const dbCode = classifyDbError(err);
    if (dbCode) {
      request.log.warn({ err }, 'database error mapped to %s', dbCode);
      if (dbCode === 'unavailable') reply.header('retry-after', '2');
      return send(dbCode, dbCode === 'validation_failed' ? { reason: 'rejected_by_database' } : undefined);
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return send('bad_request', { reason: err.code ?? err.message }, err.statusCode);
    }
    request.log.error({ err }, 'unhandled error');
    return send('internal');
  });

  for (const register of options.modules) {
    await app.register(async (scope) => {
      await register(scope as unknown as App, options);
    });
  }

  const webDir = options.webDir;
  const indexHtml = webDir ? path.join(webDir, 'index.html') : null;
  if (webDir && indexHtml && fs.existsSync(indexHtml)) {
    // Hashed file names: cached for a year. The build wrote .br/.gz beside each text asset (scripts/precompress.ts);
    // a browser that accepts one gets it, so nothing is compressed per request. Vary tells caches the answer
    // depends on Accept-Encoding (the plugin does not say so itself).
    await app.register(fastifyStatic, {
      root: webDir,
      wildcard: false,
      index: false,
      maxAge: '1y',
      immutable: true,
      preCompressed: true,
      setHeaders: (res) => res.setHeader('vary', 'Accept-Encoding'),
    });
    const html = fs.readFileSync(indexHtml, 'utf8');
    app.get('/', { schema: { hide: true } }, (_req, reply) => reply.type('text/html').header('cache-control', 'no-cache').send(html));
    app.setNotFoundHandler((request, reply) => {
      if (request.method === 'GET' && !request.url.startsWith('/api/') && !path.extname(request.url.split('?')[0] ?? '')) {
        return reply.type('text/html').header('cache-control', 'no-cache').send(html);
      }
      return notFound(request, reply);
    });
  } else {
    app.setNotFoundHandler(notFound);
  }
  return app as App;
}

function notFound(request: FastifyRequest, reply: import('fastify').FastifyReply) {
  const locale = requestLocale(request);
  return reply.status(404).send({ error: { code: 'not_found', message: errorMessage('not_found', locale) } });
}

/** Re-run the failed schema with the caller's locale so each field's message is in their language. */
function localisedIssues(request: FastifyRequest, err: FastifyError, locale: 'ja' | 'en') {
  const context = (err as { validationContext?: string }).validationContext ?? 'body';
  const key = context === 'querystring' ? 'querystring' : context;
  const schema = (request.routeOptions.schema as Record<string, unknown> | undefined)?.[key] as z.ZodType | undefined;
  const input =
    key === 'querystring' ? request.query : key === 'params' ? request.params : key === 'headers' ? request.headers : request.body;
  if (schema && typeof (schema as z.ZodType).safeParse === 'function') {
    const result = schema.safeParse(input, { error: z.locales[locale]().localeError });
    if (!result.success) {
      return result.error.issues.map((i) => ({ in: key, path: i.path.map(String).join('.'), code: i.code, message: i.message }));
    }
  }
  return [{ in: key, path: '', code: 'invalid', message: errorMessage('validation_failed', locale) }];
}
