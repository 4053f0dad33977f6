import type { FastifyBaseLogger } from 'fastify';
import type { Actor } from '../../../platform/actor.js';
import type { Config } from '../../../platform/config.js';
import { type OutboxEvent, recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import type { ActivitiesDb } from '../activities.db.js';
import { listAttachments, readAttachmentFiles } from '../timeline/attachments.js';
import { emailEvent } from './email.events.js';
import { linksFor } from './email.people.js';
import * as repo from './email.repository.js';
import { findSettings } from './mail.repository.js';
import { type SendFailureDetails, sendWithSettings, smtpConfigured } from './outgoing-mail.js';

/** Temporary SMTP trouble (4xx, no connection) is retried this many times before the mail counts as failed. */
export const MAX_SEND_ATTEMPTS = 5;

/** The author, for the audit row and the timeline's actor of the sent mail. */
function authorOf(row: repo.EmailRow): Actor {
  return {
    kind: row.created_by ? 'user' : 'system',
    workspaceId: row.workspace_id,
    userId: row.created_by,
    role: 'member',
    teamIds: [],
    teammateIds: [],
    visibility: 'all',
    locale: 'ja',
  };
}

/**
 * Consumer of `email.queued`: sends the stored message with its own Message-ID, then records 'sent' with
 * `email.sent` (timeline entries per linked person) or, for a permanent refusal, 'failed' with a
 * notification to the author. A temporary failure throws, so the event is retried (pg-boss backoff).
 * At least once: a crash right after the server accepted the message sends it again with the same Message-ID.
 */
export function makeEmailSender(
  db: ActivitiesDb,
  config: Pick<Config, 'secretKey' | 'dataDir' | 'attachments' | 'mailAllowPrivateHosts'>,
  log?: FastifyBaseLogger,
) {
  return async (event: OutboxEvent) => {
    if (event.type !== 'email.queued' || !event.entityId) return;
    const ws = event.workspaceId;
    const row = await db.transaction().execute((trx) => repo.lockQueued(trx, ws, event.entityId as string));
    if (!row) return; // sent, failed, or being sent by another worker
    const settings = await findSettings(db, ws);
    let failure: { reason: string; permanent: boolean } | null = null;
    // Each file is a stream read while the message is sent; one left unread (a failed send) is closed afterwards.
    const files = row.attachment_count > 0 && smtpConfigured(settings) ? await readAttachmentFiles(db, config, ws, 'email', row.id) : [];
    if (!smtpConfigured(settings)) {
      failure = { reason: 'mail_not_configured', permanent: true };
    } else if (!files) {
      failure = { reason: 'attachment_missing', permanent: true };
    } else {
      try {
        await sendWithSettings(settings, config, {
          to: row.to_addresses.map((a) => a.address),
          cc: row.cc_addresses.map((a) => a.address),
          subject: row.subject,
          text: row.text_body ?? '',
          html: row.html_body ?? undefined,
          messageId: row.message_id,
          inReplyTo: row.in_reply_to ?? undefined,
          references: row.refs.length ? row.refs : undefined,
          attachments: files,
        });
      } catch (err) {
        for (const f of files) f.content.destroy();
        // The reply code and a fixed kind (never the server's text); an internal host stays refused until the settings change.
        const details = (err instanceof AppError ? err.details : {}) as Partial<SendFailureDetails>;
        const code = details.smtpCode ?? null;
        failure = {
          reason: [code, details.kind].filter(Boolean).join(' ') || 'mail_send_failed',
          permanent: (code !== null && code >= 500) || details.kind === 'host_not_allowed',
        };
      }
    }
    const author = authorOf(row);
    if (!failure) {
      // Date headers have whole seconds: so does the record, so a quick reply never sorts before it.
      const sentAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      await db.transaction().execute(async (trx) => {
        await repo.setSendOutcome(trx, ws, row.id, { status: 'sent', last_error: null, sent_at: sentAt });
        const links = await linksFor(trx, ws, [row.id]);
        const people = [...new Map(links.map((l) => [l.person_id, { id: l.person_id, ownerId: l.owner_id, teamId: l.team_id }])).values()];
        const attachments = (await listAttachments(trx, ws, 'email', [row.id])).map((a) => ({
          id: a.id,
          filename: a.filename,
          size: a.size,
        }));
        await recordChange(trx, author, {
          audit: { action: 'email.sent', entityType: 'email', entityId: row.id, after: { messageId: row.message_id } },
          event: emailEvent(
            'email.sent',
            {
              id: row.id,
              direction: 'out',
              subject: row.subject,
              fromAddress: row.from_address,
              to: row.to_addresses.map((a) => a.address),
              snippet: row.snippet,
              sentAt,
              attachments,
            },
            people,
          ),
        });
      });
      return;
    }
    const lastTry = failure.permanent || row.send_attempts + 1 >= MAX_SEND_ATTEMPTS;
    await db.transaction().execute(async (trx) => {
      await repo.setSendOutcome(trx, ws, row.id, { status: lastTry ? 'failed' : 'queued', last_error: failure.reason.slice(0, 1000) });
      if (!lastTry) return;
      await recordChange(trx, author, {
        audit: { action: 'email.failed', entityType: 'email', entityId: row.id, after: { reason: failure.reason.slice(0, 1000) } },
        event: {
          type: 'email.failed',
          entityType: 'email',
          entityId: row.id,
          payload: row.created_by
            ? {
                notify: {
                  userIds: [row.created_by],
                  kind: 'email_failed',
                  params: { subject: row.subject, reason: failure.reason.slice(0, 200) },
                  link: `/emails/${row.id}`,
                },
              }
            : {},
        },
      });
    });
    if (!lastTry) {
      log?.warn({ module: 'mail', emailId: row.id, attempt: row.send_attempts + 1 }, 'mail send failed; will retry');
      throw new Error(`mail send failed (attempt ${row.send_attempts + 1}): ${failure.reason}`);
    }
  };
}
