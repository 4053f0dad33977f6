import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { EventHandler } from '../../platform/events/bus.js';
import type { PersonalDataContext } from '../customers/index.js';
import { commerceDb } from './commerce.db.js';
import { lockMetrics, recomputeMetrics } from './metrics.repository.js';

/**
 * `person.merged` / `company.merged`: the merged record's orders move to the survivor and both customers'
 * metrics are recomputed, in one transaction. Idempotent: a second run finds nothing left to move.
 */
export function makeMergeConsumer(db: Db): EventHandler {
  return async (event) => {
    const survivorId = event.payload.survivorId as string | undefined;
    const mergedId = event.payload.mergedId as string | undefined;
    if (!survivorId || !mergedId) return;
    const kind = event.type === 'company.merged' ? 'company' : 'person';
    const column = sql.raw(kind === 'person' ? 'person_id' : 'company_id');
    await db.transaction().execute(async (trx) => {
      await lockMetrics(commerceDb(trx), event.workspaceId, kind, [survivorId, mergedId]);
      await sql`UPDATE orders SET ${column} = ${survivorId}, updated_at = now()
        WHERE workspace_id = ${event.workspaceId} AND ${column} = ${mergedId}`.execute(trx);
      await recomputeMetrics(commerceDb(trx), event.workspaceId, kind, [survivorId, mergedId]);
    });
  };
}

/** What a person's disclosure (APPI 開示) includes from commerce: their orders with lines. */
export async function personalOrders(ctx: PersonalDataContext) {
  const r = await sql<Record<string, unknown>>`
    SELECT o.order_number, o.ordered_at, o.status, o.currency, o.total, o.refunded_amount, o.payment_method, o.channel, o.store,
      (SELECT json_agg(json_build_object('sku', l.sku, 'name', l.name, 'quantity', l.quantity, 'unitPrice', l.unit_price,
        'amount', l.amount) ORDER BY l.position) FROM order_lines l WHERE l.workspace_id = o.workspace_id AND l.order_id = o.id) AS lines
    FROM orders o WHERE o.workspace_id = ${ctx.workspaceId} AND o.person_id = ANY(${ctx.personIds}::uuid[]) AND o.deleted_at IS NULL
    ORDER BY o.ordered_at`.execute(ctx.db);
  return r.rows;
}
