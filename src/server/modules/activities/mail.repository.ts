import { randomBytes } from 'node:crypto';
import type { DbOrTx, Tx } from '../../platform/db/database.js';

/** The one row of mail settings per workspace (SMTP out, inbound address, IMAP mailbox). */
export interface MailSettingsRow {
  workspace_id: string;
  inbound_token: string;
  smtp_host: string | null;
  smtp_port: number | null;
  smtp_security: 'none' | 'starttls' | 'tls';
  smtp_user: string | null;
  smtp_password_enc: string | null;
  from_address: string | null;
  from_name: string | null;
  imap_enabled: boolean;
  imap_host: string | null;
  imap_port: number | null;
  imap_tls: boolean;
  imap_user: string | null;
  imap_password_enc: string | null;
  imap_mailbox: string;
  imap_uid_validity: string | null;
  imap_last_uid: string | null;
  imap_last_polled_at: Date | null;
  imap_last_error: string | null;
  version: number;
  updated_at: Date;
}

export async function findSettings(db: DbOrTx, workspaceId: string): Promise<MailSettingsRow | undefined> {
  return (await db.selectFrom('mail_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst()) as
    | MailSettingsRow
    | undefined;
}

/** The workspace's settings, created on first use with a fresh inbound token. */
export async function ensureSettings(trx: Tx, workspaceId: string, userId: string | null): Promise<MailSettingsRow> {
  await trx
    .insertInto('mail_settings')
    .values({ workspace_id: workspaceId, inbound_token: newInboundToken(), created_by: userId, updated_by: userId })
    .onConflict((oc) => oc.column('workspace_id').doNothing())
    .execute();
  return (await trx
    .selectFrom('mail_settings')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .forUpdate()
    .executeTakeFirstOrThrow()) as MailSettingsRow;
}

export async function updateSettings(trx: Tx, workspaceId: string, values: Record<string, unknown>, userId: string | null) {
  return (await trx
    .updateTable('mail_settings')
    .set((eb) => ({ ...values, version: eb('version', '+', 1), updated_at: new Date(), updated_by: userId }))
    .where('workspace_id', '=', workspaceId)
    .returningAll()
    .executeTakeFirstOrThrow()) as MailSettingsRow;
}

export async function findWorkspaceByInboundToken(db: DbOrTx, token: string): Promise<string | undefined> {
  const row = await db.selectFrom('mail_settings').select('workspace_id').where('inbound_token', '=', token).executeTakeFirst();
  return row?.workspace_id as string | undefined;
}

/** Lower-case letters and digits only: survives any mail client and case-folding relay. */
export function newInboundToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(20), (b) => alphabet[b % alphabet.length]).join('');
}
