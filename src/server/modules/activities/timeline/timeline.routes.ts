import { feedPage, timelineKinds, timelinePage, timelineParams, timelineQuery } from '../../../../shared/contracts/activities.js';
import type { Actor } from '../../../platform/actor.js';
import type { App, ModuleDeps } from '../../../platform/http/app.js';
import { activitiesDb } from '../activities.db.js';
import * as timeline from './timeline.service.js';

/** A record's timeline and the team feed. Both are read models built from events by the timeline consumer. */
export async function timelineRoutes(app: App, { database }: ModuleDeps) {
  const db = activitiesDb(database.db);
  const who = (a: Actor | null) => a as Actor;

  app.get(
    '/api/v1/timeline/:entityType/:entityId',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['timeline'],
        description: `Entries on one record (a company includes its people's entries), newest first. Kinds: ${timelineKinds.join(', ')}.`,
        params: timelineParams,
        querystring: timelineQuery,
        response: { 200: timelinePage },
      },
    },
    async (req) => timeline.listTimeline({ db, actor: who(req.actor), ...req.params, ...req.query }),
  );
  app.get(
    '/api/v1/feed',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['timeline'],
        description: 'The team feed: every timeline event once, on records the caller may see, newest first.',
        querystring: timelineQuery,
        response: { 200: feedPage },
      },
    },
    async (req) => timeline.listFeed({ db, actor: who(req.actor), ...req.query }),
  );
}
