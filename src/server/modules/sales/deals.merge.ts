import { sql } from 'kysely';
import type { EventHandler } from '../../platform/events/bus.js';
import type { SalesDb } from './sales.db.js';

/**
 * `person.merged` / `company.merged`: the merged record's deals (and the leads converted into it) point at the
 * survivor, so they show on its page instead of on a record in the trash. Idempotent: a second run finds nothing.
 */
export function makeDealMergeConsumer(db: SalesDb): EventHandler {
  return async (event) => {
    const survivorId = event.payload.survivorId;
    const mergedId = event.payload.mergedId;
    if (typeof survivorId !== 'string' || typeof mergedId !== 'string') return;
    const company = event.type === 'company.merged';
    const column = company ? 'company_id' : 'person_id';
    const converted = company ? 'converted_company_id' : 'converted_person_id';
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('deals')
        .set((eb) => ({ [column]: survivorId, version: eb('version', '+', 1), updated_at: sql`now()` }))
        .where('workspace_id', '=', event.workspaceId)
        .where(column, '=', mergedId)
        .execute();
      await trx
        .updateTable('leads')
        .set({ [converted]: survivorId, updated_at: sql`now()` })
        .where('workspace_id', '=', event.workspaceId)
        .where(converted, '=', mergedId)
        .execute();
    });
  };
}
