import { randomBytes } from 'node:crypto';
import type { Selectable, Updateable } from 'kysely';
import type { MailSettings } from '../../../platform/db/schema.js';
import type { ActivitiesDb, ActivitiesTx } from '../activities.db.js';

/** The one row of mail settings per workspace (SMTP out, inbound address, IMAP mailbox). */
type Narrowed = { smtp_security: 'none' | 'starttls' | 'tls' };
export type MailSettingsRow = Omit<Selectable<MailSettings>, 'smtp_security'> & Narrowed;
/** What an administrator's edit changes (the version and the editor are set here). */
export type MailSettingsSet = Omit<Updateable<MailSettings>, 'workspace_id' | 'version' | 'updated_at' | 'updated_by' | 'smtp_security'> &
  Partial<Narrowed>;

export async function findSettings(db: ActivitiesDb, workspaceId: string): Promise<MailSettingsRow | undefined> {
  return db.selectFrom('mail_settings').selectAll().$narrowType<Narrowed>().where('workspace_id', '=', workspaceId).executeTakeFirst();
}

/** The workspace's settings, created on first use with a fresh inbound token. */
export async function ensureSettings(trx: ActivitiesTx, workspaceId: string, userId: string | null): Promise<MailSettingsRow> {
  await trx
    .insertInto('mail_settings')
    .values({ workspace_id: workspaceId, inbound_token: newInboundToken(), created_by: userId, updated_by: userId })
    .onConflict((oc) => oc.column('workspace_id').doNothing())
    .execute();
  return trx
    .selectFrom('mail_settings')
    .selectAll()
    .$narrowType<Narrowed>()
    .where('workspace_id', '=', workspaceId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function updateSettings(trx: ActivitiesTx, workspaceId: string, values: MailSettingsSet, userId: string | null) {
  return trx
    .updateTable('mail_settings')
    .set((eb) => ({ ...values, version: eb('version', '+', 1), updated_at: new Date(), updated_by: userId }))
    .where('workspace_id', '=', workspaceId)
    .returningAll()
    .$narrowType<Narrowed>()
    .executeTakeFirstOrThrow();
}

export async function findWorkspaceByInboundToken(db: ActivitiesDb, token: string): Promise<string | undefined> {
  const row = await db.selectFrom('mail_settings').select('workspace_id').where('inbound_token', '=', token).executeTakeFirst();
  return row?.workspace_id;
}

/** Lower-case letters and digits only: survives any mail client and case-folding relay. */
export function newInboundToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(20), (b) => alphabet[b % alphabet.length]).join('');
}

/** Workspaces whose mailbox is polled over IMAP (partial index `mail_settings_imap`). */
export async function imapEnabledWorkspaces(db: ActivitiesDb): Promise<string[]> {
  const rows = await db.selectFrom('mail_settings').select('workspace_id').where('imap_enabled', '=', true).execute();
  return rows.map((r) => r.workspace_id);
}

/** The mailbox a poll read: progress is saved only while the settings still name it. */
export interface ImapMailboxKey {
  host: string;
  user: string;
  mailbox: string;
}

/** Poll progress, not an edit: no version bump, so an administrator's open form stays current. */
export async function saveImapProgress(db: ActivitiesDb, workspaceId: string, key: ImapMailboxKey, uidValidity: string, lastUid: number) {
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
export async function saveImapOutcome(db: ActivitiesDb, workspaceId: string, polledAt: Date, error: string | null) {
  await db
    .updateTable('mail_settings')
    .set({ imap_last_polled_at: polledAt, imap_last_error: error })
    .where('workspace_id', '=', workspaceId)
    .execute();
}
