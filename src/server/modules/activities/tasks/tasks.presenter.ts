import type { Task } from '../../../../shared/contracts/tasks.js';
import type { Actor } from '../../../platform/actor.js';
import { userNames } from '../../accounts/index.js';
import { describeRecords } from '../../customers/index.js';
import type { ActivitiesDb } from '../activities.db.js';
import { type LinkRow, linksOf, type TaskRow } from './tasks.repository.js';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

export function presentTask(r: TaskRow, links: Task['links'], assigneeName: string | null): Task {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    status: r.status,
    priority: r.priority,
    dueAt: iso(r.due_at),
    allDay: r.all_day,
    assigneeId: r.owner_id,
    assigneeName,
    remindAt: iso(r.remind_at),
    remindedAt: iso(r.reminded_at),
    rrule: r.rrule,
    seriesId: r.series_id,
    completedAt: iso(r.completed_at),
    completedBy: r.completed_by,
    nextTaskId: r.next_task_id,
    links,
    version: r.version,
    createdAt: iso(r.created_at) as string,
    createdBy: r.created_by,
    updatedAt: iso(r.updated_at) as string,
    updatedBy: r.updated_by,
    deletedAt: iso(r.deleted_at),
  };
}

/**
 * Tasks with their assignees' names and their linked records' names (records the actor may not see keep their id,
 * without a name): one read of each per page, through accounts' and customers' ports.
 */
export async function presentTasks(db: ActivitiesDb, actor: Actor, rows: TaskRow[]): Promise<Task[]> {
  const links = await linksOf(
    db,
    actor.workspaceId,
    rows.map((r) => r.id),
  );
  const labels = await describeRecords(
    db,
    actor,
    links
      .filter((l): l is LinkRow & { entity_type: 'person' | 'company' } => l.entity_type !== 'deal')
      .map((l) => ({
        entityType: l.entity_type,
        entityId: l.entity_id,
      })),
  );
  const byTask = new Map<string, Task['links']>();
  for (const l of links) {
    const list = byTask.get(l.task_id) ?? [];
    list.push({ entityType: l.entity_type, entityId: l.entity_id, name: labels.get(`${l.entity_type}:${l.entity_id}`)?.name ?? null });
    byTask.set(l.task_id, list);
  }
  const assignees = await userNames(
    db,
    actor.workspaceId,
    rows.flatMap((r) => (r.owner_id ? [r.owner_id] : [])),
  );
  return rows.map((r) => presentTask(r, byTask.get(r.id) ?? [], (r.owner_id && assignees.get(r.owner_id)) || null));
}
