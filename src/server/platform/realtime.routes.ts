import type { Actor } from './actor.js';
import type { App, ModuleDeps } from './http/app.js';

/** GET /api/v1/realtime: a Server-Sent Events stream of changes the caller may see. */
export async function realtimeRoutes(app: App, { realtime }: ModuleDeps) {
  app.get('/api/v1/realtime', { config: { access: 'authenticated' }, schema: { tags: ['realtime'] } }, async (request, reply) => {
    realtime.open(request.actor as Actor, reply);
  });
}
