import type { PersonalDataContext } from '../../customers/index.js';
import { type ActivitiesTx, activitiesDb } from '../activities.db.js';
import { activitiesOfPeople, eraseForPerson } from './activities.repository.js';
import { attachmentNamesOf, deleteAttachmentsOf } from './attachments.js';

/** Erasure (APPI deletion request): activities only about this person go, with their attachment rows (returns the files); others lose the link. */
export async function eraseActivitiesOf(trx: ActivitiesTx, workspaceId: string, personId: string): Promise<string[]> {
  const ids = await eraseForPerson(trx, workspaceId, personId);
  return deleteAttachmentsOf(trx, workspaceId, 'activity', ids);
}

/** The person's activities for a disclosure request (個人情報の開示): what was logged about them, with file names. */
export async function personalActivities(ctx: PersonalDataContext) {
  const db = activitiesDb(ctx.db);
  const rows = await activitiesOfPeople(db, ctx.workspaceId, ctx.personIds);
  const attachmentsOf = await attachmentNamesOf(
    db,
    ctx.workspaceId,
    'activity',
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    body: r.body,
    occurredAt: new Date(r.occurred_at).toISOString(),
    details: r.details,
    attachments: attachmentsOf(r.id),
  }));
}
