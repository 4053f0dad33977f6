import { type Insertable, type Selectable, sql } from 'kysely';
import type { EmailMessages } from '../../../platform/db/schema.js';
import type { ActivitiesDb, ActivitiesTx } from '../activities.db.js';

/** An address of a header (To, Cc), as stored in the message's JSON columns. */
export type AddressRow = { address: string; name: string | null };

/** The columns the table's CHECKs and the writers below keep to these values and shapes. */
type Narrowed = {
  direction: 'in' | 'out';
  source: 'compose' | 'smtp' | 'imap' | 'system';
  to_addresses: AddressRow[];
  cc_addresses: AddressRow[];
  headers: Record<string, string>;
  review_state: 'none' | 'pending' | 'linked' | 'dismissed';
  /** Outgoing: 'queued' until the sender consumer hands it to the SMTP server. */
  status: 'queued' | 'sent' | 'failed';
};
export type EmailRow = Omit<Selectable<EmailMessages>, keyof Narrowed> & Narrowed;

/** A new message: the JSON columns as JSON text (pg sends a JS array as a PostgreSQL array, not as JSON). */
export type EmailInsert = Omit<Insertable<EmailMessages>, 'direction' | 'source' | 'review_state' | 'status'> &
  Pick<Narrowed, 'direction' | 'source' | 'review_state'> &
  Partial<Pick<Narrowed, 'status'>> & { to_addresses: string; cc_addresses: string; headers: string };

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
export async function insertEmail(trx: ActivitiesTx, row: EmailInsert): Promise<boolean> {
  const inserted = await trx
    .insertInto('email_messages')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return Boolean(inserted);
}

export async function messageIdExists(db: ActivitiesDb, workspaceId: string, messageId: string): Promise<boolean> {
  const row = await db
    .selectFrom('email_messages')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  return Boolean(row);
}

/** The thread of the oldest stored message among the ones a new message refers to. */
export async function threadFor(db: ActivitiesDb, workspaceId: string, messageIds: string[]): Promise<string | null> {
  if (!messageIds.length) return null;
  const row = await db
    .selectFrom('email_messages')
    .select('thread_id')
    .where('workspace_id', '=', workspaceId)
    .where('message_id', 'in', messageIds)
    .orderBy('sent_at')
    .limit(1)
    .executeTakeFirst();
  return row?.thread_id ?? null;
}

export async function insertLinks(trx: ActivitiesTx, workspaceId: string, emailId: string, links: { personId: string; role: string }[]) {
  if (!links.length) return;
  await trx
    .insertInto('email_links')
    .values(links.map((l) => ({ workspace_id: workspaceId, email_id: emailId, person_id: l.personId, role: l.role })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function findEmail(db: ActivitiesDb, workspaceId: string, id: string): Promise<EmailRow | undefined> {
  return db
    .selectFrom('email_messages')
    .selectAll()
    .$narrowType<Narrowed>()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function threadMessages(db: ActivitiesDb, workspaceId: string, threadId: string, limit = 200): Promise<EmailRow[]> {
  return db
    .selectFrom('email_messages')
    .selectAll()
    .$narrowType<Narrowed>()
    .where('workspace_id', '=', workspaceId)
    .where('thread_id', '=', threadId)
    .where('deleted_at', 'is', null)
    .orderBy('sent_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The people each of these emails is linked to (names and visibility come from customers: email.people.ts). */
export async function linksOf(db: ActivitiesDb, workspaceId: string, emailIds: string[]) {
  if (!emailIds.length) return [];
  return db
    .selectFrom('email_links')
    .select(['email_id', 'person_id', 'role'])
    .where('workspace_id', '=', workspaceId)
    .where('email_id', 'in', emailIds)
    .$narrowType<{ role: 'from' | 'to' | 'cc' }>()
    .execute();
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
export async function listForPerson(db: ActivitiesDb, workspaceId: string, personId: string, before: string | null, limit: number) {
  let q = db
    .selectFrom('email_links as l')
    .innerJoin('email_messages as e', (j) => j.onRef('e.workspace_id', '=', 'l.workspace_id').onRef('e.id', '=', 'l.email_id'))
    .select(SUMMARY_COLUMNS)
    .$narrowType<Narrowed>()
    .distinct()
    .where('l.workspace_id', '=', workspaceId)
    .where('l.person_id', '=', personId)
    .where('e.deleted_at', 'is', null);
  if (before) q = q.where('l.email_id', '<', before);
  return q.orderBy('e.id', 'desc').limit(limit).execute();
}

/** Messages waiting in the review list, newest first. */
export async function listPending(db: ActivitiesDb, workspaceId: string, before: { createdAt: Date; id: string } | null, limit: number) {
  let q = db
    .selectFrom('email_messages as e')
    .select([...SUMMARY_COLUMNS, 'e.created_at'])
    .$narrowType<Narrowed>()
    .where('e.workspace_id', '=', workspaceId)
    .where('e.review_state', '=', 'pending')
    .where('e.deleted_at', 'is', null);
  if (before) {
    const b = before;
    q = q.where((eb) =>
      eb.or([eb('e.created_at', '<', b.createdAt), eb.and([eb('e.created_at', '=', b.createdAt), eb('e.id', '<', b.id)])]),
    );
  }
  return q.orderBy('e.created_at', 'desc').orderBy('e.id', 'desc').limit(limit).execute();
}

/** Pending messages from one sender (they are linked together). */
export async function pendingFrom(trx: ActivitiesTx, workspaceId: string, address: string) {
  return trx
    .selectFrom('email_messages')
    .selectAll()
    .$narrowType<Narrowed>()
    .where('workspace_id', '=', workspaceId)
    .where('review_state', '=', 'pending')
    .where(sql<string>`lower(from_address)`, '=', address.toLowerCase())
    .where('deleted_at', 'is', null)
    .forUpdate()
    .execute();
}

export async function setReviewState(
  trx: ActivitiesTx,
  workspaceId: string,
  ids: string[],
  state: EmailRow['review_state'],
  userId: string | null,
) {
  if (!ids.length) return;
  await trx
    .updateTable('email_messages')
    .set((eb) => ({ review_state: state, version: eb('version', '+', 1), updated_at: new Date(), updated_by: userId }))
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .execute();
}

/** The queued message, locked for the sender (a second worker skips it). */
export async function lockQueued(trx: ActivitiesTx, workspaceId: string, id: string): Promise<EmailRow | undefined> {
  return trx
    .selectFrom('email_messages')
    .selectAll()
    .$narrowType<Narrowed>()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export async function setSendOutcome(
  trx: ActivitiesTx,
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
