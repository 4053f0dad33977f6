import type { Email, EmailSummary } from '../../../../shared/contracts/mail.js';
import type { LinkRow } from './email.people.js';
import type { EmailRow, SummaryRow } from './email.repository.js';
import { withoutRemoteImages } from './email-html.js';

type Attachment = { id: string; filename: string; contentType: string; size: number };

function people(links: LinkRow[], emailId: string) {
  return links.filter((l) => l.email_id === emailId).map((l) => ({ id: l.person_id, name: l.name, role: l.role }));
}

export function presentSummary(row: SummaryRow, links: LinkRow[]): EmailSummary {
  return {
    id: row.id,
    threadId: row.thread_id,
    direction: row.direction,
    source: row.source,
    subject: row.subject,
    from: { address: row.from_address, name: row.from_name },
    to: row.to_addresses.map((a) => ({ address: a.address, name: a.name ?? null })),
    snippet: row.snippet,
    sentAt: new Date(row.sent_at).toISOString(),
    attachmentCount: row.attachment_count,
    reviewState: row.review_state,
    status: row.status,
    people: people(links, row.id),
  };
}

export function presentEmail(row: EmailRow, links: LinkRow[], attachments: Attachment[], options: { remoteImages: boolean }): Email {
  return {
    ...presentSummary(row, links),
    messageId: row.message_id,
    inReplyTo: row.in_reply_to,
    cc: row.cc_addresses.map((a) => ({ address: a.address, name: a.name ?? null })),
    text: row.text_body,
    html: row.html_body && !options.remoteImages && row.has_remote_images ? withoutRemoteImages(row.html_body) : row.html_body,
    hasRemoteImages: row.has_remote_images,
    error: row.last_error,
    attachments,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
