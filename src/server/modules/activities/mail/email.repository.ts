import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../../../platform/db/database.js';

export interface AddressRow {
  address: string;
  name: string | null;
}

export interface EmailRow {
  workspace_id: string;
  id: string;
  thread_id: string;
  direction: 'in' | 'out';
  source: 'compose' | 'smtp' | 'imap' | 'system';
  message_id: string;
  in_reply_to: string | null;
  refs: string[];
  subject: string;
  from_address: string;
  from_name: string | null;
  to_addresses: AddressRow[];
  cc_addresses: AddressRow[];
  headers: Record<string, string>;
  text_body: string | null;
  html_body: string | null;
  has_remote_images: boolean;
  snippet: string;
  size_bytes: number;
  attachment_count: number;
  sent_at: Date;
  review_state: 'none' | 'pending' | 'linked' | 'dismissed';
  /** Outgoing: 'queued' until the sender consumer hands it to the SMTP server. */
  status: 'queued' | 'sent' | 'failed';
  send_attempts: number;
  last_error: string | null;
  version: number;
  created_at: Date;
  created_by: string | null;
}

export type EmailInsert = Omit<
  EmailRow,
  'version' | 'created_at' | 'to_addresses' | 'cc_addresses' | 'headers' | 'status' | 'send_attempts' | 'last_error'
> & {
  to_addresses: string;
  cc_addresses: string;
  headers: string;
  status?: EmailRow['status'];
};

export interface LinkRow {
  email_id: string;
  person_id: string;
  role: 'from' | 'to' | 'cc';
  name: string;
  owner_id: string | null;
  team_id: string | null;
}

const SUMMARY_COLUMNS = [
  'e.id',
  'e.thread_id',
  'e.direction',
  'e.source',
  'e.subject',
  'e.from_address',
  'e.from_name',
  'e.to_addresses',
  'e.snippet',
  'e.sent_at',
  'e.attachment_count',
  'e.review_state',
  'e.status',
] as const;

/** Insert unless the workspace already has this Message-ID; false when it did (a duplicate delivery). */
export async function insertEmail(trx: Tx, row: EmailInsert): Promise<boolean> {
  const inserted = await trx
    .insertInto('email_messages')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return Boolean(inserted);
}

export async function messageIdExists(db: DbOrTx, workspaceId: string, messageId: string): Promise<boolean> {
  const row = await db
    .selectFrom('email_messages')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  return Boolean(row);
}

/** The thread of the oldest stored message among the ones a new message refers to. */
export async function threadFor(db: DbOrTx, workspaceId: string, messageIds: string[]): Promise<string | null> {
  if (!messageIds.length) return null;
  const row = await db
    .selectFrom('email_messages')
    .select('thread_id')
    .where('workspace_id', '=', workspaceId)
    .where('message_id', 'in', messageIds)
    .orderBy('sent_at')
    .limit(1)
    .executeTakeFirst();
  return (row?.thread_id as string | undefined) ?? null;
}

export async function insertLinks(trx: Tx, workspaceId: string, emailId: string, links: { personId: string; role: string }[]) {
  if (!links.length) return;
  await trx
    .insertInto('email_links')
    .values(links.map((l) => ({ workspace_id: workspaceId, email_id: emailId, person_id: l.personId, role: l.role })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function findEmail(db: DbOrTx, workspaceId: string, id: string): Promise<EmailRow | undefined> {
  return (await db
    .selectFrom('email_messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()) as EmailRow | undefined;
}

export async function threadMessages(db: DbOrTx, workspaceId: string, threadId: string, limit = 200): Promise<EmailRow[]> {
  return (await db
    .selectFrom('email_messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('thread_id', '=', threadId)
    .where('deleted_at', 'is', null)
    .orderBy('sent_at')
    .orderBy('id')
    .limit(limit)
    .execute()) as EmailRow[];
}

/** People linked to these emails, with a display name (read-only look at customers' people). */
export async function linksFor(db: DbOrTx, workspaceId: string, emailIds: string[]): Promise<LinkRow[]> {
  if (!emailIds.length) return [];
  return (await db
    .selectFrom('email_links as l')
    .innerJoin('people as p', (j) => j.onRef('p.workspace_id', '=', 'l.workspace_id').onRef('p.id', '=', 'l.person_id'))
    .select([
      'l.email_id',
      'l.person_id',
      'l.role',
      'p.owner_id',
      'p.team_id',
      sql<string>`trim(p.family_name || ' ' || coalesce(p.given_name, ''))`.as('name'),
    ])
    .where('l.workspace_id', '=', workspaceId)
    .where('l.email_id', 'in', emailIds)
    .where('p.deleted_at', 'is', null)
    .execute()) as LinkRow[];
}

export type SummaryRow = Pick<
  EmailRow,
  | 'id'
  | 'thread_id'
  | 'direction'
  | 'source'
  | 'subject'
  | 'from_address'
  | 'from_name'
  | 'to_addresses'
  | 'snippet'
  | 'sent_at'
  | 'attachment_count'
  | 'review_state'
  | 'status'
>;

/** A person's emails, newest first (uuid v7 ids are time-ordered), keyset on id. */
export async function listForPerson(db: DbOrTx, workspaceId: string, personId: string, before: string | null, limit: number) {
  let q = db
    .selectFrom('email_links as l')
    .innerJoin('email_messages as e', (j) => j.onRef('e.workspace_id', '=', 'l.workspace_id').onRef('e.id', '=', 'l.email_id'))
    .select(SUMMARY_COLUMNS)
    .distinct()
    .where('l.workspace_id', '=', workspaceId)
    .where('l.person_id', '=', personId)
    .where('e.deleted_at', 'is', null);
  if (before) q = q.where('l.email_id', '<', before);
  return (await q.orderBy('e.id', 'desc').limit(limit).execute()) as SummaryRow[];
}

/** Messages waiting in the review list, newest first. */
export async function listPending(db: DbOrTx, workspaceId: string, before: { createdAt: Date; id: string } | null, limit: number) {
  let q = db
    .selectFrom('email_messages as e')
    .select([...SUMMARY_COLUMNS, 'e.created_at'])
    .where('e.workspace_id', '=', workspaceId)
    .where('e.review_state', '=', 'pending')
    .where('e.deleted_at', 'is', null);
  if (before) {
    const b = before;
    q = q.where((eb) =>
      eb.or([eb('e.created_at', '<', b.createdAt), eb.and([eb('e.created_at', '=', b.createdAt), eb('e.id', '<', b.id)])]),
    );
  }
  return (await q.orderBy('e.created_at', 'desc').orderBy('e.id', 'desc').limit(limit).execute()) as (SummaryRow & {
    created_at: Date;
  })[];
}

/** Pending messages from one sender (they are linked together). */
export async function pendingFrom(trx: Tx, workspaceId: string, address: string) {
  return (await trx
    .selectFrom('email_messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('review_state', '=', 'pending')
    .where(sql`lower(from_address)`, '=', address.toLowerCase())
    .where('deleted_at', 'is', null)
    .forUpdate()
    .execute()) as EmailRow[];
}

export async function setReviewState(trx: Tx, workspaceId: string, ids: string[], state: EmailRow['review_state'], userId: string | null) {
  if (!ids.length) return;
  await trx
    .updateTable('email_messages')
    .set((eb) => ({ review_state: state, version: eb('version', '+', 1), updated_at: new Date(), updated_by: userId }))
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .execute();
}

export interface PersonMatch {
  id: string;
  address: string;
  ownerId: string | null;
  teamId: string | null;
}

/**
 * People (not in the trash) having any of these addresses. Reads customers' normalised contact points
 * directly: read-only, like the timeline's record look-ups.
 */
export async function peopleByAddress(db: DbOrTx, workspaceId: string, addresses: string[]): Promise<PersonMatch[]> {
  if (!addresses.length) return [];
  const rows = await db
    .selectFrom('contact_points as c')
    .innerJoin('people as p', (j) => j.onRef('p.workspace_id', '=', 'c.workspace_id').onRef('p.id', '=', 'c.entity_id'))
    .select(['p.id', 'c.value', 'p.owner_id', 'p.team_id'])
    .where('c.workspace_id', '=', workspaceId)
    .where('c.kind', '=', 'email')
    .where('c.entity_type', '=', 'person')
    .where(
      'c.value',
      'in',
      addresses.map((a) => a.toLowerCase()),
    )
    .where('p.deleted_at', 'is', null)
    .execute();
  return rows.map((r) => ({
    id: r.id as string,
    address: r.value as string,
    ownerId: r.owner_id as string | null,
    teamId: r.team_id as string | null,
  }));
}

export interface PersonForMail {
  id: string;
  family_name: string;
  given_name: string | null;
  family_name_kana: string | null;
  given_name_kana: string | null;
  title: string | null;
  emails: { address: string }[];
  owner_id: string | null;
  team_id: string | null;
  company_name: string | null;
  owner_name: string | null;
}

/** What merge fields and the default recipient need from a person (read-only). */
export async function personForMail(db: DbOrTx, workspaceId: string, personId: string): Promise<PersonForMail | undefined> {
  return (await db
    .selectFrom('people as p')
    .leftJoin('companies as c', (j) => j.onRef('c.workspace_id', '=', 'p.workspace_id').onRef('c.id', '=', 'p.company_id'))
    .leftJoin('users as u', (j) => j.onRef('u.workspace_id', '=', 'p.workspace_id').onRef('u.id', '=', 'p.owner_id'))
    .select([
      'p.id',
      'p.family_name',
      'p.given_name',
      'p.family_name_kana',
      'p.given_name_kana',
      'p.title',
      'p.emails',
      'p.owner_id',
      'p.team_id',
      'c.name as company_name',
      'u.name as owner_name',
    ])
    .where('p.workspace_id', '=', workspaceId)
    .where('p.id', '=', personId)
    .where('p.deleted_at', 'is', null)
    .executeTakeFirst()) as PersonForMail | undefined;
}

export async function userNameAndWorkspace(db: DbOrTx, workspaceId: string, userId: string | null) {
  const ws = await db.selectFrom('workspaces').select('name').where('id', '=', workspaceId).executeTakeFirst();
  const user = userId
    ? await db.selectFrom('users').select('name').where('workspace_id', '=', workspaceId).where('id', '=', userId).executeTakeFirst()
    : undefined;
  return { workspace: (ws?.name as string) ?? '', user: (user?.name as string | undefined) ?? null };
}

/** Active administrators: told about mail from unknown senders. */
export async function adminIds(db: DbOrTx, workspaceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .limit(100)
    .execute();
  return rows.map((r) => r.id as string);
}

/** Addresses among these that belong to the workspace's users (mail they sent, BCC'd to the CRM). */
export async function userAddresses(db: DbOrTx, workspaceId: string, addresses: string[]): Promise<Set<string>> {
  if (!addresses.length) return new Set();
  const rows = await db
    .selectFrom('users')
    .select(sql<string>`lower(email)`.as('email'))
    .where('workspace_id', '=', workspaceId)
    .where(
      sql`lower(email)`,
      'in',
      addresses.map((a) => a.toLowerCase()),
    )
    .execute();
  return new Set(rows.map((r) => r.email));
}

/** The queued message, locked for the sender (a second worker skips it). */
export async function lockQueued(trx: Tx, workspaceId: string, id: string): Promise<EmailRow | undefined> {
  return (await trx
    .selectFrom('email_messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()) as EmailRow | undefined;
}

export async function setSendOutcome(
  trx: Tx,
  workspaceId: string,
  id: string,
  values: { status: EmailRow['status']; last_error: string | null; sent_at?: Date },
) {
  await trx
    .updateTable('email_messages')
    .set((eb) => ({ ...values, send_attempts: eb('send_attempts', '+', 1), version: eb('version', '+', 1), updated_at: new Date() }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}
