import type { Tx } from '../../platform/db/database.js';
import { eraseForPerson } from './activities.repository.js';
import { deleteAttachmentsOf } from './attachments.js';

/** Erasure (APPI deletion request): activities only about this person go, with their attachment rows (returns the files); others lose the link. */
export async function eraseActivitiesOf(trx: Tx, workspaceId: string, personId: string): Promise<string[]> {
  const ids = await eraseForPerson(trx, workspaceId, personId);
  return deleteAttachmentsOf(trx, workspaceId, 'activity', ids);
}
