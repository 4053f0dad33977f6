import { z } from 'zod';

/** Records a timeline hangs on. People and companies are looked up; deals and leads carry their owner on the link. */
export const timelineEntityTypes = ['person', 'company', 'deal', 'lead'] as const;
export type TimelineEntityType = (typeof timelineEntityTypes)[number];

/** Activities a user logs by hand. `form` entries come from web forms (a later module) through events. */
export const activityKinds = ['note', 'call', 'meeting', 'sms', 'chat'] as const;
export type ActivityKind = (typeof activityKinds)[number];

/** Every kind a timeline can hold; other modules add entries of their kinds through events. */
export const timelineKinds = [
  'note',
  'call',
  'meeting',
  'sms',
  'chat',
  'form',
  'change',
  'task',
  'email',
  'deal',
  'lead',
  'purchase',
  'ticket',
] as const;

export const callOutcomes = ['connected', 'no_answer', 'voicemail', 'busy', 'wrong_number'] as const;
export const directions = ['in', 'out'] as const;

const text = (max: number) => z.string().trim().max(max);

export const activityLink = z.object({
  entityType: z.enum(['person', 'company', 'deal', 'lead']),
  entityId: z.uuid(),
});

const base = {
  subject: text(200).optional(),
  body: text(20_000).default(''),
  /** When it happened; default now. */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  links: z.array(activityLink).min(1).max(20),
  /** Users mentioned with @name: each gets a notification. */
  mentionIds: z.array(z.uuid()).max(50).default([]),
};

export const callDetails = z.object({
  direction: z.enum(directions),
  durationSeconds: z.number().int().min(0).max(86_400).optional(),
  outcome: z.enum(callOutcomes).optional(),
});
export const meetingDetails = z
  .object({
    attendees: z.array(text(200).min(1)).max(100).default([]),
    place: text(300).optional(),
    startAt: z.iso.datetime({ offset: true }),
    endAt: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((m) => !m.endAt || Date.parse(m.endAt) >= Date.parse(m.startAt), {
    path: ['endAt'],
    message: 'endAt must not be before startAt',
  });
export const messageDetails = z.object({ direction: z.enum(directions) });

export const activityCreate = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('note'), ...base }),
  z.object({ kind: z.literal('call'), ...base, call: callDetails }),
  z.object({ kind: z.literal('meeting'), ...base, meeting: meetingDetails }),
  z.object({ kind: z.literal('sms'), ...base, message: messageDetails }),
  z.object({ kind: z.literal('chat'), ...base, message: messageDetails }),
]);
export type ActivityCreate = z.infer<typeof activityCreate>;

export const activityPatch = z.object({
  version: z.number().int().min(1),
  subject: text(200).nullable().optional(),
  body: text(20_000).optional(),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  call: callDetails.optional(),
  meeting: meetingDetails.optional(),
  message: messageDetails.optional(),
});
export type ActivityPatch = z.infer<typeof activityPatch>;

export const attachmentSchema = z.object({
  id: z.string(),
  filename: z.string(),
  size: z.number(),
  contentType: z.string(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const activitySchema = z.object({
  id: z.string(),
  kind: z.enum(activityKinds),
  subject: z.string().nullable(),
  body: z.string(),
  occurredAt: z.string(),
  details: z.record(z.string(), z.unknown()),
  links: z.array(z.object({ entityType: z.enum(timelineEntityTypes), entityId: z.string() })),
  mentionIds: z.array(z.string()),
  attachments: z.array(attachmentSchema),
  version: z.number(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});
export type Activity = z.infer<typeof activitySchema>;

export const timelineEntrySchema = z.object({
  id: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  occurredAt: z.string(),
  kind: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  sourceType: z.string().nullable(),
  sourceId: z.string().nullable(),
  /** The person a company's entry came through (roll-up), else null. */
  via: z.object({ entityType: z.string(), entityId: z.string() }).nullable(),
  summary: z.record(z.string(), z.unknown()),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

const csvList = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .max(500)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)).max(values.length));

export const timelineQuery = z.object({
  /** Comma-separated kinds, e.g. `call,meeting`. */
  kinds: csvList(timelineKinds).optional(),
  actorId: z.uuid().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const timelineParams = z.object({ entityType: z.enum(timelineEntityTypes), entityId: z.uuid() });

export const timelinePage = z.object({ data: z.array(timelineEntrySchema), nextCursor: z.string().nullable() });
export const feedEntrySchema = timelineEntrySchema.extend({ entityLabel: z.string().nullable() });
export const feedPage = z.object({ data: z.array(feedEntrySchema), nextCursor: z.string().nullable() });
export type FeedEntry = z.infer<typeof feedEntrySchema>;

export const notificationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  params: z.record(z.string(), z.unknown()),
  link: z.string().nullable(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Notification = z.infer<typeof notificationSchema>;
export const notificationQuery = z.object({
  unread: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export const notificationPage = z.object({ data: z.array(notificationSchema), nextCursor: z.string().nullable(), unreadCount: z.number() });

/** Upload: the file is the raw request body; its name travels in the query string. */
export const attachmentUploadQuery = z.object({ filename: z.string().trim().min(1).max(255) });

/**
 * What any module puts in an event's payload to add timeline entries (see docs/activities.md).
 * `mode: 'replace'` rewrites the entries of the same source (an edited note); `'remove'` deletes them.
 */
export const timelinePayload = z.object({
  kind: z.string().min(1).max(40),
  occurredAt: z.string().optional(),
  links: z
    .array(
      z.object({
        entityType: z.enum(timelineEntityTypes),
        entityId: z.uuid(),
        ownerId: z.uuid().nullish(),
        teamId: z.uuid().nullish(),
        /** The record's name as the feed shows it (people and companies are looked up instead). */
        label: z.string().max(200).nullish(),
      }),
    )
    .max(100),
  summary: z.record(z.string(), z.unknown()).default({}),
  sourceType: z.string().max(40).optional(),
  sourceId: z.uuid().optional(),
  /** Who did it, when not the event's actor (an edit keeps the author of the activity). */
  actorId: z.uuid().nullish(),
  mode: z.enum(['add', 'replace', 'remove']).default('add'),
});
export type TimelinePayload = z.input<typeof timelinePayload>;

/** What any module puts in an event's payload to notify users. */
export const notifyPayload = z.object({
  userIds: z.array(z.uuid()).max(1000),
  kind: z.string().min(1).max(60),
  params: z.record(z.string(), z.unknown()).default({}),
  link: z.string().max(500).optional(),
  /** the linked record's owner and team: a recipient whose visibility hides that record is not notified */
  record: z.object({ ownerId: z.uuid().nullable(), teamId: z.uuid().nullable() }).optional(),
});
export type NotifyPayload = z.input<typeof notifyPayload>;
