import { recordKey, recordNames } from '../customers/index.js';
import type { SalesDb } from './sales.db.js';

/** What a deal shows of its customers: the linked person's and company's display names (trashed ones included). */
export interface CustomerNames {
  person_name: string | null;
  company_name: string | null;
}

type Linked = { person_id: string | null; company_id: string | null };

/**
 * The rows with their person's and company's names, read through customers' names port for the whole page at once (two
 * primary-key reads, whatever the number of rows). Visibility was decided on the deal: the names come with it.
 */
export async function withCustomerNames<R extends Linked>(db: SalesDb, workspaceId: string, rows: R[]): Promise<(R & CustomerNames)[]> {
  const person = (id: string) => ({ entityType: 'person', entityId: id }) as const;
  const company = (id: string) => ({ entityType: 'company', entityId: id }) as const;
  const refs = rows.flatMap((r) => [...(r.person_id ? [person(r.person_id)] : []), ...(r.company_id ? [company(r.company_id)] : [])]);
  const names = await recordNames(db, workspaceId, refs);
  return rows.map((r) => ({
    ...r,
    person_name: r.person_id ? (names.get(recordKey(person(r.person_id)))?.name ?? null) : null,
    company_name: r.company_id ? (names.get(recordKey(company(r.company_id)))?.name ?? null) : null,
  }));
}
