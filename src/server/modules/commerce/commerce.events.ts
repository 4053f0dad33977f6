import type { EventHandler } from '../../platform/events/bus.js';
import type { PersonalDataContext } from '../customers/index.js';
import { type CommerceDb, commerceDb } from './commerce.db.js';
import { lockMetrics, recomputeMetrics } from './metrics.repository.js';
import { moveOrders, ordersForDisclosure } from './orders.repository.js';

/**
 * `person.merged` / `company.merged`: the merged record's orders move to the survivor and both customers'
 * metrics are recomputed, in one transaction. Idempotent: a second run finds nothing left to move.
 */
export function makeMergeConsumer(db: CommerceDb): EventHandler {
  return async (event) => {
    const survivorId = event.payload.survivorId as string | undefined;
    const mergedId = event.payload.mergedId as string | undefined;
    if (!survivorId || !mergedId) return;
    const kind = event.type === 'company.merged' ? 'company' : 'person';
    await db.transaction().execute(async (trx) => {
      await lockMetrics(trx, event.workspaceId, kind, [survivorId, mergedId]);
      await moveOrders(trx, event.workspaceId, kind, mergedId, survivorId);
      await recomputeMetrics(trx, event.workspaceId, kind, [survivorId, mergedId]);
    });
  };
}

/** What a person's disclosure (APPI 開示) includes from commerce: their orders with lines. */
export function personalOrders(ctx: PersonalDataContext) {
  return ordersForDisclosure(commerceDb(ctx.db), ctx.workspaceId, ctx.personIds);
}
