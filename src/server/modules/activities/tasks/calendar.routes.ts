import { z } from 'zod';
import { calendarTokenSchema, preferencesPatch, preferencesSchema } from '../../../../shared/contracts/tasks.js';
import type { Actor } from '../../../platform/actor.js';
import type { App, ModuleDeps } from '../../../platform/http/app.js';
import { activitiesDb } from '../activities.db.js';
import * as calendar from './calendar.service.js';

const ok = z.object({ ok: z.literal(true) });

/** The signed-in user's notification preferences (digest, reminder e-mail, time zone) and calendar feed. */
export async function calendarRoutes(app: App, { database, config }: ModuleDeps) {
  const db = activitiesDb(database.db);
  const who = (a: Actor | null) => a as Actor;

  app.get(
    '/api/v1/me/notification-preferences',
    { config: { access: 'authenticated' }, schema: { tags: ['tasks'], response: { 200: preferencesSchema } } },
    async (req) => calendar.getPreferences({ db, actor: who(req.actor) }),
  );
  app.patch(
    '/api/v1/me/notification-preferences',
    { config: { access: 'authenticated' }, schema: { tags: ['tasks'], body: preferencesPatch, response: { 200: preferencesSchema } } },
    async (req) => calendar.updatePreferences({ db, actor: who(req.actor), patch: req.body }),
  );
  app.post(
    '/api/v1/me/calendar-feed',
    { config: { access: 'authenticated' }, schema: { tags: ['tasks'], response: { 201: calendarTokenSchema } } },
    async (req, reply) =>
      reply.status(201).send(await calendar.regenerateCalendarToken({ db, actor: who(req.actor), publicUrl: config.publicUrl })),
  );
  app.delete(
    '/api/v1/me/calendar-feed',
    { config: { access: 'authenticated' }, schema: { tags: ['tasks'], response: { 200: ok } } },
    async (req) => {
      await calendar.revokeCalendarToken({ db, actor: who(req.actor) });
      return { ok: true as const };
    },
  );
  // For calendar apps: the secret token in the URL is the only credential.
  app.get(
    '/api/v1/calendar/:token.ics',
    {
      config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: { tags: ['tasks'], params: z.object({ token: z.string().max(200) }) },
    },
    async (req, reply) => {
      const body = await calendar.calendarFeed({ db, token: req.params.token, publicUrl: config.publicUrl });
      return reply
        .type('text/calendar; charset=utf-8')
        .header('cache-control', 'private, max-age=300')
        .header('content-disposition', 'inline; filename="tasks.ics"')
        .send(body);
    },
  );
}
