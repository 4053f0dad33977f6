import type { ModulePlugin } from '../../../platform/http/app.js';
import { registerPersonalDataProvider } from '../../customers/index.js';
import { activitiesDb } from '../activities.db.js';
import { makeNotificationsConsumer } from '../notifications/notifications.service.js';
import { personalActivities } from './activities.privacy.js';
import { makeTimelineConsumer } from './timeline.consumer.js';

/** The read models of this module are built by event consumers, never by other modules writing into them. */
export const timelineSubscriptions: ModulePlugin = (app, { bus, database, config }) => {
  const db = activitiesDb(database.db);
  bus.subscribe('timeline', '*', makeTimelineConsumer(db, { log: app.log, config }));
  bus.subscribe('notifications', '*', makeNotificationsConsumer(db, app.log));
  registerPersonalDataProvider('activities', personalActivities);
};
