import { z } from 'zod';

/** Tasks and follow-ups (タスク), reminders, the daily digest and the calendar feed: shared by the server and the web app. */
export const taskPriorities = ['low', 'normal', 'high'] as const;
export const taskStatuses = ['open', 'done'] as const;
export const taskBuckets = ['overdue', 'today', 'upcoming', 'nodate', 'open', 'done', 'all'] as const;
export type TaskBucket = (typeof taskBuckets)[number];
/** Records a task can be linked to today (deals arrive with the sales module). */
export const taskLinkTypes = ['person', 'company'] as const;

const instant = z.iso.datetime({ offset: true });
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((v) => (v === '' ? null : v));

export const taskLinkInput = z.object({ entityType: z.enum(taskLinkTypes), entityId: z.uuid() });

const taskFields = {
  title: z.string().trim().min(1).max(500),
  description: optionalText(10_000),
  priority: z.enum(taskPriorities),
  /** When it is due. With allDay, only the date counts (in the assignee's time zone). */
  dueAt: instant.nullish(),
  allDay: z.boolean(),
  /** Defaults to the caller. */
  assigneeId: z.uuid().nullish(),
  /** When to remind the assignee (in-app, and by e-mail when they want it). Must be in the future. */
  remindAt: instant.nullish(),
  /** RFC 5545 recurrence rule, e.g. `FREQ=WEEKLY;BYDAY=MO`. Needs dueAt; completing the task creates the next one. */
  rrule: z.string().trim().max(500).nullish(),
  links: z.array(taskLinkInput).max(20),
};

export const taskCreate = z.object({
  ...taskFields,
  priority: taskFields.priority.default('normal'),
  allDay: taskFields.allDay.default(false),
  links: taskFields.links.default([]),
});
export type TaskCreate = z.infer<typeof taskCreate>;

export const taskPatch = z.object({ version: z.number().int(), ...taskFields }).partial({
  title: true,
  description: true,
  priority: true,
  dueAt: true,
  allDay: true,
  assigneeId: true,
  remindAt: true,
  rrule: true,
  links: true,
});
export type TaskPatch = z.infer<typeof taskPatch>;

export const versionBody = z.object({ version: z.number().int() });

export const taskLinkSchema = z.object({
  entityType: z.enum(['person', 'company', 'deal']),
  entityId: z.string(),
  name: z.string().nullable(),
});

export const taskSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  status: z.enum(taskStatuses),
  priority: z.enum(taskPriorities),
  dueAt: z.string().nullable(),
  allDay: z.boolean(),
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  remindAt: z.string().nullable(),
  remindedAt: z.string().nullable(),
  rrule: z.string().nullable(),
  seriesId: z.string().nullable(),
  completedAt: z.string().nullable(),
  completedBy: z.string().nullable(),
  /** The next occurrence created when a recurring task was completed. */
  nextTaskId: z.string().nullable(),
  links: z.array(taskLinkSchema),
  version: z.number(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
  deletedAt: z.string().nullable(),
});
export type Task = z.infer<typeof taskSchema>;

export const taskListQuery = z
  .object({
    /** `me`, a user id, or `any` (everyone's tasks the caller may see). */
    assignee: z.union([z.literal('me'), z.literal('any'), z.uuid()]).default('me'),
    /** overdue / today / upcoming are open tasks by due day in the assignee's time zone. */
    bucket: z.enum(taskBuckets).default('open'),
    entityType: z.enum(taskLinkTypes).optional(),
    entityId: z.uuid().optional(),
    /** Due between from (inclusive) and to (exclusive): the calendar. */
    from: instant.optional(),
    to: instant.optional(),
    trash: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .refine((q) => !q.entityType === !q.entityId, { message: 'entityType and entityId go together', path: ['entityId'] })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['to'] });
export type TaskListQuery = z.infer<typeof taskListQuery>;

export const taskPage = z.object({ data: z.array(taskSchema), nextCursor: z.string().nullable() });

export const taskSummarySchema = z.object({
  timeZone: z.string(),
  today: z.string(),
  counts: z.object({ overdue: z.number(), today: z.number(), upcoming: z.number(), nodate: z.number() }),
});

const timeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'unknown time zone');

export const preferencesSchema = z.object({
  /** Null: the workspace's time zone. */
  timeZone: z.string().nullable(),
  effectiveTimeZone: z.string(),
  digestEnabled: z.boolean(),
  digestHour: z.number(),
  reminderEmail: z.boolean(),
  calendarFeed: z.boolean(),
  calendarTokenCreatedAt: z.string().nullable(),
  version: z.number(),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export const preferencesPatch = z.object({
  version: z.number().int(),
  timeZone: timeZone.nullish(),
  digestEnabled: z.boolean().optional(),
  digestHour: z.number().int().min(0).max(23).optional(),
  reminderEmail: z.boolean().optional(),
});
export type PreferencesPatch = z.infer<typeof preferencesPatch>;

export const calendarTokenSchema = z.object({ url: z.string(), createdAt: z.string() });
