import { type ComposeBody, type MergeValues, renderMergeFields, unknownMergeFields } from '../../../../shared/contracts/mail.js';
import type { Actor } from '../../../platform/actor.js';
import type { Config } from '../../../platform/config.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import { withSpooled } from '../../../platform/spool.js';
import type { ActivitiesDb, ActivitiesTx } from '../activities.db.js';
import { maySeeOwned, visibleEmails } from '../activities.policy.js';
import { blockedExtension, checkAttachmentName, listAttachments, removeFiles, storeAttachment } from '../timeline/attachments.js';
import { emailEvent } from './email.events.js';
import * as people from './email.people.js';
import { presentEmail, presentSummary } from './email.presenter.js';
import * as repo from './email.repository.js';
import { snippetOf, textToHtml } from './email-html.js';
import { findSettings } from './mail.repository.js';
import { newMessageId, smtpConfigured } from './outgoing-mail.js';
import { getTemplate } from './templates.service.js';

async function mergeValues(db: ActivitiesDb, actor: Actor, person: people.PersonForMail): Promise<MergeValues> {
  const names = await people.userNameAndWorkspace(db, actor.workspaceId, actor.userId);
  const today = new Intl.DateTimeFormat(actor.locale === 'ja' ? 'ja-JP' : 'en-US', { dateStyle: 'long', timeZone: 'Asia/Tokyo' }).format(
    new Date(),
  );
  return {
    family_name: person.family_name,
    given_name: person.given_name,
    full_name: [person.family_name, person.given_name].filter(Boolean).join(' '),
    family_name_kana: person.family_name_kana,
    given_name_kana: person.given_name_kana,
    company: person.company_name,
    title: person.title,
    email: person.emails[0]?.address ?? null,
    owner: person.owner_name,
    sender: names.user,
    workspace: names.workspace,
    today,
  };
}

async function personOr404(db: ActivitiesDb, actor: Actor, personId: string) {
  const person = await people.personForMail(db, actor.workspaceId, personId);
  const visible = person && maySeeOwned(actor, { ownerId: person.owner_id, teamId: person.team_id });
  if (!person || !visible) throw new AppError('not_found', { personId });
  return person;
}

/** May the actor open this email (and its attachments)? */
export async function emailVisible(db: ActivitiesDb, actor: Actor, emailId: string): Promise<boolean> {
  const row = await repo.findEmail(db, actor.workspaceId, emailId);
  if (!row) return false;
  const links = await people.linksFor(db, actor.workspaceId, [row.id]);
  return visibleEmails(actor, links)(row.id);
}

function checkFields(subject: string, body: string) {
  const unknown = unknownMergeFields(subject, body);
  if (unknown.length) throw new AppError('mail_unknown_merge_field', { fields: unknown });
}

/** The subject and body as the person will read them. */
export async function previewEmail(options: { db: ActivitiesDb; actor: Actor; personId: string; subject: string; body: string }) {
  const { db, actor } = options;
  const person = await personOr404(db, actor, options.personId);
  checkFields(options.subject, options.body);
  const values = await mergeValues(db, actor, person);
  return {
    subject: renderMergeFields(options.subject, values),
    body: renderMergeFields(options.body, values),
    to: person.emails[0]?.address ? [person.emails[0].address.toLowerCase()] : [],
  };
}

/** Draft attachments not sent within this time are removed (at the user's next upload). */
const DRAFT_TTL_MS = 24 * 60 * 60 * 1000;

function draftOwner(actor: Actor): string {
  if (!actor.userId) throw new AppError('forbidden');
  return actor.userId;
}

/**
 * A file for a mail being composed: stored like any attachment (size limit, blocked types) as a draft
 * owned by the user (owner type 'email', owner id = the user), then named by id in `attachmentIds` of
 * the send request, which moves it to the email. Drafts are visible to nobody (the download answers 404).
 */
export async function uploadDraftAttachment(options: {
  db: ActivitiesDb;
  config: Pick<Config, 'attachments'>;
  actor: Actor;
  filename: string;
  contentType: string;
  content: NodeJS.ReadableStream;
}) {
  const { db, actor } = options;
  const owner = draftOwner(actor);
  checkAttachmentName(options.config, options.filename);
  const { stored, stale } = await withSpooled(options.content, (open) =>
    db.transaction().execute(async (trx) => {
      const stale = await trx
        .deleteFrom('attachments')
        .where('workspace_id', '=', actor.workspaceId)
        .where('owner_type', '=', 'email')
        .where('owner_id', '=', owner)
        .where('created_at', '<', new Date(Date.now() - DRAFT_TTL_MS))
        .returning('storage_key')
        .execute();
      const stored = await storeAttachment(trx, options.config, {
        workspaceId: actor.workspaceId,
        ownerType: 'email',
        ownerId: owner,
        filename: options.filename,
        contentType: options.contentType,
        content: open(),
        createdBy: owner,
      });
      return { stored, stale: stale.map((r) => r.storage_key) };
    }),
  );
  await removeFiles(options.config, stale);
  return stored;
}

/** Remove a draft attachment of the actor's (taken off the compose dialog before sending). */
export async function discardDraftAttachment(options: {
  db: ActivitiesDb;
  config: Pick<Config, 'attachments'>;
  actor: Actor;
  attachmentId: string;
}) {
  const { db, actor } = options;
  const owner = draftOwner(actor);
  const rows = await db
    .deleteFrom('attachments')
    .where('workspace_id', '=', actor.workspaceId)
    .where('id', '=', options.attachmentId)
    .where('owner_type', '=', 'email')
    .where('owner_id', '=', owner)
    .where('created_by', '=', owner)
    .returning('storage_key')
    .execute();
  if (!rows.length) throw new AppError('not_found');
  await removeFiles(
    options.config,
    rows.map((r) => r.storage_key),
  );
}

/**
 * Move the actor's draft attachments to the email, inside its transaction. Unknown ids, another user's
 * or workspace's files, files already sent, a blocked type or more than ATTACHMENT_MAX_MB together are
 * `validation_failed` naming `attachmentIds[.n]`; the transaction rolls back, nothing is queued.
 */
async function claimDrafts(trx: ActivitiesTx, config: Pick<Config, 'attachments'>, actor: Actor, ids: string[], emailId: string) {
  if (!ids.length) return { count: 0, bytes: 0 };
  const owner = draftOwner(actor);
  const invalid = (issues: { path: string; code: string; message: string }[]) =>
    new AppError('validation_failed', { issues: issues.map((i) => ({ in: 'body', ...i })) });
  const dupe = ids.findIndex((id, i) => ids.indexOf(id) !== i);
  if (dupe >= 0) throw invalid([{ path: `attachmentIds.${dupe}`, code: 'duplicate', message: 'attachment named twice' }]);
  const rows = await trx
    .selectFrom('attachments')
    .select(['id', 'filename', 'size'])
    .where('workspace_id', '=', actor.workspaceId)
    .where('id', 'in', ids)
    .where('owner_type', '=', 'email')
    .where('owner_id', '=', owner)
    .where('created_by', '=', owner)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const issues = ids.flatMap((id, i) => {
    const row = byId.get(id);
    if (!row) return [{ path: `attachmentIds.${i}`, code: 'unknown_attachment', message: 'no draft attachment of yours with this id' }];
    if (blockedExtension(config, row.filename))
      return [{ path: `attachmentIds.${i}`, code: 'attachment_type_blocked', message: row.filename }];
    return [];
  });
  if (issues.length) throw invalid(issues);
  const bytes = rows.reduce((sum, r) => sum + Number(r.size), 0);
  if (bytes > config.attachments.maxBytes) {
    throw invalid([
      { path: 'attachmentIds', code: 'too_large', message: `attachments total ${bytes} bytes, at most ${config.attachments.maxBytes}` },
    ]);
  }
  await trx
    .updateTable('attachments')
    .set({ owner_id: emailId })
    .where('workspace_id', '=', actor.workspaceId)
    .where('id', 'in', ids)
    .execute();
  return { count: rows.length, bytes };
}

/**
 * Compose to a person: merge fields filled from the record, then stored as 'queued' with its
 * `email.queued` event in one transaction. The sender consumer hands it to the SMTP server and records
 * `email.sent` (timeline) or 'failed' (the author is notified): a crash loses no mail.
 */
export async function queueEmail(options: { db: ActivitiesDb; config: Pick<Config, 'attachments'>; actor: Actor; input: ComposeBody }) {
  const { db, actor, input } = options;
  const attachmentIds = input.attachmentIds ?? [];
  const person = await personOr404(db, actor, input.personId);
  if (input.templateId) await getTemplate({ db, actor, templateId: input.templateId });
  const replyTo = input.replyToEmailId ? await repo.findEmail(db, actor.workspaceId, input.replyToEmailId) : undefined;
  if (input.replyToEmailId && !replyTo) throw new AppError('not_found', { replyToEmailId: input.replyToEmailId });
  checkFields(input.subject, input.body);
  const settings = await findSettings(db, actor.workspaceId);
  if (!smtpConfigured(settings)) throw new AppError('mail_not_configured');
  const fallback = person.emails.find((e) => e.address?.includes('@'))?.address.toLowerCase();
  const to = input.to ?? (fallback ? [fallback] : []);
  if (!to.length) throw new AppError('mail_no_recipient', { personId: person.id });
  const cc = input.cc ?? [];

  const values = await mergeValues(db, actor, person);
  const subject = renderMergeFields(input.subject, values);
  const text = renderMergeFields(input.body, values);
  const html = textToHtml(text);
  const messageId = newMessageId(settings.from_address);
  const refs = replyTo ? [...new Set([...replyTo.refs, replyTo.message_id])].slice(-50) : [];
  const id = newId();
  const others = await people.peopleByAddress(db, actor.workspaceId, [...to, ...cc]);
  const links = [
    { personId: person.id, role: 'to' },
    ...others.map((m) => ({ personId: m.id, role: cc.includes(m.address) && !to.includes(m.address) ? 'cc' : 'to' })),
  ];
  await db.transaction().execute(async (trx) => {
    const files = await claimDrafts(trx, options.config, actor, attachmentIds, id);
    await repo.insertEmail(trx, {
      workspace_id: actor.workspaceId,
      id,
      thread_id: replyTo?.thread_id ?? id,
      direction: 'out',
      source: 'compose',
      message_id: messageId,
      in_reply_to: replyTo?.message_id ?? null,
      refs,
      subject,
      from_address: settings.from_address,
      from_name: settings.from_name,
      to_addresses: JSON.stringify(to.map((address) => ({ address, name: null }))),
      cc_addresses: JSON.stringify(cc.map((address) => ({ address, name: null }))),
      headers: JSON.stringify(input.templateId ? { 'x-crm-template': input.templateId } : {}),
      text_body: text,
      html_body: html,
      has_remote_images: false,
      snippet: snippetOf(text),
      size_bytes: Buffer.byteLength(text) + Buffer.byteLength(html) + files.bytes,
      attachment_count: files.count,
      sent_at: new Date(),
      review_state: 'none',
      status: 'queued',
      created_by: actor.userId,
    });
    await repo.insertLinks(trx, actor.workspaceId, id, links);
    await recordChange(trx, actor, {
      audit: {
        action: 'email.queued',
        entityType: 'email',
        entityId: id,
        after: {
          messageId,
          personId: person.id,
          templateId: input.templateId ?? null,
          recipients: to.length + cc.length,
          attachments: files.count,
        },
      },
      event: { type: 'email.queued', entityType: 'email', entityId: id },
    });
  });
  return getEmail({ db, actor, emailId: id, remoteImages: false });
}

export async function getEmail(options: { db: ActivitiesDb; actor: Actor; emailId: string; remoteImages: boolean }) {
  const { db, actor } = options;
  const row = await repo.findEmail(db, actor.workspaceId, options.emailId);
  if (!row) throw new AppError('not_found');
  const [links, attachments] = await Promise.all([
    people.linksFor(db, actor.workspaceId, [row.id]),
    listAttachments(db, actor.workspaceId, 'email', [row.id]),
  ]);
  if (!visibleEmails(actor, links)(row.id)) throw new AppError('not_found');
  const files = attachments.map(({ ownerId: _o, ...a }) => a);
  return presentEmail(row, links, files, { remoteImages: options.remoteImages });
}

/** Every message of the thread the email belongs to, oldest first. */
export async function getThread(options: { db: ActivitiesDb; actor: Actor; emailId: string; remoteImages: boolean }) {
  const { db, actor } = options;
  const row = await repo.findEmail(db, actor.workspaceId, options.emailId);
  if (!row) throw new AppError('not_found');
  const all = await repo.threadMessages(db, actor.workspaceId, row.thread_id);
  const allLinks = await people.linksFor(
    db,
    actor.workspaceId,
    all.map((r) => r.id),
  );
  const visible = visibleEmails(actor, allLinks);
  if (!visible(row.id)) throw new AppError('not_found');
  const rows = all.filter((r) => visible(r.id));
  const ids = rows.map((r) => r.id);
  const links = allLinks.filter((l) => ids.includes(l.email_id));
  const attachments = await listAttachments(db, actor.workspaceId, 'email', ids);
  return {
    data: rows.map((r) =>
      presentEmail(
        r,
        links,
        attachments.filter((a) => a.ownerId === r.id).map(({ ownerId: _o, ...a }) => a),
        { remoteImages: options.remoteImages },
      ),
    ),
  };
}

export async function listEmails(options: { db: ActivitiesDb; actor: Actor; personId?: string; cursor?: string; limit: number }) {
  const { db, actor, limit } = options;
  if (!options.personId) {
    throw new AppError('validation_failed', { issues: [{ in: 'querystring', path: 'personId', code: 'required', message: 'personId' }] });
  }
  await personOr404(db, actor, options.personId);
  const cursor = options.cursor && /^[0-9a-f-]{36}$/.test(options.cursor) ? options.cursor : null;
  const rows = await repo.listForPerson(db, actor.workspaceId, options.personId, cursor, limit + 1);
  const page = rows.slice(0, limit);
  const links = await people.linksFor(
    db,
    actor.workspaceId,
    page.map((r) => r.id),
  );
  return { data: page.map((r) => presentSummary(r, links)), nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

function decodeReviewCursor(cursor?: string) {
  if (!cursor) return null;
  const [t, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(t ?? '');
  if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id))
    throw new AppError('validation_failed', { issues: [{ path: 'cursor' }] });
  return { createdAt: at, id };
}

/** Mail from unknown senders, waiting for someone to link it to a person or dismiss it. */
export async function listReview(options: { db: ActivitiesDb; actor: Actor; cursor?: string; limit: number }) {
  const { db, actor, limit } = options;
  const rows = await repo.listPending(db, actor.workspaceId, decodeReviewCursor(options.cursor), limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => presentSummary(r, [])),
    nextCursor:
      rows.length > limit && last ? Buffer.from(`${new Date(last.created_at).toISOString()}|${last.id}`).toString('base64url') : null,
  };
}

/**
 * Link a pending message, and every other pending message from the same sender, to a person:
 * they leave the review list and reach the person's timeline (`email.received` per message).
 */
export async function linkReviewed(options: { db: ActivitiesDb; actor: Actor; emailId: string; personId: string }) {
  const { db, actor } = options;
  const email = await repo.findEmail(db, actor.workspaceId, options.emailId);
  if (!email || (email.review_state !== 'pending' && email.review_state !== 'linked')) throw new AppError('not_found');
  const person = await personOr404(db, actor, options.personId);
  if (email.review_state === 'linked') {
    // Already filed (by hand, or when the person got this address): linking to the same person again is a no-op.
    const links = await people.linksFor(db, actor.workspaceId, [email.id]);
    if (links.some((l) => l.person_id === person.id)) return { linked: 0 };
    throw new AppError('not_found');
  }
  return db.transaction().execute(async (trx) => {
    const rows = await repo.pendingFrom(trx, actor.workspaceId, email.from_address);
    for (const row of rows) {
      await repo.insertLinks(trx, actor.workspaceId, row.id, [{ personId: person.id, role: 'from' }]);
      await recordChange(trx, actor, {
        audit: { action: 'email.linked', entityType: 'email', entityId: row.id, after: { personId: person.id } },
        event: emailEvent(
          'email.received',
          {
            id: row.id,
            direction: row.direction,
            subject: row.subject,
            fromAddress: row.from_address,
            to: row.to_addresses.map((a) => a.address),
            snippet: row.snippet,
            sentAt: new Date(row.sent_at),
          },
          [{ id: person.id, ownerId: person.owner_id, teamId: person.team_id }],
        ),
      });
    }
    await repo.setReviewState(
      trx,
      actor.workspaceId,
      rows.map((r) => r.id),
      'linked',
      actor.userId,
    );
    return { linked: rows.length };
  });
}

export async function dismissReviewed(options: { db: ActivitiesDb; actor: Actor; emailId: string }) {
  const { db, actor } = options;
  const email = await repo.findEmail(db, actor.workspaceId, options.emailId);
  if (email?.review_state !== 'pending') throw new AppError('not_found');
  await db.transaction().execute(async (trx) => {
    await repo.setReviewState(trx, actor.workspaceId, [email.id], 'dismissed', actor.userId);
    await recordChange(trx, actor, {
      audit: { action: 'email.dismissed', entityType: 'email', entityId: email.id },
      event: { type: 'email.dismissed', entityType: 'email', entityId: email.id },
    });
  });
  return { linked: 0 };
}
