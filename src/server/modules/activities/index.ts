import type { Transaction } from 'kysely';
import type { Config } from '../../platform/config.js';
import type { ModulePlugin } from '../../platform/http/app.js';
import { activitiesTx } from './activities.db.js';
import { mailRoutes } from './mail/mail.routes.js';
import { notificationsRoutes } from './notifications/notifications.routes.js';
import { calendarRoutes } from './tasks/calendar.routes.js';
import { tasksRoutes } from './tasks/tasks.routes.js';
import { activitiesRoutes } from './timeline/activities.routes.js';
import { activityCountsRoutes } from './timeline/activity-counts.js';
import { moveFilesAtStart } from './timeline/attachment-content.js';
import { type NewAttachment, storeAttachment as store } from './timeline/attachments.js';
import { timelineRoutes } from './timeline/timeline.routes.js';
import { timelineSubscriptions } from './timeline/timeline.subscriptions.js';

export { type AttachmentOwnerType, type NewAttachment, registerAttachmentOwner, type StoredAttachment } from './timeline/attachments.js';

/** Port: a file for another module's record, stored in the caller's transaction (size, type and name checks). */
export function storeAttachment<D>(trx: Transaction<D>, config: Pick<Config, 'attachments'>, input: NewAttachment) {
  return store(activitiesTx(trx), config, input);
}

/** Timeline, activities (notes, calls, meetings, messages), tasks, notifications and email. */
const parts: ModulePlugin[] = [
  timelineSubscriptions,
  activitiesRoutes,
  moveFilesAtStart,
  activityCountsRoutes,
  timelineRoutes,
  notificationsRoutes,
  tasksRoutes,
  calendarRoutes,
  mailRoutes,
];

export const activitiesModule: ModulePlugin = async (app, deps) => {
  for (const part of parts) await part(app, deps);
};
