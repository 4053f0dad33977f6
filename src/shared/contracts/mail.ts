import { z } from 'zod';

/**
 * Merge fields a template may use, written {{key}} with any of the names listed (Japanese or English).
 * One list for the server's renderer, the web preview and the documentation.
 */
export const mergeFields = [
  { key: 'family_name', names: ['姓', 'family_name', 'last_name'] },
  { key: 'given_name', names: ['名', 'given_name', 'first_name'] },
  { key: 'full_name', names: ['氏名', 'full_name', 'name'] },
  { key: 'family_name_kana', names: ['セイ', 'family_name_kana'] },
  { key: 'given_name_kana', names: ['メイ', 'given_name_kana'] },
  { key: 'company', names: ['会社名', 'company'] },
  { key: 'title', names: ['役職', 'title'] },
  { key: 'email', names: ['メールアドレス', 'email'] },
  { key: 'owner', names: ['担当者', 'owner'] },
  { key: 'sender', names: ['差出人', 'sender'] },
  { key: 'workspace', names: ['自社名', 'workspace'] },
  { key: 'today', names: ['今日', 'today'] },
] as const;
export type MergeFieldKey = (typeof mergeFields)[number]['key'];
export type MergeValues = Partial<Record<MergeFieldKey, string | null>>;

const byName = new Map<string, MergeFieldKey>(mergeFields.flatMap((f) => f.names.map((n) => [n.toLowerCase(), f.key] as const)));
const PLACEHOLDER = /\{\{\s*([^{}]{1,60}?)\s*\}\}/g;

/** Placeholders naming no merge field, in order of appearance, each once. */
export function unknownMergeFields(...texts: string[]): string[] {
  const unknown = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(PLACEHOLDER)) if (!byName.has(m[1]!.toLowerCase())) unknown.add(m[1]!);
  return [...unknown];
}

/** Replace every placeholder; a field without a value becomes empty. Unknown names are left as written. */
export function renderMergeFields(text: string, values: MergeValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const key = byName.get(name.toLowerCase());
    return key ? (values[key] ?? '') : whole;
  });
}

const address = z.string().trim().toLowerCase().pipe(z.email().max(254));
const addressOut = z.object({ address: z.string(), name: z.string().nullable() });

export const smtpSecuritySchema = z.enum(['none', 'starttls', 'tls']);
const host = z.string().trim().min(1).max(253);
const port = z.number().int().min(1).max(65535);
/** A secret is write-only: a string sets it, null removes it, absent keeps it. */
const secret = z.string().max(500).nullable().optional();

/** Why the last IMAP poll or connection test failed; `detail` is at most an error code (never the server's words). */
export const imapErrorKinds = [
  'host_not_allowed',
  'auth_failed',
  'connection_failed',
  'tls_failed',
  'timeout',
  'mailbox_not_found',
  'protocol',
  'internal',
] as const;
export type ImapErrorKind = (typeof imapErrorKinds)[number];
export const imapErrorSchema = z.object({ kind: z.enum(imapErrorKinds), detail: z.string().nullable() });
export type ImapError = z.infer<typeof imapErrorSchema>;

export const mailSettingsSchema = z.object({
  smtp: z.object({
    configured: z.boolean(),
    host: z.string().nullable(),
    port: z.number().nullable(),
    security: smtpSecuritySchema,
    user: z.string().nullable(),
    hasPassword: z.boolean(),
    fromAddress: z.string().nullable(),
    fromName: z.string().nullable(),
  }),
  inbound: z.object({
    /**
     * The BCC / forwarding address: the token before the @, the inbound mail domain after it (MAIL_INBOUND_DOMAIN, else
     * PUBLIC_URL's host when that is a domain name). null while the server knows no such domain: an administrator sets it.
     */
    address: z.string().nullable(),
    token: z.string(),
    receiverRunning: z.boolean(),
  }),
  /** A mailbox polled over IMAP every minute while enabled (password write-only, like SMTP's). */
  imap: z.object({
    enabled: z.boolean(),
    /** Host, user and password are set: the connection can be tested and polled. */
    configured: z.boolean(),
    host: z.string().nullable(),
    port: z.number().nullable(),
    tls: z.boolean(),
    user: z.string().nullable(),
    hasPassword: z.boolean(),
    mailbox: z.string(),
    /** The last poll's start (success or failure). */
    lastPolledAt: z.string().nullable(),
    lastError: imapErrorSchema.nullable(),
    /** Highest UID taken from the mailbox (within its UIDVALIDITY). */
    lastUid: z.number().nullable(),
  }),
  version: z.number(),
  updatedAt: z.string(),
});
export type MailSettings = z.infer<typeof mailSettingsSchema>;

export const mailSettingsPatch = z.object({
  version: z.number().int(),
  smtp: z
    .object({
      host: host.nullable(),
      port: port.nullable(),
      security: smtpSecuritySchema,
      user: z.string().trim().max(254).nullable(),
      password: secret,
      fromAddress: address.nullable(),
      fromName: z.string().trim().max(120).nullable(),
    })
    .partial()
    .optional(),
  /** Enabling needs host, user and password (in the patch or already saved). Changing host, user or mailbox starts from its first message. */
  imap: z
    .object({
      enabled: z.boolean(),
      host: host.nullable(),
      port: port.nullable(),
      tls: z.boolean(),
      user: z.string().trim().min(1).max(254).nullable(),
      password: secret,
      mailbox: z
        .string()
        .trim()
        .min(1)
        .max(200)
        .regex(/^[^\p{Cc}]+$/u),
    })
    .partial()
    .optional(),
  /** Issue a new inbound address; the old one stops working at once. */
  regenerateInboundToken: z.literal(true).optional(),
});
export type MailSettingsPatch = z.infer<typeof mailSettingsPatch>;

export const imapTestResult = z.object({ mailbox: z.string(), messages: z.number() });
export type ImapTestResult = z.infer<typeof imapTestResult>;

/** One poll: `more` when the mailbox holds further new messages (the next poll continues). */
export const imapPollResult = z.object({
  status: z.enum(['polled', 'failed', 'busy']),
  fetched: z.number(),
  stored: z.number(),
  duplicates: z.number(),
  /** Refused like the SMTP receiver refuses (too large, blocked attachment, no From): left in the mailbox, not retried. */
  skipped: z.number(),
  more: z.boolean(),
  error: imapErrorSchema.nullable(),
});
export type ImapPollResult = z.infer<typeof imapPollResult>;

export const testSendBody = z.object({ to: address });

export const templateCreate = z.object({
  name: z.string().trim().min(1).max(120),
  subject: z.string().trim().min(1).max(300),
  body: z.string().min(1).max(50_000),
});
export const templatePatch = templateCreate.partial().extend({ version: z.number().int() });
export const templateSchema = z.object({
  id: z.string(),
  name: z.string(),
  subject: z.string(),
  body: z.string(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EmailTemplate = z.infer<typeof templateSchema>;

/** At most this many files on one composed email. */
export const MAX_MAIL_ATTACHMENTS = 20;
export const draftAttachmentQuery = z.object({ filename: z.string().trim().min(1).max(255) });

export const composeBody = z.object({
  personId: z.uuid(),
  /** Defaults to the person's first email address. */
  to: z.array(address).min(1).max(20).optional(),
  cc: z.array(address).max(20).default([]),
  subject: z.string().trim().min(1).max(300),
  body: z.string().min(1).max(100_000),
  templateId: z.uuid().optional(),
  /** Reply within the thread of this email. */
  replyToEmailId: z.uuid().optional(),
  /** Draft attachments uploaded by the sender (`POST /emails/attachments`); together at most ATTACHMENT_MAX_MB. */
  attachmentIds: z.array(z.uuid()).max(MAX_MAIL_ATTACHMENTS).default([]),
});
export type ComposeBody = z.input<typeof composeBody>;

export const previewBody = z.object({
  personId: z.uuid(),
  subject: z.string().max(300),
  body: z.string().max(100_000),
});
export const previewSchema = z.object({ subject: z.string(), body: z.string(), to: z.array(z.string()) });

const personRef = z.object({ id: z.string(), name: z.string(), role: z.enum(['from', 'to', 'cc']) });
export const attachmentRef = z.object({ id: z.string(), filename: z.string(), contentType: z.string(), size: z.number() });

export const emailSummarySchema = z.object({
  id: z.string(),
  threadId: z.string(),
  direction: z.enum(['in', 'out']),
  source: z.enum(['compose', 'smtp', 'imap', 'system']),
  subject: z.string(),
  from: addressOut,
  to: z.array(addressOut),
  snippet: z.string(),
  sentAt: z.string(),
  attachmentCount: z.number(),
  reviewState: z.enum(['none', 'pending', 'linked', 'dismissed']),
  /** Outgoing mail is 'queued' until the SMTP server accepts it ('sent') or refuses it for good ('failed'). */
  status: z.enum(['queued', 'sent', 'failed']),
  people: z.array(personRef),
});
export type EmailSummary = z.infer<typeof emailSummarySchema>;

export const emailSchema = emailSummarySchema.extend({
  messageId: z.string(),
  inReplyTo: z.string().nullable(),
  cc: z.array(addressOut),
  text: z.string().nullable(),
  /** Sanitised HTML: no scripts, styles or event handlers; remote images removed unless asked for. */
  html: z.string().nullable(),
  hasRemoteImages: z.boolean(),
  /** Why sending failed (the SMTP server's answer), when it did. */
  error: z.string().nullable(),
  attachments: z.array(attachmentRef),
  createdAt: z.string(),
});
export type Email = z.infer<typeof emailSchema>;

export const emailListQuery = z.object({
  personId: z.uuid().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const emailPage = z.object({ data: z.array(emailSummarySchema), nextCursor: z.string().nullable() });
export const emailQuery = z.object({
  remoteImages: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export const threadSchema = z.object({ data: z.array(emailSchema) });

export const reviewLinkBody = z.object({ personId: z.uuid() });
export const reviewResult = z.object({ linked: z.number() });
