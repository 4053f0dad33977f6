import type { Config } from '../../../platform/config.js';
import type { OutboxEvent } from '../../../platform/events/outbox.js';
import type { PersonalDataContext } from '../../customers/index.js';
import { type ActivitiesDb, activitiesDb } from '../activities.db.js';
import { attachmentNamesOf, deleteAttachmentsOf, removeFiles } from '../timeline/attachments.js';
import type { EmailRow } from './email.repository.js';

/** Emails linked to any of these people, oldest first (bounded: a disclosure is a document, not a feed). */
async function emailsOfPeople(db: ActivitiesDb, workspaceId: string, personIds: string[]) {
  if (!personIds.length) return [];
  return db
    .selectFrom('email_messages as e')
    .selectAll('e')
    .$narrowType<Pick<EmailRow, 'direction' | 'to_addresses' | 'cc_addresses'>>()
    .where('e.workspace_id', '=', workspaceId)
    .where('e.deleted_at', 'is', null)
    .where(
      'e.id',
      'in',
      db.selectFrom('email_links').select('email_id').where('workspace_id', '=', workspaceId).where('person_id', 'in', personIds),
    )
    .orderBy('e.sent_at')
    .limit(10_000)
    .execute();
}

/** A person's mail for a disclosure request (個人情報の開示): headers, text and attachment names. */
export async function personalEmails(ctx: PersonalDataContext) {
  const db = activitiesDb(ctx.db);
  const rows = await emailsOfPeople(db, ctx.workspaceId, ctx.personIds);
  const attachmentsOf = await attachmentNamesOf(
    db,
    ctx.workspaceId,
    'email',
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    direction: r.direction,
    subject: r.subject,
    from: r.from_address,
    to: r.to_addresses,
    cc: r.cc_addresses,
    sentAt: new Date(r.sent_at).toISOString(),
    text: r.text_body,
    attachments: attachmentsOf(r.id),
  }));
}

/**
 * Erasure (APPI deletion request), on `person.erased`: the person's links go; a message linked to nobody
 * else goes entirely, with its attachments. Idempotent (a redelivered event finds nothing left).
 */
export function makeEmailErasureConsumer(db: ActivitiesDb, config: Pick<Config, 'attachments'>) {
  return async (event: OutboxEvent) => {
    if (event.type !== 'person.erased') return;
    const ws = event.workspaceId;
    const ids = [...new Set([event.entityId, ...((event.payload?.personIds as string[] | undefined) ?? [])])].filter(
      (x): x is string => typeof x === 'string',
    );
    if (!ids.length) return;
    const files = await db.transaction().execute(async (trx) => {
      const linked = await trx
        .deleteFrom('email_links')
        .where('workspace_id', '=', ws)
        .where('person_id', 'in', ids)
        .returning('email_id')
        .execute();
      const emailIds = [...new Set(linked.map((l) => l.email_id))];
      if (!emailIds.length) return [];
      const kept = await trx
        .selectFrom('email_links')
        .select('email_id')
        .distinct()
        .where('workspace_id', '=', ws)
        .where('email_id', 'in', emailIds)
        .execute();
      const keep = new Set(kept.map((k) => k.email_id));
      const gone = emailIds.filter((id) => !keep.has(id));
      if (!gone.length) return [];
      const keys = await deleteAttachmentsOf(trx, ws, 'email', gone);
      await trx.deleteFrom('email_messages').where('workspace_id', '=', ws).where('id', 'in', gone).execute();
      return keys;
    });
    await removeFiles(config, files);
  };
}
