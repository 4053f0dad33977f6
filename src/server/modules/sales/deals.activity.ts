import { sql } from 'kysely';
import type { EventHandler } from '../../platform/events/bus.js';
import type { SalesDb } from './sales.db.js';

type Link = { entityType: string; entityId: string };

/**
 * `activity.created`: the deals the activity is logged on were touched, so they are no longer idle (rotting is
 * measured from the later of this and the last stage change). Not a user edit of the deal: the version stays, so an
 * open edit form does not conflict. Never moves the time back (events can arrive out of order).
 */
export function makeDealActivityConsumer(db: SalesDb): EventHandler {
  return async (event) => {
    const links = ((event.payload?.timeline as { links?: Link[] } | undefined)?.links ?? []) as Link[];
    const ids = links.filter((l) => l.entityType === 'deal' && typeof l.entityId === 'string').map((l) => l.entityId);
    if (!ids.length) return;
    const at = new Date(event.createdAt);
    await db
      .updateTable('deals')
      .set({ last_activity_at: sql`greatest(last_activity_at, ${at}::timestamptz)` })
      .where('workspace_id', '=', event.workspaceId)
      .where('id', 'in', ids)
      .execute();
  };
}
