import type { Task } from '../../../../shared/contracts/tasks.js';
import type { Actor } from '../../../platform/actor.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { describeRecords } from '../../customers/index.js';
import { type LinkRow, linksOf, type TaskRow } from './tasks.repository.js';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

export function presentTask(r: TaskRow, links: Task['links']): Task {
  return {
    id: r.id,
    title: r.title,
    description: r.description ?? null,
    status: r.status,
    priority: r.priority,
    dueAt: iso(r.due_at),
    allDay: r.all_day,
    assigneeId: r.owner_id,
    assigneeName: (r.assignee_name as string | null | undefined) ?? null,
    remindAt: iso(r.remind_at),
    remindedAt: iso(r.reminded_at),
    rrule: r.rrule ?? null,
    seriesId: r.series_id ?? null,
    completedAt: iso(r.completed_at),
    completedBy: r.completed_by ?? null,
    nextTaskId: r.next_task_id ?? null,
    links,
    version: r.version,
    createdAt: iso(r.created_at) as string,
    createdBy: r.created_by ?? null,
    updatedAt: iso(r.updated_at) as string,
    updatedBy: r.updated_by ?? null,
    deletedAt: iso(r.deleted_at),
  };
}

/** Tasks with their linked records' names (records the actor may not see keep their id, without a name). */
export async function presentTasks(db: DbOrTx, actor: Actor, rows: TaskRow[]): Promise<Task[]> {
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
  return rows.map((r) => presentTask(r, byTask.get(r.id) ?? []));
}
