import type { Task, TaskCreate, TaskListQuery, TaskPatch } from '../../../../shared/contracts/tasks.js';
import type { Actor } from '../../../platform/actor.js';
import { type DomainEvent, recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import { userInWorkspace } from '../../accounts/index.js';
import { describeRecords } from '../../customers/index.js';
import type { ActivitiesDb, ActivitiesTx } from '../activities.db.js';
import { userTimeZone, workspaceTimeZone } from './tasks.people.js';
import { presentTasks } from './tasks.presenter.js';
import * as repo from './tasks.repository.js';
import { dayBounds, localDate, nextOccurrence, normalizeRrule } from './tasks.time.js';

/** Puts the reminder job for a task in the caller's transaction (pg-boss `startAfter`): it exists iff the task commits. */
export type ReminderScheduler = (trx: ActivitiesTx, reminder: { workspaceId: string; taskId: string; remindAt: Date }) => Promise<void>;

interface Ctx {
  db: ActivitiesDb;
  actor: Actor;
  scheduleReminder: ReminderScheduler;
}

type Issue = { path: string; code: string };
const MIN_DATE = new Date('2000-01-01T00:00:00Z');
const MAX_DATE = new Date('2100-01-01T00:00:00Z');
// A reminder set "now" from a slow form is still accepted.
const REMIND_GRACE_MS = 60_000;

const link = (id: string) => `/tasks?task=${id}`;

async function present(db: ActivitiesDb, actor: Actor, row: repo.TaskRow): Promise<Task> {
  return (await presentTasks(db, actor, [row]))[0] as Task;
}

function timelineOf(task: Task, occurredAt: string) {
  return {
    kind: 'task',
    occurredAt,
    links: task.links.map((l) => ({ entityType: l.entityType, entityId: l.entityId })),
    summary: {
      title: task.title,
      status: task.status,
      dueAt: task.dueAt,
      assigneeId: task.assigneeId,
      priority: task.priority,
      taskId: task.id,
    },
    sourceType: 'task',
    sourceId: task.id,
  };
}

function taskEvent(type: string, task: Task, payload: Record<string, unknown> = {}): DomainEvent {
  return { type, entityType: 'task', entityId: task.id, ownerId: task.assigneeId, teamId: null, payload };
}

/** Checks what zod cannot: dates in range and not in the past, the rule, the assignee and the linked records. */
async function checkInput(
  trx: ActivitiesDb,
  actor: Actor,
  input: Partial<TaskCreate>,
  options: { timeZone: string; now: Date; checkDue: boolean; checkRemind: boolean },
): Promise<{ rrule: string | null | undefined }> {
  const issues: Issue[] = [];
  const notFound: Issue[] = [];
  const due = input.dueAt ? new Date(input.dueAt) : null;
  if (due && (due < MIN_DATE || due >= MAX_DATE)) issues.push({ path: 'dueAt', code: 'out_of_range' });
  else if (due && options.checkDue && localDate(due, options.timeZone) < localDate(options.now, options.timeZone))
    issues.push({ path: 'dueAt', code: 'in_past' });
  const remind = input.remindAt ? new Date(input.remindAt) : null;
  if (remind && remind >= MAX_DATE) issues.push({ path: 'remindAt', code: 'out_of_range' });
  else if (remind && options.checkRemind && remind.getTime() < options.now.getTime() - REMIND_GRACE_MS)
    issues.push({ path: 'remindAt', code: 'in_past' });
  let rrule: string | null | undefined = input.rrule === '' ? null : input.rrule;
  if (input.rrule) {
    rrule = normalizeRrule(input.rrule);
    if (!rrule) issues.push({ path: 'rrule', code: 'invalid_rrule' });
  }
  if (issues.length) throw new AppError('validation_failed', { issues });
  if (input.assigneeId && !(await userInWorkspace(trx, actor.workspaceId, input.assigneeId)))
    notFound.push({ path: 'assigneeId', code: 'not_found' });
  if (input.links?.length) {
    const found = await describeRecords(trx, actor, input.links);
    input.links.forEach((l, i) => {
      const label = found.get(`${l.entityType}:${l.entityId}`);
      if (!label || label.deleted) notFound.push({ path: `links.${i}.entityId`, code: 'not_found' });
    });
  }
  // Ids that are not in this workspace (or not visible) are "not found", never a hint that they exist elsewhere.
  if (notFound.length) throw new AppError('not_found', { issues: notFound });
  return { rrule };
}

/** All-day tasks are due at the start of their day in the assignee's time zone. */
function dueColumn(dueAt: string | null | undefined, allDay: boolean, timeZone: string): Date | null {
  if (!dueAt) return null;
  const d = new Date(dueAt);
  return allDay ? dayBounds(d, timeZone).start : d;
}

export async function createTask(ctx: Ctx & { input: TaskCreate; now?: Date }): Promise<Task> {
  const { actor, input } = ctx;
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const assigneeId = input.assigneeId ?? actor.userId;
    const timeZone = assigneeId ? await userTimeZone(trx, actor.workspaceId, assigneeId) : await workspaceTimeZone(trx, actor.workspaceId);
    const { rrule } = await checkInput(trx, actor, input, { timeZone, now, checkDue: true, checkRemind: true });
    if (rrule && !input.dueAt) throw new AppError('validation_failed', { issues: [{ path: 'dueAt', code: 'required' }] });
    const id = newId();
    const dueAt = dueColumn(input.dueAt, input.allDay, timeZone);
    const row = await repo.insertTask(trx, {
      workspace_id: actor.workspaceId,
      id,
      title: input.title,
      description: input.description ?? null,
      priority: input.priority,
      due_at: dueAt,
      all_day: Boolean(dueAt) && input.allDay,
      owner_id: assigneeId,
      remind_at: input.remindAt ? new Date(input.remindAt) : null,
      rrule: rrule ?? null,
      series_id: rrule ? id : null,
      series_start_at: rrule ? dueAt : null,
      created_by: actor.userId,
      updated_by: actor.userId,
    });
    await repo.replaceLinks(trx, actor.workspaceId, id, input.links);
    if (row.remind_at) await ctx.scheduleReminder(trx, { workspaceId: actor.workspaceId, taskId: id, remindAt: row.remind_at });
    const task = await present(trx, actor, row);
    const notify =
      task.assigneeId && task.assigneeId !== actor.userId
        ? { userIds: [task.assigneeId], kind: 'task_assigned', params: { title: task.title, dueAt: task.dueAt }, link: link(id) }
        : undefined;
    await recordChange(trx, actor, {
      audit: { action: 'task.created', entityType: 'task', entityId: id, after: task },
      event: taskEvent('task.created', task, { timeline: timelineOf(task, task.createdAt), ...(notify ? { notify } : {}) }),
    });
    return task;
  });
}

async function visibleTask(
  db: ActivitiesDb,
  actor: Actor,
  taskId: string,
  options: { includeDeleted?: boolean; forUpdate?: boolean } = {},
) {
  const row = await repo.findVisibleTask(db, actor, taskId, options);
  if (!row) throw new AppError('not_found');
  return row;
}

export async function getTask(ctx: { db: ActivitiesDb; actor: Actor; taskId: string }): Promise<Task> {
  const row = await visibleTask(ctx.db, ctx.actor, ctx.taskId, { includeDeleted: true });
  return present(ctx.db, ctx.actor, row);
}

/** Optimistic concurrency: a stale version gets 409 with the current task, never a silent merge. */
export async function updateTask(ctx: Ctx & { taskId: string; patch: TaskPatch; now?: Date }): Promise<Task> {
  const { actor, patch } = ctx;
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await visibleTask(trx, actor, ctx.taskId, { forUpdate: true });
    const beforeView = await present(trx, actor, before);
    if (before.version !== patch.version) throw new AppError('conflict', { current: beforeView });
    const assigneeId = patch.assigneeId !== undefined ? (patch.assigneeId ?? actor.userId) : before.owner_id;
    const timeZone = assigneeId ? await userTimeZone(trx, actor.workspaceId, assigneeId) : await workspaceTimeZone(trx, actor.workspaceId);
    const dueChanged =
      patch.dueAt !== undefined && (patch.dueAt ? new Date(patch.dueAt).getTime() : null) !== (before.due_at?.getTime() ?? null);
    const remindChanged =
      patch.remindAt !== undefined &&
      (patch.remindAt ? new Date(patch.remindAt).getTime() : null) !== (before.remind_at?.getTime() ?? null);
    const { rrule } = await checkInput(
      trx,
      actor,
      { ...patch, assigneeId: patch.assigneeId ?? undefined },
      {
        timeZone,
        now,
        checkDue: dueChanged,
        checkRemind: remindChanged,
      },
    );
    const allDay = patch.allDay ?? before.all_day;
    const dueAt =
      patch.dueAt !== undefined || patch.allDay !== undefined
        ? dueColumn(patch.dueAt !== undefined ? patch.dueAt : before.due_at?.toISOString(), allDay, timeZone)
        : before.due_at;
    const nextRrule = rrule !== undefined ? rrule : before.rrule;
    if (nextRrule && !dueAt) throw new AppError('validation_failed', { issues: [{ path: 'dueAt', code: 'required' }] });
    const set: repo.TaskSet = {
      updated_by: actor.userId,
      owner_id: assigneeId,
      due_at: dueAt,
      all_day: Boolean(dueAt) && allDay,
    };
    if (patch.title !== undefined) set.title = patch.title;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.priority !== undefined) set.priority = patch.priority;
    if (rrule !== undefined) {
      set.rrule = rrule;
      set.series_id = rrule ? (before.series_id ?? before.id) : before.series_id;
      set.series_start_at = rrule ? (before.rrule === rrule && before.series_start_at ? before.series_start_at : dueAt) : null;
    }
    if (remindChanged) {
      set.remind_at = patch.remindAt ? new Date(patch.remindAt) : null;
      set.reminded_at = null;
      set.reminder_emailed_at = null;
    }
    const row = await repo.updateTask(trx, actor.workspaceId, before.id, set);
    if (patch.links) await repo.replaceLinks(trx, actor.workspaceId, before.id, patch.links);
    if (remindChanged && row.remind_at)
      await ctx.scheduleReminder(trx, { workspaceId: actor.workspaceId, taskId: row.id, remindAt: row.remind_at });
    const after = await present(trx, actor, row);
    const reassigned = after.assigneeId !== beforeView.assigneeId && after.assigneeId && after.assigneeId !== actor.userId;
    await recordChange(trx, actor, {
      audit: { action: 'task.updated', entityType: 'task', entityId: before.id, before: beforeView, after },
      event: taskEvent('task.updated', after, {
        changed: changedKeys(beforeView, after),
        ...(reassigned
          ? {
              notify: {
                userIds: [after.assigneeId],
                kind: 'task_assigned',
                params: { title: after.title, dueAt: after.dueAt },
                link: link(after.id),
              },
            }
          : {}),
      }),
    });
    return after;
  });
}

function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>) {
  return Object.keys(b).filter(
    (k) => !['version', 'updatedAt', 'updatedBy', 'assigneeName'].includes(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]),
  );
}

/** Done. A recurring task makes its next occurrence in the same transaction (same links, same reminder offset). */
export async function completeTask(ctx: Ctx & { taskId: string; version: number; now?: Date }): Promise<Task> {
  const { actor } = ctx;
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await visibleTask(trx, actor, ctx.taskId, { forUpdate: true });
    const beforeView = await present(trx, actor, before);
    if (before.version !== ctx.version) throw new AppError('conflict', { current: beforeView });
    if (before.status === 'done') return beforeView;
    let nextId: string | null = null;
    if (before.rrule && before.due_at) {
      const timeZone = before.owner_id
        ? await userTimeZone(trx, actor.workspaceId, before.owner_id)
        : await workspaceTimeZone(trx, actor.workspaceId);
      // Completed late: the next one is the first occurrence from now on, not one already in the past.
      const after = new Date(Math.max(before.due_at.getTime(), now.getTime()));
      const nextDue = nextOccurrence(before.rrule, before.series_start_at ?? before.due_at, after, timeZone);
      if (nextDue) nextId = await createNextOccurrence(ctx, trx, before, nextDue);
    }
    const row = await repo.updateTask(trx, actor.workspaceId, before.id, {
      status: 'done',
      completed_at: now,
      completed_by: actor.userId,
      next_task_id: nextId,
      updated_by: actor.userId,
    });
    const after = await present(trx, actor, row);
    await recordChange(trx, actor, {
      audit: { action: 'task.completed', entityType: 'task', entityId: before.id, before: beforeView, after },
      event: taskEvent('task.completed', after, { timeline: timelineOf(after, after.completedAt as string), nextTaskId: nextId }),
    });
    return after;
  });
}

async function createNextOccurrence(ctx: Ctx, trx: ActivitiesTx, before: repo.TaskRow, nextDue: Date): Promise<string> {
  const { actor } = ctx;
  const id = newId();
  const offset = before.remind_at && before.due_at ? before.due_at.getTime() - before.remind_at.getTime() : null;
  const row = await repo.insertTask(trx, {
    workspace_id: actor.workspaceId,
    id,
    title: before.title,
    description: before.description,
    priority: before.priority,
    due_at: nextDue,
    all_day: before.all_day,
    owner_id: before.owner_id,
    team_id: before.team_id,
    remind_at: offset === null ? null : new Date(nextDue.getTime() - offset),
    rrule: before.rrule,
    series_id: before.series_id ?? before.id,
    series_start_at: before.series_start_at ?? before.due_at,
    created_by: actor.userId,
    updated_by: actor.userId,
  });
  const links = await repo.linksOf(trx, actor.workspaceId, [before.id]);
  await repo.replaceLinks(
    trx,
    actor.workspaceId,
    id,
    links.map((l) => ({ entityType: l.entity_type, entityId: l.entity_id })),
  );
  if (row.remind_at) await ctx.scheduleReminder(trx, { workspaceId: actor.workspaceId, taskId: id, remindAt: row.remind_at });
  const task = await present(trx, actor, row);
  await recordChange(trx, actor, {
    audit: { action: 'task.created', entityType: 'task', entityId: id, after: task },
    event: taskEvent('task.created', task, { timeline: timelineOf(task, task.createdAt), previousTaskId: before.id }),
  });
  return id;
}

export async function reopenTask(ctx: Ctx & { taskId: string; version: number }): Promise<Task> {
  const { actor } = ctx;
  return ctx.db.transaction().execute(async (trx) => {
    const before = await visibleTask(trx, actor, ctx.taskId, { forUpdate: true });
    const beforeView = await present(trx, actor, before);
    if (before.version !== ctx.version) throw new AppError('conflict', { current: beforeView });
    if (before.status === 'open') return beforeView;
    const row = await repo.updateTask(trx, actor.workspaceId, before.id, {
      status: 'open',
      completed_at: null,
      completed_by: null,
      updated_by: actor.userId,
    });
    const after = await present(trx, actor, row);
    await recordChange(trx, actor, {
      audit: { action: 'task.reopened', entityType: 'task', entityId: before.id, before: beforeView, after },
      event: taskEvent('task.reopened', after),
    });
    return after;
  });
}

/** Moves a task to the trash, or back (restore). */
export async function trashTask(ctx: Ctx & { taskId: string; restore?: boolean }): Promise<Task> {
  const { actor } = ctx;
  return ctx.db.transaction().execute(async (trx) => {
    const before = await visibleTask(trx, actor, ctx.taskId, { forUpdate: true, includeDeleted: true });
    if (Boolean(before.deleted_at) !== Boolean(ctx.restore)) throw new AppError('not_found');
    const row = await repo.updateTask(trx, actor.workspaceId, before.id, {
      deleted_at: ctx.restore ? null : new Date(),
      deleted_by: ctx.restore ? null : actor.userId,
      updated_by: actor.userId,
    });
    const task = await present(trx, actor, row);
    const action = ctx.restore ? 'task.restored' : 'task.deleted';
    await recordChange(trx, actor, {
      audit: {
        action,
        entityType: 'task',
        entityId: before.id,
        before: { deletedAt: before.deleted_at },
        after: { deletedAt: task.deletedAt },
      },
      event: taskEvent(action, task),
    });
    return task;
  });
}

async function resolveAssignee(db: ActivitiesDb, actor: Actor, assignee: TaskListQuery['assignee']) {
  if (assignee === 'any') return null;
  const id = assignee === 'me' ? actor.userId : assignee;
  if (!id) throw new AppError('validation_failed', { issues: [{ path: 'assignee', code: 'invalid' }] });
  if (assignee !== 'me' && !(await userInWorkspace(db, actor.workspaceId, id))) throw new AppError('not_found');
  return id;
}

function decodeCursor(cursor: string): [string | null, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && (v[0] === null || typeof v[0] === 'string') && typeof v[1] === 'string') {
      if (/^[0-9a-f-]{36}$/.test(v[1]) && (v[0] === null || !Number.isNaN(Date.parse(v[0])))) return v as [string | null, string];
    }
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', { issues: [{ path: 'cursor', code: 'invalid' }] });
}

export async function listTasks(options: { db: ActivitiesDb; actor: Actor; query: TaskListQuery; now?: Date }) {
  const { db, actor, query } = options;
  const assigneeId = await resolveAssignee(db, actor, query.assignee);
  const tzUser = assigneeId ?? actor.userId;
  const timeZone = tzUser ? await userTimeZone(db, actor.workspaceId, tzUser) : await workspaceTimeZone(db, actor.workspaceId);
  const bounds = dayBounds(options.now ?? new Date(), timeZone);
  const { rows, next } = await repo.listTasks(db, actor, {
    assigneeId,
    bucket: query.bucket,
    dayStart: bounds.start,
    dayEnd: bounds.end,
    entity: query.entityType && query.entityId ? { type: query.entityType, id: query.entityId } : undefined,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    trash: query.trash,
    cursor: query.cursor ? decodeCursor(query.cursor) : undefined,
    limit: query.limit,
  });
  return {
    data: await presentTasks(db, actor, rows),
    nextCursor: next ? Buffer.from(JSON.stringify(next)).toString('base64url') : null,
  };
}

/**
 * Counts of open tasks by bucket: the assignee's, today being their day in their time zone; or (`any`) every task
 * the caller may see — a manager's view of the team — in the caller's day.
 */
export async function taskSummary(options: { db: ActivitiesDb; actor: Actor; assignee: TaskListQuery['assignee']; now?: Date }) {
  const { db, actor } = options;
  const assigneeId = await resolveAssignee(db, actor, options.assignee);
  const timeZone = await userTimeZone(db, actor.workspaceId, assigneeId ?? (actor.userId as string));
  const bounds = dayBounds(options.now ?? new Date(), timeZone);
  const counts = await repo.countBuckets(db, actor, assigneeId, bounds.start, bounds.end);
  return { timeZone, today: bounds.today, counts };
}
