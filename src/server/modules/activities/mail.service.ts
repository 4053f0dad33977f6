import type { MailSettings, MailSettingsPatch } from '../../../shared/contracts/mail.js';
import type { Actor } from '../../platform/actor.js';
import type { Config } from '../../platform/config.js';
import { encryptSecret, secretKey } from '../../platform/crypto.js';
import type { Db } from '../../platform/db/database.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { ensureSettings, type MailSettingsRow, newInboundToken, updateSettings } from './mail.repository.js';
import { sendWithSettings, smtpConfigured } from './outgoing-mail.js';

type MailConfig = Pick<Config, 'secretKey' | 'dataDir' | 'publicUrl' | 'mailInbound'>;

/** The host part shown in the inbound address: the public host name of the app. */
function inboundHost(config: MailConfig): string {
  try {
    return new URL(config.publicUrl).hostname;
  } catch {
    return 'localhost';
  }
}

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
    inbound: { address: `${r.inbound_token}@${inboundHost(config)}`, token: r.inbound_token, receiverRunning },
    version: r.version,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export async function getMailSettings(options: { db: Db; actor: Actor; config: MailConfig; receiverRunning: boolean }) {
  const row = await options.db.transaction().execute((trx) => ensureSettings(trx, options.actor.workspaceId, options.actor.userId));
  return presentSettings(row, options.config, options.receiverRunning);
}

/** SMTP and the inbound address (IMAP polling is not built: its columns stay unused). Secrets are encrypted before they reach the row; the audit trail records only that they changed. */
export async function updateMailSettings(options: {
  db: Db;
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
    const values: Record<string, unknown> = {};
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

/** Send a short message through the saved SMTP settings, so the administrator sees at once whether they work. */
export async function sendTestMail(options: { db: Db; actor: Actor; config: MailConfig; to: string }) {
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
