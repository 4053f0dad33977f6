import type { Actor } from '../../../platform/actor.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { newId } from '../../../platform/ids.js';
import type { CustomersDb } from '../customers.db.js';
import type { ConsentRow } from './people.repository.js';
import * as repo from './people.repository.js';
import { getPerson } from './records.service.js';

/** A person's permissions to be contacted (同意): each grant or withdrawal is kept with how and in what words. */

function presentConsent(r: ConsentRow) {
  return {
    id: r.id,
    channel: r.channel,
    status: r.status,
    method: r.method,
    purpose: r.purpose,
    wording: r.wording,
    source: r.source,
    recordedAt: new Date(r.recorded_at).toISOString(),
    recordedBy: r.recorded_by,
  };
}

export async function listConsents(options: { db: CustomersDb; actor: Actor; personId: string }) {
  await getPerson(options);
  return (await repo.listConsents(options.db, options.actor.workspaceId, options.personId)).map(presentConsent);
}

/** Record a grant or withdrawal (with how and what wording); the person's current permission follows the latest record. */
export async function recordConsent(options: {
  db: CustomersDb;
  actor: Actor;
  personId: string;
  consent: {
    channel: 'email' | 'dm' | 'phone' | 'sms';
    status: 'granted' | 'withdrawn';
    method: string;
    purpose?: string | null;
    wording?: string | null;
    source?: string | null;
  };
}) {
  const { actor, consent } = options;
  await getPerson(options);
  return options.db.transaction().execute(async (trx) => {
    const row = await repo.insertConsent(trx, {
      workspace_id: actor.workspaceId,
      id: newId(),
      person_id: options.personId,
      channel: consent.channel,
      status: consent.status,
      method: consent.method,
      purpose: consent.purpose ?? null,
      wording: consent.wording ?? null,
      source: consent.source ?? null,
      recorded_by: actor.userId,
    });
    let owner: { owner_id: string | null; team_id: string | null } | undefined;
    if (consent.channel === 'email' || consent.channel === 'dm') {
      owner = await repo.setPermission(
        trx,
        actor.workspaceId,
        options.personId,
        consent.channel === 'email' ? 'email_permission' : 'dm_permission',
        consent.status,
      );
    }
    const view = presentConsent(row);
    await recordChange(trx, actor, {
      audit: { action: `consent.${consent.status}`, entityType: 'person', entityId: options.personId, after: view },
      event: {
        type: 'person.consent_changed',
        entityType: 'person',
        entityId: options.personId,
        ownerId: owner?.owner_id ?? null,
        teamId: owner?.team_id ?? null,
        payload: { channel: consent.channel, status: consent.status },
      },
    });
    return view;
  });
}
