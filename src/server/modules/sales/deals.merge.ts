import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { EventHandler } from '../../platform/events/bus.js';

/**
 * `person.merged` / `company.merged`: the merged record's deals (and the leads converted into it) point at the
 * survivor, so they show on its page instead of on a record in the trash. Idempotent: a second run finds nothing.
 */
export function makeDealMergeConsumer(db: Db): EventHandler {
  return async (event) => {
    const survivorId = event.payload.survivorId;
    const mergedId = event.payload.mergedId;
    if (typeof survivorId !== 'string' || typeof mergedId !== 'string') return;
    const kind = event.type === 'company.merged' ? 'company' : 'person';
    const column = sql.raw(`${kind}_id`);
    const converted = sql.raw(`converted_${kind}_id`);
    await db.transaction().execute(async (trx) => {
      await sql`UPDATE deals SET ${column} = ${survivorId}::uuid, version = version + 1, updated_at = now()
        WHERE workspace_id = ${event.workspaceId} AND ${column} = ${mergedId}::uuid`.execute(trx);
      await sql`UPDATE leads SET ${converted} = ${survivorId}::uuid, updated_at = now()
        WHERE workspace_id = ${event.workspaceId} AND ${converted} = ${mergedId}::uuid`.execute(trx);
    });
  };
}
