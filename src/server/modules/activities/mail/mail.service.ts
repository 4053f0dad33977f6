import type { ImapTestResult, MailSettings, MailSettingsPatch } from '../../../../shared/contracts/mail.js';
import type { ErrorCode } from '../../../../shared/errors.js';
import type { Actor } from '../../../platform/actor.js';
import type { Config } from '../../../platform/config.js';
import { encryptSecret, secretKey } from '../../../platform/crypto.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import type { ActivitiesDb } from '../activities.db.js';
import { ImapFailure, withMailbox } from './imap.client.js';
import { IMAP_BATCH, imapAccount, imapConfigured, type PollDeps, parseImapError, pollWorkspaceMailbox } from './imap.poller.js';
import { ensureSettings, type MailSettingsRow, type MailSettingsSet, newInboundToken, updateSettings } from './mail.repository.js';
import { sendWithSettings, smtpConfigured } from './outgoing-mail.js';

type MailConfig = Pick<Config, 'secretKey' | 'dataDir' | 'publicUrl' | 'mailInbound' | 'mailAllowPrivateHosts'>;

export function presentSettings(r: MailSettingsRow, config: MailConfig, receiverRunning: boolean): MailSettings {
  return {
    smtp: {
      configured: smtpConfigured(r),
      host: r.smtp_host,
      port: r.smtp_port,
      security: r.smtp_security,
      user: r.smtp_user,
      hasPassword: Boolean(r.smtp_password_enc),
      fromAddress: r.from_address,
      fromName: r.from_name,
    },
    inbound: {
      address: config.mailInbound.domain ? `${r.inbound_token}@${config.mailInbound.domain}` : null,
      token: r.inbound_token,
      receiverRunning,
    },
    imap: {
      enabled: r.imap_enabled,
      configured: imapConfigured(r),
      host: r.imap_host,
      port: r.imap_port,
      tls: r.imap_tls,
      user: r.imap_user,
      hasPassword: Boolean(r.imap_password_enc),
      mailbox: r.imap_mailbox,
      lastPolledAt: r.imap_last_polled_at ? new Date(r.imap_last_polled_at).toISOString() : null,
      lastError: parseImapError(r.imap_last_error),
      lastUid: r.imap_last_uid === null ? null : Number(r.imap_last_uid),
    },
    version: r.version,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export async function getMailSettings(options: { db: ActivitiesDb; actor: Actor; config: MailConfig; receiverRunning: boolean }) {
  const row = await options.db.transaction().execute((trx) => ensureSettings(trx, options.actor.workspaceId, options.actor.userId));
  return presentSettings(row, options.config, options.receiverRunning);
}

/** SMTP, the inbound address and the IMAP mailbox. Secrets are encrypted before they reach the row; the audit trail records only that they changed. */
export async function updateMailSettings(options: {
  db: ActivitiesDb;
  actor: Actor;
  config: MailConfig;
  patch: MailSettingsPatch;
  receiverRunning: boolean;
}) {
  const { db, actor, config, patch } = options;
  return db.transaction().execute(async (trx) => {
    const current = await ensureSettings(trx, actor.workspaceId, actor.userId);
    if (current.version !== patch.version) {
      throw new AppError('conflict', { current: presentSettings(current, config, options.receiverRunning) });
    }
    const values: MailSettingsSet = {};
    const s = patch.smtp;
    if (s) {
      if (s.host !== undefined) values.smtp_host = s.host;
      if (s.port !== undefined) values.smtp_port = s.port;
      if (s.security !== undefined) values.smtp_security = s.security;
      if (s.user !== undefined) values.smtp_user = s.user || null;
      if (s.password !== undefined) values.smtp_password_enc = s.password ? encryptSecret(secretKey(config), s.password) : null;
      if (s.fromAddress !== undefined) values.from_address = s.fromAddress;
      if (s.fromName !== undefined) values.from_name = s.fromName || null;
    }
    Object.assign(values, imapValues(current, patch.imap, config));
    if (patch.regenerateInboundToken) values.inbound_token = newInboundToken();
    const row = await updateSettings(trx, actor.workspaceId, values, actor.userId);
    const before = presentSettings(current, config, options.receiverRunning);
    const after = presentSettings(row, config, options.receiverRunning);
    await recordChange(trx, actor, {
      audit: { action: 'mail_settings.updated', entityType: 'mail_settings', entityId: null, before, after },
      event: { type: 'mail_settings.updated', entityType: 'mail_settings', entityId: null },
    });
    return after;
  });
}

/**
 * Send a short message through the saved SMTP settings, so the administrator sees at once whether they work.
 * A failure is one of a fixed set of codes (outgoing-mail.ts), never what the remote server said.
 */
export async function sendTestMail(options: { db: ActivitiesDb; actor: Actor; config: MailConfig; to: string }) {
  const { db, actor, config } = options;
  const row = await db.transaction().execute((trx) => ensureSettings(trx, actor.workspaceId, actor.userId));
  if (!smtpConfigured(row)) throw new AppError('mail_not_configured');
  const ja = actor.locale === 'ja';
  return sendWithSettings(row, config, {
    to: options.to,
    subject: ja ? 'CRM メール設定のテスト' : 'CRM mail settings test',
    text: ja
      ? 'このメールが届いていれば、送信設定 (SMTP) は正しく動作しています。'
      : 'If you received this, the outgoing mail (SMTP) settings work.',
  });
}

type ImapPatch = NonNullable<MailSettingsPatch['imap']>;

/**
 * Column values for an IMAP patch. Enabled polling needs host, user and password (patched or kept); another
 * host, user or mailbox is another mailbox, so its progress starts over.
 */
function imapValues(current: MailSettingsRow, i: ImapPatch | undefined, config: MailConfig): MailSettingsSet {
  if (!i) return {};
  const values: MailSettingsSet = {};
  if (i.enabled !== undefined) values.imap_enabled = i.enabled;
  if (i.host !== undefined) values.imap_host = i.host;
  if (i.port !== undefined) values.imap_port = i.port;
  if (i.tls !== undefined) values.imap_tls = i.tls;
  if (i.user !== undefined) values.imap_user = i.user;
  if (i.password !== undefined) values.imap_password_enc = i.password ? encryptSecret(secretKey(config), i.password) : null;
  if (i.mailbox !== undefined) values.imap_mailbox = i.mailbox;
  const after = { ...current, ...values };
  if (after.imap_enabled) {
    const missing = (
      [
        ['host', after.imap_host],
        ['user', after.imap_user],
        ['password', after.imap_password_enc],
      ] as const
    ).filter(([, v]) => !v);
    if (missing.length) {
      throw new AppError('validation_failed', {
        issues: missing.map(([field]) => ({
          in: 'body',
          path: `imap.${field}`,
          code: 'required',
          message: `imap.${field} is required when imap.enabled`,
        })),
      });
    }
  }
  const otherMailbox =
    after.imap_host !== current.imap_host || after.imap_user !== current.imap_user || after.imap_mailbox !== current.imap_mailbox;
  if (otherMailbox) Object.assign(values, { imap_uid_validity: null, imap_last_uid: null, imap_last_error: null });
  return values;
}

const imapErrorCodes: Record<ImapFailure['kind'], ErrorCode> = {
  host_not_allowed: 'mail_host_not_allowed',
  auth_failed: 'mail_imap_auth_failed',
  mailbox_not_found: 'mail_imap_mailbox_not_found',
  connection_failed: 'mail_imap_connection_failed',
  tls_failed: 'mail_imap_connection_failed',
  timeout: 'mail_imap_connection_failed',
  protocol: 'mail_imap_connection_failed',
  internal: 'internal',
};

/** Log in and open the saved mailbox (read-only) so the administrator sees at once whether the settings work. Changes nothing. */
export async function testImapConnection(options: { db: ActivitiesDb; actor: Actor; config: MailConfig }): Promise<ImapTestResult> {
  const { db, actor, config } = options;
  const row = await db.transaction().execute((trx) => ensureSettings(trx, actor.workspaceId, actor.userId));
  if (!imapConfigured(row)) throw new AppError('mail_imap_not_configured');
  const account = imapAccount(row, config);
  try {
    return await withMailbox(account, async (client) => ({
      mailbox: account.mailbox,
      messages: typeof client.mailbox === 'object' ? client.mailbox.exists : 0,
    }));
  } catch (err) {
    if (err instanceof ImapFailure) throw new AppError(imapErrorCodes[err.kind], { kind: err.kind, detail: err.detail });
    throw err;
  }
}

/** Poll the mailbox now (also while scheduled polling is off), after any poll already running; the outcome is saved like a scheduled one. */
export async function pollImapNow(options: { actor: Actor; deps: PollDeps }) {
  const { actor, deps } = options;
  const row = await deps.db.transaction().execute((trx) => ensureSettings(trx, actor.workspaceId, actor.userId));
  if (!imapConfigured(row)) throw new AppError('mail_imap_not_configured');
  return pollWorkspaceMailbox(deps, { workspaceId: actor.workspaceId, requireEnabled: false, limit: IMAP_BATCH, waitMs: 30_000 });
}
