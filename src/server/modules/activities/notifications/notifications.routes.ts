import { z } from 'zod';
import { idParams } from '../../../../shared/contracts/accounts.js';
import { notificationPage, notificationQuery } from '../../../../shared/contracts/activities.js';
import type { Actor } from '../../../platform/actor.js';
import type { App, ModuleDeps } from '../../../platform/http/app.js';
import { activitiesDb } from '../activities.db.js';
import * as notifications from './notifications.service.js';

const marked = z.object({ ok: z.literal(true), count: z.number() });

/** The signed-in user's notifications (the bell). */
export async function notificationsRoutes(app: App, { database }: ModuleDeps) {
  const db = activitiesDb(database.db);
  const who = (a: Actor | null) => a as Actor;

  app.get(
    '/api/v1/notifications',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['notifications'], querystring: notificationQuery, response: { 200: notificationPage } },
    },
    async (req) => notifications.listNotifications({ db, actor: who(req.actor), ...req.query }),
  );
  app.get(
    '/api/v1/notifications/unread-count',
    { config: { access: 'authenticated' }, schema: { tags: ['notifications'], response: { 200: z.object({ count: z.number() }) } } },
    async (req) => ({ count: await notifications.unreadCount({ db, actor: who(req.actor) }) }),
  );
  app.post(
    '/api/v1/notifications/:id/read',
    { config: { access: 'authenticated' }, schema: { tags: ['notifications'], params: idParams, response: { 200: marked } } },
    async (req) => ({
      ok: true as const,
      count: await notifications.markRead({ db, actor: who(req.actor), notificationId: req.params.id }),
    }),
  );
  app.post(
    '/api/v1/notifications/read-all',
    { config: { access: 'authenticated' }, schema: { tags: ['notifications'], response: { 200: marked } } },
    async (req) => ({ ok: true as const, count: await notifications.markRead({ db, actor: who(req.actor) }) }),
  );
}
