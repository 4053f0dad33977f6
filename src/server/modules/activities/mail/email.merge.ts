import { sql } from 'kysely';
import type { OutboxEvent } from '../../../platform/events/outbox.js';
import type { ActivitiesDb } from '../activities.db.js';

/**
 * `person.merged`: the merged person's mail moves to the survivor (their links are re-pointed), so the
 * survivor's list, thread pages and visibility see it. Idempotent: a second run finds nothing to move.
 */
export function makeEmailMergeConsumer(db: ActivitiesDb) {
  return async (event: OutboxEvent) => {
    if (event.type !== 'person.merged') return;
    const survivorId = event.payload?.survivorId;
    const mergedId = event.payload?.mergedId;
    if (typeof survivorId !== 'string' || typeof mergedId !== 'string') return;
    await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO email_links (workspace_id, email_id, person_id, role, created_at)
        SELECT workspace_id, email_id, ${survivorId}::uuid, role, created_at FROM email_links
         WHERE workspace_id = ${event.workspaceId} AND person_id = ${mergedId}::uuid
        ON CONFLICT DO NOTHING`.execute(trx);
      await trx.deleteFrom('email_links').where('workspace_id', '=', event.workspaceId).where('person_id', '=', mergedId).execute();
    });
  };
}
