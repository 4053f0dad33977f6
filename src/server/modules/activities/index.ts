import type { ModulePlugin } from '../../platform/http/app.js';
import { activitiesRoutes } from './activities.routes.js';
import { activityCountsRoutes } from './activity-counts.js';
import { calendarRoutes } from './calendar.routes.js';
import { mailRoutes } from './mail.routes.js';
import { notificationsRoutes } from './notifications.routes.js';
import { tasksRoutes } from './tasks.routes.js';
import { timelineRoutes } from './timeline.routes.js';
import { timelineSubscriptions } from './timeline.subscriptions.js';

export { type AttachmentOwnerType, registerAttachmentOwner, type StoredAttachment, storeAttachment } from './attachments.js';

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
