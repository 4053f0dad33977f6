import { ImapFlow } from 'imapflow';
import type { ImapErrorKind } from '../../../../shared/contracts/mail.js';
import { assertPublicHost, NetGuardError, serverName } from '../../../platform/net-guard.js';

/** What is needed to open one mailbox (the password already decrypted). */
export interface ImapAccount {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  password: string;
  mailbox: string;
  /** MAIL_ALLOW_PRIVATE_HOSTS: internal hosts that may be connected to. */
  allowPrivateHosts: readonly string[];
}

/**
 * A connection, login or mailbox problem, classified for the administrator. `detail` is at most an error code of
 * the client or the system (ECONNREFUSED, ERR_TLS_CERT_ALTNAME_INVALID), never the server's words: those would
 * let the settings read the banner of whatever listens on a port.
 */
export class ImapFailure extends Error {
  constructor(
    readonly kind: ImapErrorKind,
    readonly detail: string | null,
  ) {
    super(`imap ${kind}`);
    this.name = 'ImapFailure';
  }
}

type ImapError = Error & {
  code?: string;
  authenticationFailed?: boolean;
  responseStatus?: string;
  responseText?: string;
};

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'NoConnection',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

/** An error code as the client library or Node sets it (a constant), or null: anything else may be the server's text. */
export function safeImapDetail(code: unknown): string | null {
  return typeof code === 'string' && /^[A-Za-z][A-Za-z0-9_]{1,39}$/.test(code) ? code : null;
}

export function classifyImapError(err: unknown, phase: 'connect' | 'mailbox' | 'fetch'): ImapFailure {
  if (err instanceof ImapFailure) return err;
  const e = (err instanceof Error ? err : new Error(String(err))) as ImapError;
  const detail = safeImapDetail(e.code);
  const code = e.code ?? '';
  if (e.authenticationFailed) return new ImapFailure('auth_failed', detail);
  if (TIMEOUT_CODES.has(code)) return new ImapFailure('timeout', detail);
  if (CONNECT_CODES.has(code)) return new ImapFailure('connection_failed', detail);
  if (/^(ERR_SSL|ERR_TLS|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code)) return new ImapFailure('tls_failed', detail);
  if (phase === 'mailbox' && (e.responseStatus === 'NO' || e.responseStatus === 'BAD')) return new ImapFailure('mailbox_not_found', detail);
  if (phase === 'connect' && !e.responseStatus) return new ImapFailure('connection_failed', detail);
  return new ImapFailure('protocol', detail);
}

/** The address to connect to, checked by the network guard (an internal host is refused before any connection). */
async function checkedAddress(account: ImapAccount): Promise<string> {
  try {
    const [address] = await assertPublicHost(account.host, account.allowPrivateHosts);
    return address as string;
  } catch (err) {
    if (!(err instanceof NetGuardError)) throw err;
    throw err.kind === 'host_not_allowed' ? new ImapFailure('host_not_allowed', null) : new ImapFailure('connection_failed', 'ENOTFOUND');
  }
}

/**
 * Open the account's mailbox read-only (EXAMINE: nothing is flagged, moved or deleted), run `work`, log out.
 * Every failure becomes an ImapFailure; the client's socket errors never reach the process. The connection goes
 * to the address the guard checked (the name is not resolved again); TLS presents and verifies the host name.
 */
export async function withMailbox<T>(account: ImapAccount, work: (client: ImapFlow, uidValidity: string) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host: await checkedAddress(account),
    servername: serverName(account.host),
    port: account.port,
    secure: account.tls,
    auth: { user: account.user, pass: account.password },
    logger: false,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 120_000,
    disableAutoIdle: true,
  });
  client.on('error', () => {
    // An 'error' event without a listener would crash the process; the awaited call fails with it anyway.
  });
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw classifyImapError(err, 'connect');
  }
  try {
    let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>>;
    try {
      lock = await client.getMailboxLock(account.mailbox, { readOnly: true });
    } catch (err) {
      throw classifyImapError(err, 'mailbox');
    }
    try {
      const mailbox = client.mailbox;
      if (!mailbox) throw new ImapFailure('mailbox_not_found', null);
      return await work(client, String(mailbox.uidValidity));
    } catch (err) {
      // Errors of our own (the database, ingestion) pass through; only the IMAP side is classified.
      if (err instanceof ImapFailure || isImapSideError(err)) throw classifyImapError(err, 'fetch');
      throw err;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

function isImapSideError(err: unknown): boolean {
  const e = err as ImapError;
  return Boolean(e && (e.responseStatus || (e.code && (CONNECT_CODES.has(e.code) || TIMEOUT_CODES.has(e.code)))));
}

/** UIDs above `afterUid` in ascending order. `n:*` always names the highest message, so it is filtered out here. */
export async function uidsAfter(client: ImapFlow, afterUid: number): Promise<number[]> {
  const found = await client.search({ uid: `${afterUid + 1}:*` }, { uid: true });
  return (found || []).filter((uid) => uid > afterUid).sort((a, b) => a - b);
}

/** One message's size (to refuse an oversized one before downloading it), or undefined once it is gone. */
export async function messageSize(client: ImapFlow, uid: number): Promise<number | undefined> {
  const m = await client.fetchOne(String(uid), { uid: true, size: true }, { uid: true });
  return m ? (m.size ?? 0) : undefined;
}

export async function messageSource(client: ImapFlow, uid: number): Promise<Buffer | undefined> {
  const m = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
  return m ? m.source : undefined;
}
