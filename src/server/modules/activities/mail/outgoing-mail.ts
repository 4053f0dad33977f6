import type { Readable } from 'node:stream';
import type { ErrorCode } from '../../../../shared/errors.js';
import type { Config } from '../../../platform/config.js';
import { decryptSecret, secretKey } from '../../../platform/crypto.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import { openSmtpTransport, type SmtpFailureKind, type SmtpTransport, smtpFailure } from '../../../platform/mail.js';
import { NetGuardError } from '../../../platform/net-guard.js';
import type { ActivitiesDb } from '../activities.db.js';
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
  attachments?: { filename: string; contentType: string; content: Buffer | Readable }[];
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

type MailConfig = Pick<Config, 'secretKey' | 'dataDir' | 'mailAllowPrivateHosts'>;

/** Why sending failed: `kind` from a fixed set and the SMTP reply code, never the remote server's words. */
export type SendFailureKind = SmtpFailureKind | 'host_not_allowed' | 'host_not_found';
export interface SendFailureDetails {
  kind: SendFailureKind;
  smtpCode: number | null;
}

const failureCodes: Record<SendFailureKind, ErrorCode> = {
  host_not_allowed: 'mail_host_not_allowed',
  host_not_found: 'mail_connection_failed',
  connection_failed: 'mail_connection_failed',
  timeout: 'mail_timeout',
  tls_failed: 'mail_tls_failed',
  auth_failed: 'mail_auth_failed',
  rejected: 'mail_send_failed',
  protocol: 'mail_send_failed',
};

function sendFailure(details: SendFailureDetails): AppError {
  return new AppError(failureCodes[details.kind], { ...details });
}

/**
 * Send one message through the workspace's SMTP server. Null when the workspace has no SMTP configured;
 * otherwise a failure is an AppError whose details are SendFailureDetails: `mail_host_not_allowed` (an internal
 * address, refused before connecting), `mail_connection_failed`, `mail_timeout`, `mail_tls_failed`,
 * `mail_auth_failed`, or `mail_send_failed` (the server refused the message, or is no SMTP server).
 */
export async function sendWorkspaceMail(
  db: ActivitiesDb,
  config: MailConfig,
  workspaceId: string,
  mail: OutgoingMail,
): Promise<{ messageId: string } | null> {
  const settings = await findSettings(db, workspaceId);
  if (!smtpConfigured(settings)) return null;
  return sendWithSettings(settings, config, mail);
}

export async function sendWithSettings(
  settings: MailSettingsRow & { smtp_host: string; from_address: string },
  config: MailConfig,
  mail: OutgoingMail,
): Promise<{ messageId: string }> {
  const password = settings.smtp_password_enc ? decryptSecret(secretKey(config), settings.smtp_password_enc) : null;
  let transport: SmtpTransport;
  try {
    transport = await openSmtpTransport(
      { host: settings.smtp_host, port: settings.smtp_port ?? 587, security: settings.smtp_security, user: settings.smtp_user, password },
      config.mailAllowPrivateHosts,
    );
  } catch (err) {
    if (err instanceof NetGuardError) throw sendFailure({ kind: err.kind, smtpCode: null });
    throw err;
  }
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
    throw sendFailure(smtpFailure(err));
  } finally {
    transport.close();
  }
  return { messageId };
}
