import { isIP } from 'node:net';
import path from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { allowListProblems } from './net-guard.js';

const portSchema = z.coerce.number().int().min(0).max(65535);

const configSchema = z.object({
  PORT: portSchema.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(20),
  SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  WORKERS: z.enum(['on', 'off']).default('on'),
  AUTH_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(20),
  TRUST_PROXY: z
    .string()
    .refine(validTrustProxy, 'a hop count (1, 2, ...) or comma-separated proxy addresses/CIDRs (10.0.0.1, 10.0.0.0/8, loopback)')
    .optional(),
  SECRET_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)')
    .optional(),
  MAIL_INBOUND_PORT: portSchema.optional(),
  MAIL_INBOUND_HOST: z.string().min(1).default('127.0.0.1'),
  /** The domain after the @ of the BCC / forwarding addresses: one whose MX reaches the receiver (or a relay to it). */
  MAIL_INBOUND_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .refine(isMailDomain, 'a mail domain such as crm.example.jp (no scheme, port, path or IP address)')
    .optional(),
  MAIL_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(200 * 1024 * 1024)
    .default(25 * 1024 * 1024),
  /** Internal mail servers (SMTP/IMAP) that may be connected to: IP addresses, CIDR ranges, host names, comma-separated. */
  MAIL_ALLOW_PRIVATE_HOSTS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .refine((entries) => allowListProblems(entries).length === 0, {
      error: (issue) => `not an IP address, CIDR range or host name: ${allowListProblems(issue.input as string[]).join(', ')}`,
    })
    .default([]),
  /** Where attachment contents go: PostgreSQL (any instance serves any file, backups hold them) or ATTACHMENTS_DIR. */
  ATTACHMENTS_STORAGE: z.enum(['database', 'disk']).default('database'),
  ATTACHMENTS_DIR: z.string().min(1).optional(),
  ATTACHMENT_MAX_MB: z.coerce.number().min(0.001).max(2048).default(25),
  /** Largest customer import upload (CSV/XLSX/vCard), in MB. */
  IMPORT_MAX_MB: z.coerce.number().int().min(1).max(100_000).default(512),
  /** File name extensions never accepted as attachments (comma-separated, without dots). */
  ATTACHMENT_BLOCKED_EXTENSIONS: z
    .string()
    .default('exe,com,bat,cmd,scr,pif,msi,msp,ps1,vbs,vbe,js,jse,wsf,wsh,hta,jar,lnk,reg,dll,cpl,sys'),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  publicUrl: string;
  logLevel: string;
  dbPoolSize: number;
  sessionDays: number;
  workers: boolean;
  /** Sign-in and sign-up requests per minute per IP address. */
  authRateLimit: number;
  /**
   * Which proxies may set X-Forwarded-For (Fastify's trustProxy): false (the default: the client is the
   * socket's address), a hop count, or the proxies' addresses/CIDRs. Trusting every sender would let a
   * client pick its own address per request and slip past the per-address sign-in limits.
   */
  trustProxy: false | string[] | TrustHops;
  secureCookies: boolean;
  /** Key for secrets at rest (SMTP/IMAP passwords); unset: a key file in DATA_DIR. */
  secretKey?: string;
  /**
   * Built-in SMTP receiver for inbound mail; off when the port is unset. `domain` is the part after the @ of the
   * BCC / forwarding addresses: MAIL_INBOUND_DOMAIN, else PUBLIC_URL's host when it is a domain name, else null
   * (an IP address or localhost is no address anyone can mail to: the settings screen asks for the domain instead).
   */
  mailInbound: { port?: number; host: string; maxBytes: number; domain: string | null };
  /**
   * SMTP and IMAP servers on loopback, private, link-local or other internal addresses are refused (the app must
   * not probe its own network); these entries (addresses, CIDR ranges, host names) allow an on-premise server.
   */
  mailAllowPrivateHosts: string[];
  /**
   * Files attached to activities and emails: where new contents go ('database' by default; 'disk' keeps them in `dir`),
   * the folder (default DATA_DIR/attachments; with 'database', files an earlier version left there are moved in at start),
   * size limit, blocked extensions.
   */
  attachments: { storage: 'database' | 'disk'; dir: string; maxBytes: number; blockedExtensions: string[] };
  /** Customer imports: the largest upload accepted. */
  imports: { maxBytes: number };
};

export class ConfigError extends Error {}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function validTrustProxy(v: string): boolean {
  if (/^(false|off|\d+)$/i.test(v.trim())) return true;
  return v.split(',').every((part) => {
    const p = part.trim().toLowerCase();
    if (PROXY_NAMES.has(p)) return true;
    const [addr = '', bits, ...rest] = p.split('/');
    const family = isIP(addr);
    if (!family || rest.length) return false;
    if (bits === undefined) return true;
    const n = Number(bits);
    return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
  });
}

/** A name mail can be addressed to: dot-separated labels ending in a letters-only top-level label, not an IP address. */
export function isMailDomain(v: string): boolean {
  return isIP(v) === 0 && /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(v);
}

function inboundDomain(configured: string | undefined, publicUrl: string | undefined): string | null {
  if (configured) return configured;
  const host = publicUrl ? new URL(publicUrl).hostname.toLowerCase() : '';
  return isMailDomain(host) ? host : null;
}

/** A hop count as Fastify's trust function (its typings take no number): the nearest `hops` proxies are believed. */
export type TrustHops = ((address: string, hop: number) => boolean) & { hops: number };

function parseTrustProxy(v: string | undefined): Config['trustProxy'] {
  const s = v?.trim().toLowerCase();
  if (!s || s === 'false' || s === 'off' || s === '0') return false;
  if (/^\d+$/.test(s)) {
    const hops = Number(s);
    return Object.assign((_address: string, hop: number) => hop < hops, { hops });
  }
  return s.split(',').map((p) => p.trim());
}

/** Read configuration once from the environment (and an optional .env), validate it, fail with every bad value named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  if (env === process.env) loadDotenv({ path: path.join(cwd, '.env'), quiet: true });
  // An empty variable counts as unset (VAR= in a .env file or a shell).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const publicUrl = c.PUBLIC_URL ?? `http://${c.HOST === '0.0.0.0' ? 'localhost' : c.HOST}:${c.PORT}`;
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: path.resolve(cwd, c.DATA_DIR),
    databaseUrl: c.DATABASE_URL,
    publicUrl: publicUrl.replace(/\/$/, ''),
    logLevel: c.LOG_LEVEL,
    dbPoolSize: c.DB_POOL_SIZE,
    sessionDays: c.SESSION_DAYS,
    workers: c.WORKERS === 'on',
    authRateLimit: c.AUTH_RATE_LIMIT,
    trustProxy: parseTrustProxy(c.TRUST_PROXY),
    secureCookies: publicUrl.startsWith('https://'),
    secretKey: c.SECRET_KEY,
    mailInbound: {
      port: c.MAIL_INBOUND_PORT,
      host: c.MAIL_INBOUND_HOST,
      maxBytes: c.MAIL_MAX_BYTES,
      domain: inboundDomain(c.MAIL_INBOUND_DOMAIN, c.PUBLIC_URL),
    },
    mailAllowPrivateHosts: c.MAIL_ALLOW_PRIVATE_HOSTS,
    attachments: {
      storage: c.ATTACHMENTS_STORAGE,
      dir: path.resolve(cwd, c.ATTACHMENTS_DIR ?? path.join(c.DATA_DIR, 'attachments')),
      maxBytes: Math.round(c.ATTACHMENT_MAX_MB * 1024 * 1024),
      blockedExtensions: c.ATTACHMENT_BLOCKED_EXTENSIONS.split(',')
        .map((e) => e.trim().toLowerCase().replace(/^\./, ''))
        .filter(Boolean),
    },
    imports: { maxBytes: c.IMPORT_MAX_MB * 1024 * 1024 },
  };
}

/** The configuration with secrets masked, for `crm config`. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    secretKey: config.secretKey ? '***' : '(key file in DATA_DIR)',
    trustProxy: typeof config.trustProxy === 'function' ? `${config.trustProxy.hops} hop(s)` : config.trustProxy,
    databaseUrl: config.databaseUrl ? config.databaseUrl.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@') : '(embedded)',
  };
}
