import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { type AddressObject, simpleParser } from 'mailparser';
import { systemActor } from '../../../platform/actor.js';
import type { Config } from '../../../platform/config.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import { type InboundEnvelope, type InboundHandler, InboundRejection } from '../../../platform/mail-receiver.js';
import type { ActivitiesDb, ActivitiesTx } from '../activities.db.js';
import { storeAttachment } from '../timeline/attachments.js';
import { emailEvent } from './email.events.js';
import { adminIds, peopleByAddress, userAddresses } from './email.people.js';
import * as repo from './email.repository.js';
import { sanitizeMailHtml, snippetOf } from './email-html.js';
import { findWorkspaceByInboundToken } from './mail.repository.js';

type Deps = { db: ActivitiesDb; config: Pick<Config, 'attachments'>; log?: FastifyBaseLogger };

/**
 * Text of a message as PostgreSQL can store it: a NUL (an encoded word or body may decode to one) is dropped and an
 * unpaired surrogate becomes U+FFFD. Unstored, such a message failed its insert on every retry: the SMTP sender was
 * told to try later for ever and the IMAP poller stopped at it on every poll.
 */
function storable(s: string): string;
function storable(s: string | null | undefined): string | null | undefined;
function storable(s: string | null | undefined) {
  return typeof s === 'string' ? s.replaceAll('\u0000', '').replace(/\p{Cs}/gu, '\ufffd') : s;
}

/** The workspace an envelope recipient belongs to: `<inbound token>@<any host>`. */
export async function workspaceForRecipient(db: ActivitiesDb, address: string): Promise<string | undefined> {
  const local = address.split('@')[0]?.trim().toLowerCase() ?? '';
  if (!/^[a-z0-9]{10,64}$/.test(local)) return undefined;
  return findWorkspaceByInboundToken(db, local);
}

/** What the built-in SMTP receiver calls: 550 for unknown recipients, one stored copy per workspace addressed. */
export function makeInboundHandler(deps: Deps): InboundHandler {
  return {
    acceptRecipient: async (address) => Boolean(await workspaceForRecipient(deps.db, address)),
    deliver: async (raw: Buffer, envelope: InboundEnvelope) => {
      const workspaces = new Set<string>();
      for (const rcpt of envelope.rcptTo) {
        const ws = await workspaceForRecipient(deps.db, rcpt);
        if (ws) workspaces.add(ws);
      }
      for (const workspaceId of workspaces) await receiveMessage(deps, { workspaceId, raw, source: 'smtp' });
    },
  };
}

function addresses(obj: AddressObject | AddressObject[] | undefined): { address: string; name: string | null }[] {
  const list = Array.isArray(obj) ? obj : obj ? [obj] : [];
  const out: { address: string; name: string | null }[] = [];
  const walk = (items: AddressObject['value']) => {
    for (const a of items) {
      if (a.group) walk(a.group);
      else if (a.address && /^[^@\s]+@[^@\s]+$/.test(a.address))
        out.push({ address: storable(a.address.toLowerCase()), name: storable(a.name) || null });
    }
  };
  for (const o of list) walk(o.value);
  return out;
}

export type ReceiveResult = { status: 'stored' | 'duplicate'; emailId: string | null };

/**
 * Store one inbound message: parse, drop duplicates (same Message-ID in the workspace), sanitise the HTML,
 * thread it, link it to the people whose addresses appear, keep its attachments, and emit `email.received`
 * (timeline entries, or a notification to administrators when nobody is known). Permanent problems are
 * InboundRejection (5xx); the transaction stores all or nothing.
 */
export async function receiveMessage(
  deps: Deps,
  input: {
    workspaceId: string;
    raw: Buffer;
    source: 'smtp' | 'imap';
    /** Runs in the storing transaction (the IMAP poller saves its progress with the message). */
    onStored?: (trx: ActivitiesTx) => Promise<void>;
  },
): Promise<ReceiveResult> {
  const { db, config } = deps;
  const { workspaceId, raw } = input;
  let parsed: Awaited<ReturnType<typeof simpleParser>>;
  try {
    parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
  } catch {
    throw new InboundRejection(550, '5.6.0 Malformed message');
  }
  const from = addresses(parsed.from)[0];
  if (!from) throw new InboundRejection(550, '5.6.0 Malformed message: no valid From address');
  const to = addresses(parsed.to);
  const cc = addresses(parsed.cc);
  // Without a Message-ID the content itself identifies the message, so a redelivery is still a duplicate.
  const messageId = storable(parsed.messageId || `<${createHash('sha256').update(raw).digest('hex')}@no-message-id.invalid>`).slice(0, 998);
  if (await repo.messageIdExists(db, workspaceId, messageId)) return { status: 'duplicate', emailId: null };

  for (const a of parsed.attachments) {
    if (a.size > config.attachments.maxBytes) {
      throw new InboundRejection(552, `5.3.4 Attachment ${a.filename ?? ''} exceeds ${config.attachments.maxBytes} bytes`);
    }
  }

  const refs = [
    ...new Set([
      ...(Array.isArray(parsed.references) ? parsed.references : parsed.references ? [parsed.references] : []).map((r) => storable(r)),
      ...(parsed.inReplyTo ? [storable(parsed.inReplyTo)] : []),
    ]),
  ].slice(-50);
  const threadId = await repo.threadFor(db, workspaceId, refs);
  const id = newId();
  const html = typeof parsed.html === 'string' ? sanitizeMailHtml(storable(parsed.html)) : null;
  const text = storable(parsed.text) ?? null;
  const subject = storable(parsed.subject ?? '');
  const sentAt = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : new Date();

  const roles = [
    { role: 'from' as const, list: [from] },
    { role: 'to' as const, list: to },
    { role: 'cc' as const, list: cc },
  ];
  const allAddresses = [...new Set(roles.flatMap((r) => r.list.map((a) => a.address)))];
  const matches = await peopleByAddress(db, workspaceId, allAddresses);
  const links = roles.flatMap((r) =>
    r.list.flatMap((a) => matches.filter((m) => m.address === a.address).map((m) => ({ personId: m.id, role: r.role }))),
  );
  const people = [...new Map(matches.map((m) => [m.id, m])).values()];
  // Mail a user sent from their own client and BCC'd to the CRM is outgoing.
  const direction = (await userAddresses(db, workspaceId, [from.address])).size ? 'out' : 'in';
  const pending = people.length === 0;
  const snippet = storable(snippetOf(text));

  try {
    return await db.transaction().execute(async (trx) => {
      const inserted = await repo.insertEmail(trx, {
        workspace_id: workspaceId,
        id,
        thread_id: threadId ?? id,
        direction,
        source: input.source,
        message_id: messageId,
        in_reply_to: storable(parsed.inReplyTo) ?? null,
        refs,
        subject: storable(subject.slice(0, 1000)),
        from_address: from.address,
        from_name: from.name,
        to_addresses: JSON.stringify(to),
        cc_addresses: JSON.stringify(cc),
        headers: JSON.stringify(pickHeaders(parsed.headers)),
        text_body: text,
        html_body: html?.html ?? null,
        has_remote_images: html?.hasRemoteImages ?? false,
        snippet,
        size_bytes: raw.length,
        attachment_count: parsed.attachments.length,
        sent_at: sentAt,
        review_state: pending ? 'pending' : 'none',
        created_by: null,
      });
      if (!inserted) return { status: 'duplicate', emailId: null } satisfies ReceiveResult;
      await repo.insertLinks(trx, workspaceId, id, links);
      for (const a of parsed.attachments.filter((x) => x.content.length > 0)) {
        await storeAttachment(trx, config, {
          workspaceId,
          ownerType: 'email',
          ownerId: id,
          filename: storable(a.filename) || 'attachment',
          contentType: storable(a.contentType) || 'application/octet-stream',
          content: a.content,
        });
      }
      const notify = pending
        ? {
            notify: {
              userIds: await adminIds(trx, workspaceId),
              kind: 'email_unmatched',
              params: { from: from.address, subject },
              link: '/mail/review',
            },
          }
        : {};
      const facts = {
        id,
        direction,
        subject,
        fromAddress: from.address,
        to: to.map((a) => a.address),
        snippet,
        sentAt,
      } as const;
      await recordChange(trx, systemActor(workspaceId), {
        audit: {
          action: 'email.received',
          entityType: 'email',
          entityId: id,
          // No addresses or subject in the audit trail: an erasure removes the message, not audit rows.
          after: { messageId, direction, pending },
        },
        event: emailEvent('email.received', facts, people, notify),
      });
      await input.onStored?.(trx);
      return { status: 'stored', emailId: id } satisfies ReceiveResult;
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'attachment_too_large') throw new InboundRejection(552, '5.3.4 Attachment too large');
    if (err instanceof AppError && err.code === 'attachment_type_blocked') {
      throw new InboundRejection(554, '5.7.1 Attachment type not accepted');
    }
    if (err instanceof AppError && err.code === 'validation_failed') throw new InboundRejection(550, '5.6.0 Malformed attachment');
    throw err;
  }
}

const KEPT_HEADERS = ['date', 'reply-to', 'list-id', 'auto-submitted', 'x-mailer', 'user-agent'];

function pickHeaders(headers: Map<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEPT_HEADERS) {
    const v = headers.get(k);
    if (v === undefined || v === null) continue;
    const s = typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : ((v as { text?: string }).text ?? JSON.stringify(v));
    out[k] = storable(s.slice(0, 500));
  }
  return out;
}
