import { randomBytes } from 'node:crypto';
import type { DbOrTx, Tx } from '../../../platform/db/database.js';

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

/** Workspaces whose mailbox is polled over IMAP (partial index `mail_settings_imap`). */
export async function imapEnabledWorkspaces(db: DbOrTx): Promise<string[]> {
  const rows = await db.selectFrom('mail_settings').select('workspace_id').where('imap_enabled', '=', true).execute();
  return rows.map((r) => r.workspace_id as string);
}

/** The mailbox a poll read: progress is saved only while the settings still name it. */
export interface ImapMailboxKey {
  host: string;
  user: string;
  mailbox: string;
}

/** Poll progress, not an edit: no version bump, so an administrator's open form stays current. */
export async function saveImapProgress(db: DbOrTx, workspaceId: string, key: ImapMailboxKey, uidValidity: string, lastUid: number) {
  await db
    .updateTable('mail_settings')
    .set({ imap_uid_validity: uidValidity, imap_last_uid: String(lastUid) })
    .where('workspace_id', '=', workspaceId)
    .where('imap_host', '=', key.host)
    .where('imap_user', '=', key.user)
    .where('imap_mailbox', '=', key.mailbox)
    .execute();
}

/** The outcome of a poll: when it ran and why it failed (null: it worked). */
export async function saveImapOutcome(db: DbOrTx, workspaceId: string, polledAt: Date, error: string | null) {
  await db
    .updateTable('mail_settings')
    .set({ imap_last_polled_at: polledAt, imap_last_error: error })
    .where('workspace_id', '=', workspaceId)
    .execute();
}
