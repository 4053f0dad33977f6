import nodemailer from 'nodemailer';
import { assertPublicHost, serverName } from './net-guard.js';

/** How the connection to an SMTP server is secured: none (plain, e.g. a local relay), STARTTLS, or TLS from the start. */
export type SmtpSecurity = 'none' | 'starttls' | 'tls';

export interface SmtpSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  user?: string | null;
  password?: string | null;
}

/**
 * A nodemailer transport for one SMTP server, with timeouts short enough for a request to wait on. The host is
 * checked by the network guard first (NetGuardError when it is internal and not in `allowPrivateHosts`); the
 * transport connects to the checked address, never resolving the name again, and verifies TLS for the name.
 */
export async function openSmtpTransport(s: SmtpSettings, allowPrivateHosts: readonly string[]) {
  const [address] = await assertPublicHost(s.host, allowPrivateHosts);
  return nodemailer.createTransport({
    host: address,
    servername: serverName(s.host),
    port: s.port,
    secure: s.security === 'tls',
    requireTLS: s.security === 'starttls',
    ignoreTLS: s.security === 'none',
    auth: s.user ? { user: s.user, pass: s.password ?? '' } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
}

export type SmtpTransport = Awaited<ReturnType<typeof openSmtpTransport>>;

/**
 * Why a send failed, from a fixed set: what an administrator needs to fix the settings, and nothing the remote
 * service said (its banner or answer text would let the settings probe what listens on a port).
 */
export type SmtpFailureKind = 'connection_failed' | 'timeout' | 'tls_failed' | 'auth_failed' | 'rejected' | 'protocol';

const TIMEOUTS = new Set(['ETIMEDOUT', 'ETIMEOUT', 'SOCKET_TIMEOUT', 'CONNECTION_TIMEOUT', 'GREETING_TIMEOUT']);
const TLS_CODE = /^(ETLS|ERR_SSL|ERR_TLS|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL|EPROTO$)/;

/** Classify a nodemailer error (its `code` is the phase, `originalCode` the system error) and keep only the SMTP reply code. */
export function smtpFailure(err: unknown): { kind: SmtpFailureKind; smtpCode: number | null } {
  const e = (err ?? {}) as { code?: string; originalCode?: string; responseCode?: number };
  const smtpCode = typeof e.responseCode === 'number' && e.responseCode >= 200 && e.responseCode < 600 ? e.responseCode : null;
  const codes = [e.code ?? '', e.originalCode ?? ''];
  let kind: SmtpFailureKind;
  if (codes.includes('EAUTH') || codes.includes('ENOAUTH')) kind = 'auth_failed';
  else if (codes.some((c) => TIMEOUTS.has(c))) kind = 'timeout';
  else if (codes.some((c) => TLS_CODE.test(c))) kind = 'tls_failed';
  else if (smtpCode !== null || codes.includes('EENVELOPE') || codes.includes('EMESSAGE')) kind = 'rejected';
  else if (codes.includes('EPROTOCOL')) kind = 'protocol';
  else kind = 'connection_failed';
  return { kind, smtpCode };
}
