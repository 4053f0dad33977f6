import { systemActor } from '../../../platform/actor.js';
import { type OutboxEvent, recordChange } from '../../../platform/events/outbox.js';
import { contactPointsOf } from '../../customers/index.js';
import type { ActivitiesDb } from '../activities.db.js';
import { emailEvent } from './email.events.js';
import * as people from './email.people.js';
import * as repo from './email.repository.js';

/**
 * A person created or given a new address claims the waiting mail from that address: it leaves the
 * review list and reaches their timeline, as if someone had linked it by hand. Idempotent (linked
 * mail is no longer pending).
 */
export function makePendingMailMatcher(db: ActivitiesDb) {
  return async (event: OutboxEvent) => {
    if (!event.entityId || event.entityType !== 'person') return;
    const ws = event.workspaceId;
    const personId = event.entityId;
    const addresses = await contactPointsOf(db, ws, { entityType: 'person', entityId: personId }, 'email');
    if (!addresses.length) return;
    const person = await people.personForMail(db, ws, personId);
    if (!person) return;
    const actor = systemActor(ws);
    await db.transaction().execute(async (trx) => {
      for (const value of addresses) {
        const rows = await repo.pendingFrom(trx, ws, value);
        for (const row of rows) {
          await repo.insertLinks(trx, ws, row.id, [{ personId, role: 'from' }]);
          await recordChange(trx, actor, {
            audit: { action: 'email.linked', entityType: 'email', entityId: row.id, after: { personId } },
            event: emailEvent(
              'email.received',
              {
                id: row.id,
                direction: row.direction,
                subject: row.subject,
                fromAddress: row.from_address,
                to: row.to_addresses.map((a) => a.address),
                snippet: row.snippet,
                sentAt: new Date(row.sent_at),
              },
              [{ id: personId, ownerId: person.owner_id, teamId: person.team_id }],
            ),
          });
        }
        await repo.setReviewState(
          trx,
          ws,
          rows.map((r) => r.id),
          'linked',
          null,
        );
      }
    });
  };
}
