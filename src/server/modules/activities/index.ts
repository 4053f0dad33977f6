import type { ModulePlugin } from '../../platform/http/app.js';
import { mailRoutes } from './mail/mail.routes.js';
import { notificationsRoutes } from './notifications/notifications.routes.js';
import { calendarRoutes } from './tasks/calendar.routes.js';
import { tasksRoutes } from './tasks/tasks.routes.js';
import { activitiesRoutes } from './timeline/activities.routes.js';
import { activityCountsRoutes } from './timeline/activity-counts.js';
import { timelineRoutes } from './timeline/timeline.routes.js';
import { timelineSubscriptions } from './timeline/timeline.subscriptions.js';

export { type AttachmentOwnerType, registerAttachmentOwner, type StoredAttachment, storeAttachment } from './timeline/attachments.js';

/** Timeline, activities (notes, calls, meetings, messages), tasks, notifications and email. */
const parts: ModulePlugin[] = [
  timelineSubscriptions,
  activitiesRoutes,
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
