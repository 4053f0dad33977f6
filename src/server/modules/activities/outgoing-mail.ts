import type { Config } from '../../platform/config.js';
import { decryptSecret, secretKey } from '../../platform/crypto.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { createSmtpTransport } from '../../platform/mail.js';
import { findSettings, type MailSettingsRow } from './mail.repository.js';

export interface OutgoingMail {
  to: string | string[];
  cc?: string[];
  subject: string;
  text: string;
  html?: string;
  inReplyTo?: string;
  references?: string[];
  /** Files to attach; nodemailer encodes non-ASCII names (RFC 2231 / RFC 2047). */
  attachments?: { filename: string; contentType: string; content: Buffer }[];
  /** Set by callers that record the message under this id before sending; generated otherwise. */
  messageId?: string;
}

/** The workspace's SMTP settings are usable: a host and a sender address. */
export function smtpConfigured(s: MailSettingsRow | undefined): s is MailSettingsRow & { smtp_host: string; from_address: string } {
  return Boolean(s?.smtp_host && s.from_address);
}

/** `<uuid@sender-domain>`: unique, and recognisable when a reply quotes it in In-Reply-To. */
export function newMessageId(fromAddress: string): string {
  const domain = fromAddress.split('@')[1] || 'crm.invalid';
  return `<${newId()}@${domain}>`;
}

/**
 * Send one message through the workspace's SMTP server. Null when the workspace has no SMTP configured;
 * a refused or unreachable server is AppError('mail_send_failed') with the server's answer in details.
 */
export async function sendWorkspaceMail(
  db: DbOrTx,
  config: Pick<Config, 'secretKey' | 'dataDir'>,
  workspaceId: string,
  mail: OutgoingMail,
): Promise<{ messageId: string } | null> {
  const settings = await findSettings(db, workspaceId);
  if (!smtpConfigured(settings)) return null;
  return sendWithSettings(settings, config, mail);
}

export async function sendWithSettings(
  settings: MailSettingsRow & { smtp_host: string; from_address: string },
  config: Pick<Config, 'secretKey' | 'dataDir'>,
  mail: OutgoingMail,
): Promise<{ messageId: string }> {
  const password = settings.smtp_password_enc ? decryptSecret(secretKey(config), settings.smtp_password_enc) : null;
  const transport = createSmtpTransport({
    host: settings.smtp_host,
    port: settings.smtp_port ?? 587,
    security: settings.smtp_security,
    user: settings.smtp_user,
    password,
  });
  const messageId = mail.messageId ?? newMessageId(settings.from_address);
  try {
    await transport.sendMail({
      from: settings.from_name ? { name: settings.from_name, address: settings.from_address } : settings.from_address,
      to: mail.to,
      cc: mail.cc,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      attachments: mail.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    });
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
    throw new AppError('mail_send_failed', { smtpCode: e.responseCode ?? null, reason: e.response ?? e.code ?? e.message ?? null });
  } finally {
    transport.close();
  }
  return { messageId };
}
