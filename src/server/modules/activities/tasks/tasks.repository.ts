import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Task, TaskBucket } from '../../../../shared/contracts/tasks.js';
import type { Actor } from '../../../platform/actor.js';
import type { TaskLinks, Tasks } from '../../../platform/db/schema.js';
import type { ActivitiesDb } from '../activities.db.js';
import { whereTaskVisible } from '../activities.policy.js';

/** The only SQL on tasks and task_links (the digest's is in digest.repository.ts, preferences' in preferences.repository.ts). */

/** Status and priority narrowed to the contract's values (the table's CHECKs). */
export type TaskNarrowed = { status: Task['status']; priority: Task['priority'] };
export type TaskRow = Omit<Selectable<Tasks>, 'status' | 'priority'> & TaskNarrowed;
export type TaskInsert = Insertable<Tasks>;
export type TaskSet = Updateable<Tasks>;

export type LinkRow = Omit<Selectable<TaskLinks>, 'workspace_id' | 'entity_type'> & { entity_type: Task['links'][number]['entityType'] };

export async function insertTask(db: ActivitiesDb, row: TaskInsert): Promise<TaskRow> {
  return db.insertInto('tasks').values(row).returningAll().$narrowType<TaskNarrowed>().executeTakeFirstOrThrow();
}

export async function findTask(
  db: ActivitiesDb,
  workspaceId: string,
  id: string,
  options: { includeDeleted?: boolean; forUpdate?: boolean } = {},
): Promise<TaskRow | undefined> {
  let q = db.selectFrom('tasks').selectAll().$narrowType<TaskNarrowed>().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (!options.includeDeleted) q = q.where('deleted_at', 'is', null);
  if (options.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The task if the actor may see it (the visibility rule in the query): undefined for a hidden one as for an unknown one. */
export async function findVisibleTask(
  db: ActivitiesDb,
  actor: Actor,
  id: string,
  options: { includeDeleted?: boolean; forUpdate?: boolean } = {},
): Promise<TaskRow | undefined> {
  let q = db
    .selectFrom('tasks as t')
    .selectAll('t')
    .$narrowType<TaskNarrowed>()
    .where('t.workspace_id', '=', actor.workspaceId)
    .where('t.id', '=', id);
  q = whereTaskVisible(q, actor);
  if (!options.includeDeleted) q = q.where('t.deleted_at', 'is', null);
  if (options.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateTask(db: ActivitiesDb, workspaceId: string, id: string, set: TaskSet): Promise<TaskRow> {
  return db
    .updateTable('tasks')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .$narrowType<TaskNarrowed>()
    .executeTakeFirstOrThrow();
}

export async function replaceLinks(
  db: ActivitiesDb,
  workspaceId: string,
  taskId: string,
  links: { entityType: string; entityId: string }[],
) {
  await db.deleteFrom('task_links').where('workspace_id', '=', workspaceId).where('task_id', '=', taskId).execute();
  if (links.length)
    await db
      .insertInto('task_links')
      .values(links.map((l) => ({ workspace_id: workspaceId, task_id: taskId, entity_type: l.entityType, entity_id: l.entityId })))
      .onConflict((oc) => oc.doNothing())
      .execute();
}

/** A merged record's task links move to the survivor (a task linked to both keeps one link). */
export async function moveLinks(db: ActivitiesDb, workspaceId: string, entityType: string, fromId: string, toId: string) {
  await sql`INSERT INTO task_links (workspace_id, task_id, entity_type, entity_id)
    SELECT workspace_id, task_id, entity_type, ${toId}::uuid FROM task_links
     WHERE workspace_id = ${workspaceId} AND entity_type = ${entityType} AND entity_id = ${fromId}::uuid
    ON CONFLICT DO NOTHING`.execute(db);
  await db
    .deleteFrom('task_links')
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', fromId)
    .execute();
}

export async function linksOf(db: ActivitiesDb, workspaceId: string, taskIds: string[]): Promise<LinkRow[]> {
  if (!taskIds.length) return [];
  return db
    .selectFrom('task_links')
    .select(['task_id', 'entity_type', 'entity_id'])
    .$narrowType<Pick<LinkRow, 'entity_type'>>()
    .where('workspace_id', '=', workspaceId)
    .where('task_id', 'in', taskIds)
    .orderBy('entity_type')
    .orderBy('entity_id')
    .execute();
}

export interface TaskQuery {
  assigneeId: string | null;
  bucket: TaskBucket;
  /** Start of today and of tomorrow in the assignee's time zone. */
  dayStart: Date;
  dayEnd: Date;
  entity?: { type: string; id: string };
  from?: Date;
  to?: Date;
  trash: boolean;
  cursor?: [string | null, string];
  limit: number;
}

type Order = 'due' | 'done' | 'trash';
export const orderOf = (q: Pick<TaskQuery, 'bucket' | 'trash'>): Order => (q.trash ? 'trash' : q.bucket === 'done' ? 'done' : 'due');

function filtered(db: ActivitiesDb, actor: Actor, q: Omit<TaskQuery, 'cursor' | 'limit'>) {
  let query = db.selectFrom('tasks as t').selectAll('t').$narrowType<TaskNarrowed>().where('t.workspace_id', '=', actor.workspaceId);
  query = q.trash ? query.where('t.deleted_at', 'is not', null) : query.where('t.deleted_at', 'is', null);
  if (q.assigneeId) query = query.where('t.owner_id', '=', q.assigneeId);
  if (!q.trash) {
    switch (q.bucket) {
      case 'overdue':
        query = query.where('t.status', '=', 'open').where('t.due_at', '<', q.dayStart);
        break;
      case 'today':
        query = query.where('t.status', '=', 'open').where('t.due_at', '>=', q.dayStart).where('t.due_at', '<', q.dayEnd);
        break;
      case 'upcoming':
        query = query.where('t.status', '=', 'open').where('t.due_at', '>=', q.dayEnd);
        break;
      case 'nodate':
        query = query.where('t.status', '=', 'open').where('t.due_at', 'is', null);
        break;
      case 'open':
        query = query.where('t.status', '=', 'open');
        break;
      case 'done':
        query = query.where('t.status', '=', 'done');
        break;
      case 'all':
        break;
    }
  }
  if (q.from) query = query.where('t.due_at', '>=', q.from);
  if (q.to) query = query.where('t.due_at', '<', q.to);
  if (q.entity) {
    const e = q.entity;
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('task_links as l')
          .select(sql`1`.as('one'))
          .whereRef('l.workspace_id', '=', 't.workspace_id')
          .whereRef('l.task_id', '=', 't.id')
          .where('l.entity_type', '=', e.type)
          .where('l.entity_id', '=', e.id),
      ),
    );
  }
  return whereTaskVisible(query, actor);
}

/** Keyset pages: open tasks by due time (no date last), done tasks and the trash newest first. */
export async function listTasks(
  db: ActivitiesDb,
  actor: Actor,
  q: TaskQuery,
): Promise<{ rows: TaskRow[]; next: [string | null, string] | null }> {
  const order = orderOf(q);
  let query = filtered(db, actor, q);
  const c = q.cursor;
  if (order === 'due') {
    if (c && c[0] !== null) {
      const at = new Date(c[0]);
      query = query.where((eb) =>
        eb.or([eb('t.due_at', '>', at), eb.and([eb('t.due_at', '=', at), eb('t.id', '>', c[1])]), eb('t.due_at', 'is', null)]),
      );
    } else if (c) query = query.where('t.due_at', 'is', null).where('t.id', '>', c[1]);
    query = query.orderBy('t.due_at', 'asc').orderBy('t.id', 'asc');
  } else {
    const col = order === 'done' ? 't.completed_at' : 't.deleted_at';
    if (c && c[0] !== null) {
      const at = new Date(c[0]);
      query = query.where((eb) => eb.or([eb(col, '<', at), eb.and([eb(col, '=', at), eb('t.id', '<', c[1])])]));
    }
    query = query.orderBy(col, 'desc').orderBy('t.id', 'desc');
  }
  const rows = await query.limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  if (rows.length <= q.limit || !last) return { rows: page, next: null };
  const key = order === 'due' ? last.due_at : order === 'done' ? last.completed_at : last.deleted_at;
  return { rows: page, next: [key ? new Date(key).toISOString() : null, last.id] };
}

/** Open tasks by bucket: one assignee's, or (null) every task the actor may see. */
export async function countBuckets(db: ActivitiesDb, actor: Actor, assigneeId: string | null, dayStart: Date, dayEnd: Date) {
  return whereTaskVisible(
    db
      .selectFrom('tasks as t')
      .where('t.workspace_id', '=', actor.workspaceId)
      .$if(assigneeId !== null, (q) => q.where('t.owner_id', '=', assigneeId as string))
      .where('t.status', '=', 'open')
      .where('t.deleted_at', 'is', null)
      .select([
        sql<number>`count(*) FILTER (WHERE t.due_at < ${dayStart})::int`.as('overdue'),
        sql<number>`count(*) FILTER (WHERE t.due_at >= ${dayStart} AND t.due_at < ${dayEnd})::int`.as('today'),
        sql<number>`count(*) FILTER (WHERE t.due_at >= ${dayEnd})::int`.as('upcoming'),
        sql<number>`count(*) FILTER (WHERE t.due_at IS NULL)::int`.as('nodate'),
      ]),
    actor,
  ).executeTakeFirstOrThrow();
}

/**
 * Claims a due reminder: sets reminded_at only if it is still unset and still due, so a job that runs twice
 * (or the sweep and the job together) fires it once.
 */
export async function claimReminder(db: ActivitiesDb, workspaceId: string, taskId: string, now: Date): Promise<TaskRow | undefined> {
  return db
    .updateTable('tasks')
    .set({ reminded_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', taskId)
    .where('reminded_at', 'is', null)
    .where('status', '=', 'open')
    .where('deleted_at', 'is', null)
    .where('remind_at', '<=', now)
    .returningAll()
    .$narrowType<TaskNarrowed>()
    .executeTakeFirst();
}

/** Claims the reminder e-mail of a fired reminder, the same way. */
export async function claimReminderEmail(db: ActivitiesDb, workspaceId: string, taskId: string): Promise<TaskRow | undefined> {
  return db
    .updateTable('tasks')
    .set({ reminder_emailed_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', taskId)
    .where('reminder_emailed_at', 'is', null)
    .returningAll()
    .$narrowType<TaskNarrowed>()
    .executeTakeFirst();
}

/** Reminders that are due and not fired, in every workspace (served by tasks_reminders_due). */
export async function dueReminders(db: ActivitiesDb, now: Date, limit: number) {
  return db
    .selectFrom('tasks')
    .select(['workspace_id', 'id'])
    .where('reminded_at', 'is', null)
    .where('status', '=', 'open')
    .where('deleted_at', 'is', null)
    .where('remind_at', '<=', now)
    .orderBy('remind_at')
    .limit(limit)
    .execute();
}

/** A user's tasks with a due time in a window, for the calendar feed (served by tasks_assignee_open / tasks_due). */
export async function tasksForFeed(db: ActivitiesDb, workspaceId: string, userId: string, from: Date, limit: number) {
  return db
    .selectFrom('tasks')
    .selectAll()
    .$narrowType<TaskNarrowed>()
    .where('workspace_id', '=', workspaceId)
    .where('owner_id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('due_at', '>=', from)
    .orderBy('due_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}
