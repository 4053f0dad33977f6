import type { FastifyBaseLogger } from 'fastify';
import { notifyPayload } from '../../../../shared/contracts/activities.js';
import { type Actor, systemActor } from '../../../platform/actor.js';
import { emitEvent, type OutboxEvent } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { userActor, userInWorkspace, userNames } from '../../accounts/index.js';
import type { ActivitiesDb } from '../activities.db.js';
import { maySeeOwned } from '../activities.policy.js';
import { decodeCursor, encodeCursor } from '../timeline/timeline.repository.js';
import * as repo from './notifications.repository.js';

/**
 * Creates a notification per user for any event whose payload has `notify`, then pushes a
 * `notification.created` change (entityId = the user) so that user's bell refreshes live.
 */
export function makeNotificationsConsumer(db: ActivitiesDb, log?: FastifyBaseLogger) {
  return async function handle(event: OutboxEvent): Promise<void> {
    const raw = event.payload?.notify;
    if (raw === undefined || event.type.startsWith('notification.')) return;
    const parsed = notifyPayload.safeParse(raw);
    if (!parsed.success) {
      log?.warn({ module: 'notifications', type: event.type, eventId: event.eventId, issues: parsed.error.issues }, 'bad notify payload');
      return;
    }
    const n = parsed.data;
    const userIds: string[] = [];
    for (const id of new Set(n.userIds)) {
      if (!n.record) {
        if (await userInWorkspace(db, event.workspaceId, id)) userIds.push(id);
        continue;
      }
      // a mention on a record the recipient may not see would leak its label and text
      const recipient = await userActor(db, event.workspaceId, id);
      if (recipient && maySeeOwned(recipient, n.record)) userIds.push(id);
    }
    await db.transaction().execute(async (trx) => {
      const added = await repo.insertNotifications(
        trx,
        userIds.map((userId) => ({
          workspaceId: event.workspaceId,
          userId,
          kind: n.kind,
          params: n.params,
          link: n.link ?? null,
          actorId: event.actorId,
          eventId: event.eventId,
        })),
      );
      for (const userId of added) {
        // ownerId = the recipient: under own/team visibility nobody else's stream gets it.
        await emitEvent(trx, systemActor(event.workspaceId), {
          type: 'notification.created',
          entityType: 'notification',
          entityId: userId,
          ownerId: userId,
          payload: { kind: n.kind },
        });
      }
    });
  };
}

type NotificationRow = Awaited<ReturnType<typeof repo.listNotifications>>[number];

function present(r: NotificationRow, names: Map<string, string>) {
  return {
    id: r.id,
    kind: r.kind,
    params: r.params,
    link: r.link,
    actorId: r.actor_id,
    actorName: (r.actor_id && names.get(r.actor_id)) || null,
    readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

function me(actor: Actor): string {
  if (!actor.userId) throw new AppError('forbidden');
  return actor.userId;
}

export async function listNotifications(options: { db: ActivitiesDb; actor: Actor; unread: boolean; cursor?: string; limit: number }) {
  const { db, actor } = options;
  const cursor = decodeCursor(options.cursor);
  if (cursor === 'bad') throw new AppError('validation_failed', { issues: [{ path: 'cursor', code: 'invalid' }] });
  const rows = await repo.listNotifications(db, {
    workspaceId: actor.workspaceId,
    userId: me(actor),
    unread: options.unread,
    cursor,
    limit: options.limit,
  });
  const more = rows.length > options.limit;
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  // The actors' names of the page, through accounts' port: one read per page.
  const names = await userNames(
    db,
    actor.workspaceId,
    page.flatMap((r) => (r.actor_id ? [r.actor_id] : [])),
  );
  return {
    data: page.map((r) => present(r, names)),
    nextCursor: more && last ? encodeCursor({ occurred_at: last.created_at, id: last.id }) : null,
    unreadCount: await repo.countUnread(db, actor.workspaceId, me(actor)),
  };
}

export async function unreadCount(options: { db: ActivitiesDb; actor: Actor }) {
  return repo.countUnread(options.db, options.actor.workspaceId, me(options.actor));
}

/** Reading is the user's own state, not a record change: no audit row, but the other tabs hear of it. */
export async function markRead(options: { db: ActivitiesDb; actor: Actor; notificationId?: string }) {
  const { db, actor } = options;
  const userId = me(actor);
  return db.transaction().execute(async (trx) => {
    if (options.notificationId && !(await repo.findNotification(trx, actor.workspaceId, userId, options.notificationId))) {
      throw new AppError('not_found');
    }
    const count = await repo.markRead(trx, actor.workspaceId, userId, options.notificationId);
    if (count > 0) {
      await emitEvent(trx, actor, { type: 'notification.read', entityType: 'notification', entityId: userId, ownerId: userId });
    }
    return count;
  });
}
