import { CompiledQuery } from 'kysely';
import type PgBoss from 'pg-boss';
import { systemActor } from '../../../platform/actor.js';
import type { Config } from '../../../platform/config.js';
import type { EventBus } from '../../../platform/events/bus.js';
import type { OutboxEvent } from '../../../platform/events/outbox.js';
import { recordChange } from '../../../platform/events/outbox.js';
import type { ActivitiesDb, ActivitiesTx } from '../activities.db.js';
import { sendWorkspaceMail } from '../mail/outgoing-mail.js';
import { runDigests } from './digest.service.js';
import { reminderMail } from './tasks.mail.js';
import { reminderRecipient } from './tasks.people.js';
import * as repo from './tasks.repository.js';
import type { ReminderScheduler } from './tasks.service.js';

export const REMIND_QUEUE = 'task.remind';
export const SWEEP_QUEUE = 'task.reminder-sweep';
export const DIGEST_QUEUE = 'task.digest';

interface RemindJob {
  workspaceId: string;
  taskId: string;
}

/** pg-boss writes its job through our transaction, so the reminder job commits (or not) with the task. */
const inTransaction = (trx: ActivitiesTx) => ({
  executeSql: (text: string, values: unknown[]) => trx.executeQuery(CompiledQuery.raw(text, values)),
});

export function makeReminderScheduler(bus: EventBus): ReminderScheduler {
  return async (trx, r) => {
    await bus.jobs.send(REMIND_QUEUE, { workspaceId: r.workspaceId, taskId: r.taskId } satisfies RemindJob, {
      startAfter: r.remindAt,
      db: inTransaction(trx),
      retryLimit: 5,
      retryBackoff: true,
    });
  };
}

/**
 * Fires one reminder: marks it sent and emits `task.reminded` (in-app notification through the outbox; the
 * e-mail is sent by the event's consumer). Returns false when it was already fired, moved, done or deleted.
 */
export async function fireReminder(db: ActivitiesDb, job: RemindJob, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await repo.claimReminder(trx, job.workspaceId, job.taskId, now);
    if (!row) return false;
    const payload = {
      taskId: row.id,
      title: row.title,
      dueAt: row.due_at ? row.due_at.toISOString() : null,
      remindAt: row.remind_at ? row.remind_at.toISOString() : null,
      ...(row.owner_id
        ? {
            notify: {
              userIds: [row.owner_id],
              kind: 'task_reminder',
              params: { title: row.title, dueAt: row.due_at ? row.due_at.toISOString() : null },
              link: `/tasks?task=${row.id}`,
            },
          }
        : {}),
    };
    await recordChange(trx, systemActor(job.workspaceId), {
      audit: { action: 'task.reminded', entityType: 'task', entityId: row.id, after: { remindedAt: now.toISOString() } },
      event: { type: 'task.reminded', entityType: 'task', entityId: row.id, ownerId: row.owner_id, teamId: row.team_id, payload },
    });
    return true;
  });
}

/** Catches every due reminder whose job was lost (or ran while no worker was up): reminders survive restarts. */
export async function sweepReminders(db: ActivitiesDb, now = new Date()): Promise<number> {
  let fired = 0;
  for (;;) {
    const due = await repo.dueReminders(db, now, 200);
    for (const r of due) if (await fireReminder(db, { workspaceId: r.workspace_id, taskId: r.id }, now)) fired++;
    if (due.length < 200) return fired;
  }
}

/** The reminder e-mail, once per reminder (claimed in the transaction that is open while the mail is sent). */
export async function sendReminderMail(db: ActivitiesDb, config: Config, event: OutboxEvent): Promise<boolean> {
  const taskId = event.entityId;
  if (!taskId) return false;
  return db.transaction().execute(async (trx) => {
    const row = await repo.claimReminderEmail(trx, event.workspaceId, taskId);
    if (!row?.owner_id) return false;
    const recipient = await reminderRecipient(trx, event.workspaceId, row.owner_id);
    if (recipient?.status !== 'active' || !recipient.reminder_email) return false;
    const mail = reminderMail(row, recipient, config.publicUrl);
    // An SMTP error throws: the claim rolls back and the event is retried.
    const sent = await sendWorkspaceMail(trx, config, event.workspaceId, { to: recipient.email, ...mail });
    return sent !== null;
  });
}

/** Declares the task queues, workers and schedules; the first sweep runs at start so nothing waits a minute. */
export function registerTaskJobs(bus: EventBus, db: ActivitiesDb, config: Config) {
  // A merged person's or company's tasks follow it to the survivor.
  bus.subscribe('task-merge', ['person.merged', 'company.merged'], async (event) => {
    const { survivorId, mergedId } = event.payload;
    if (typeof survivorId !== 'string' || typeof mergedId !== 'string') return;
    const entityType = event.type === 'company.merged' ? 'company' : 'person';
    await db.transaction().execute((trx) => repo.moveLinks(trx, event.workspaceId, entityType, mergedId, survivorId));
  });
  bus.subscribe('task-reminder-mail', ['task.reminded'], async (event) => {
    await sendReminderMail(db, config, event);
  });
  bus.onStart(async (boss: PgBoss, { workers }) => {
    for (const q of [REMIND_QUEUE, SWEEP_QUEUE, DIGEST_QUEUE]) await boss.createQueue(q);
    if (!workers) return;
    await boss.work<RemindJob>(REMIND_QUEUE, { batchSize: 20, pollingIntervalSeconds: 1 }, async (jobs) => {
      for (const job of jobs) await fireReminder(db, job.data);
    });
    await boss.work(SWEEP_QUEUE, { pollingIntervalSeconds: 5 }, async () => {
      await sweepReminders(db);
    });
    await boss.work(DIGEST_QUEUE, { pollingIntervalSeconds: 5 }, async () => {
      await runDigests(db, config);
    });
    await boss.schedule(SWEEP_QUEUE, '* * * * *');
    await boss.schedule(DIGEST_QUEUE, '* * * * *');
    await boss.send(SWEEP_QUEUE, {});
  });
}
