import type { TimelinePayload } from '../../../../shared/contracts/activities.js';
import type { DomainEvent } from '../../../platform/events/outbox.js';

export interface EmailFacts {
  id: string;
  direction: 'in' | 'out';
  subject: string;
  fromAddress: string;
  to: string[];
  snippet: string;
  sentAt: Date;
  /** Listed (downloadable) on the timeline entry. */
  attachments?: { id: string; filename: string; size: number }[];
}

/** `email.sent` / `email.received`: the timeline consumer writes one entry per linked person (and their company). */
export function emailEvent(
  type: 'email.sent' | 'email.received',
  email: EmailFacts,
  people: { id: string; ownerId: string | null; teamId: string | null }[],
  extra: Record<string, unknown> = {},
): DomainEvent {
  const timeline: TimelinePayload = {
    kind: 'email',
    occurredAt: email.sentAt.toISOString(),
    links: people.map((p) => ({ entityType: 'person', entityId: p.id, ownerId: p.ownerId, teamId: p.teamId })),
    summary: {
      subject: email.subject,
      from: email.fromAddress,
      to: email.to.join(', '),
      snippet: email.snippet,
      direction: email.direction,
      emailId: email.id,
      ...(email.attachments?.length ? { attachments: email.attachments } : {}),
    },
    sourceType: 'email',
    sourceId: email.id,
  };
  return {
    type,
    entityType: 'email',
    entityId: email.id,
    payload: { ...(people.length ? { timeline } : {}), ...extra },
  };
}
