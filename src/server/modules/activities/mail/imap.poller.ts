import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { ImapError, ImapPollResult } from '../../../../shared/contracts/mail.js';
import type { Config } from '../../../platform/config.js';
import { decryptSecret, secretKey } from '../../../platform/crypto.js';
import { InboundRejection } from '../../../platform/mail-receiver.js';
import type { ActivitiesDb } from '../activities.db.js';
import { type ImapAccount, ImapFailure, messageSize, messageSource, safeImapDetail, uidsAfter, withMailbox } from './imap.client.js';
import { receiveMessage } from './inbound-mail.js';
import { findSettings, type ImapMailboxKey, type MailSettingsRow, saveImapOutcome, saveImapProgress } from './mail.repository.js';

/** A poll takes at most this many messages; a large mailbox catches up over several polls. */
export const IMAP_BATCH = 200;

export type PollDeps = {
  db: ActivitiesDb;
  config: Pick<Config, 'attachments' | 'secretKey' | 'dataDir' | 'mailInbound' | 'mailAllowPrivateHosts'>;
  log?: FastifyBaseLogger;
};

/** Host, user and password saved: enough to connect. */
export function imapConfigured(
  r: MailSettingsRow | undefined,
): r is MailSettingsRow & { imap_host: string; imap_user: string; imap_password_enc: string } {
  return Boolean(r?.imap_host && r.imap_user && r.imap_password_enc);
}

export function imapAccount(
  r: MailSettingsRow & { imap_host: string; imap_user: string; imap_password_enc: string },
  config: Pick<Config, 'secretKey' | 'dataDir' | 'mailAllowPrivateHosts'>,
): ImapAccount {
  return {
    host: r.imap_host,
    port: r.imap_port ?? (r.imap_tls ? 993 : 143),
    tls: r.imap_tls,
    user: r.imap_user,
    password: decryptSecret(secretKey(config), r.imap_password_enc),
    mailbox: r.imap_mailbox,
    allowPrivateHosts: config.mailAllowPrivateHosts,
  };
}

/**
 * imap_last_error holds `{ kind, detail }` as JSON; anything else (older text) shows as a protocol error. A detail
 * saved by an older version may hold the server's answer: only an error code is shown.
 */
export function parseImapError(stored: string | null): ImapError | null {
  if (!stored) return null;
  try {
    const v = JSON.parse(stored) as ImapError;
    if (v && typeof v.kind === 'string') return { kind: v.kind, detail: safeImapDetail(v.detail) };
  } catch {
    // not JSON
  }
  return { kind: 'protocol', detail: null };
}

const empty = (status: ImapPollResult['status'], error: ImapError | null = null): ImapPollResult => ({
  status,
  fetched: 0,
  stored: 0,
  duplicates: 0,
  skipped: 0,
  more: false,
  error,
});

/**
 * One poll of a workspace's mailbox, under a PostgreSQL advisory lock so that only one app instance (or
 * request) polls it at a time. `waitMs` > 0 waits that long for a running poll to finish (poll now);
 * otherwise a busy mailbox is left to the poll already running. `requireEnabled` is the scheduled case.
 */
export async function pollWorkspaceMailbox(
  deps: PollDeps,
  options: { workspaceId: string; requireEnabled: boolean; limit?: number; waitMs?: number },
): Promise<ImapPollResult> {
  const key = `crm.mail.imap:${options.workspaceId}`;
  return deps.db.connection().execute(async (conn) => {
    const until = Date.now() + (options.waitMs ?? 0);
    for (;;) {
      const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(hashtextextended(${key}, 0)) AS ok`.execute(conn);
      if (rows[0]?.ok) break;
      if (Date.now() >= until) return empty('busy');
      await new Promise((r) => setTimeout(r, 200));
    }
    try {
      return await pollLocked(deps, options);
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtextextended(${key}, 0))`.execute(conn);
    }
  });
}

async function pollLocked(deps: PollDeps, options: { workspaceId: string; requireEnabled: boolean; limit?: number }) {
  const { db, config } = deps;
  const { workspaceId } = options;
  const row = await findSettings(db, workspaceId);
  if (!imapConfigured(row) || (options.requireEnabled && !row.imap_enabled)) return empty('polled');
  const account = imapAccount(row, config);
  const mailboxKey: ImapMailboxKey = { host: account.host, user: account.user, mailbox: account.mailbox };
  const polledAt = new Date();
  const result = empty('polled');
  try {
    await withMailbox(account, async (client, uidValidity) => {
      // A new UIDVALIDITY means the old UIDs mean nothing: start again from the first message (Message-ID dedup
      // keeps what is already stored from being stored twice).
      const sameMailbox = row.imap_uid_validity !== null && String(row.imap_uid_validity) === uidValidity;
      const lastUid = sameMailbox ? Number(row.imap_last_uid ?? 0) : 0;
      if (!sameMailbox) await saveImapProgress(db, workspaceId, mailboxKey, uidValidity, 0);
      const uids = await uidsAfter(client, lastUid);
      const batch = uids.slice(0, options.limit ?? IMAP_BATCH);
      result.more = uids.length > batch.length;
      for (const uid of batch) {
        const outcome = await takeMessage(deps, client, workspaceId, uid, (trx) =>
          saveImapProgress(trx, workspaceId, mailboxKey, uidValidity, uid),
        );
        result[outcome] += 1;
        if (outcome !== 'stored') await saveImapProgress(db, workspaceId, mailboxKey, uidValidity, uid);
        result.fetched += 1;
      }
    });
    await saveImapOutcome(db, workspaceId, polledAt, null);
    return result;
  } catch (err) {
    if (!(err instanceof ImapFailure)) {
      // The database or a bug: the progress saved so far stands; the next poll goes on from there.
      deps.log?.error({ module: 'mail', workspaceId, err }, 'IMAP poll failed');
      await saveImapOutcome(db, workspaceId, polledAt, JSON.stringify({ kind: 'internal', detail: null })).catch(() => {});
      return { ...result, status: 'failed' as const, error: { kind: 'internal' as const, detail: null } };
    }
    // No secrets and no personal data in the log: the kind only.
    deps.log?.warn({ module: 'mail', workspaceId, kind: err.kind }, 'IMAP poll failed');
    const error: ImapError = { kind: err.kind, detail: err.detail };
    await saveImapOutcome(db, workspaceId, polledAt, JSON.stringify(error));
    return { ...result, status: 'failed' as const, error };
  }
}

/** One message into the same ingestion as the SMTP receiver; a message the receiver would refuse is skipped. */
async function takeMessage(
  deps: PollDeps,
  client: Parameters<Parameters<typeof withMailbox>[1]>[0],
  workspaceId: string,
  uid: number,
  onStored: NonNullable<Parameters<typeof receiveMessage>[1]['onStored']>,
): Promise<'stored' | 'duplicates' | 'skipped'> {
  const size = await messageSize(client, uid);
  if (size === undefined || size > deps.config.mailInbound.maxBytes) return 'skipped';
  const raw = await messageSource(client, uid);
  if (!raw) return 'skipped';
  try {
    const r = await receiveMessage(deps, { workspaceId, raw, source: 'imap', onStored });
    return r.status === 'stored' ? 'stored' : 'duplicates';
  } catch (err) {
    if (err instanceof InboundRejection) {
      deps.log?.info({ module: 'mail', workspaceId, uid, code: err.responseCode }, 'IMAP message refused by ingestion; skipped');
      return 'skipped';
    }
    throw err;
  }
}
