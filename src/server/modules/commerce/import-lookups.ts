import type { Kysely } from 'kysely';
import { findPeopleByContact, type PersonByContact, recordKey, recordNames } from '../customers/index.js';
import { lookupProducts, type ProductRef } from '../sales/index.js';

/**
 * What an order import reads of other modules, once per batch of rows (never per row): products by SKU through
 * sales' lookup port, customers by id, email and phone through customers' ports.
 */

export type { ProductRef };

export interface CustomerRef {
  id: string;
  companyId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => !!x))];

/** Live products (active or not) of the workspace by SKU, keyed by lower-case SKU: one query. */
export async function productsBySku<D>(db: Kysely<D>, workspaceId: string, skus: string[]): Promise<Map<string, ProductRef>> {
  const out = new Map<string, ProductRef>();
  if (!skus.length) return out;
  for (const p of await lookupProducts(db, workspaceId, { skus })) out.set(p.sku.toLowerCase(), p);
  return out;
}

/** Live people of the batch by id, normalised email and E.164 phone: three look-ups per batch. */
export async function matchCustomers<D>(
  db: Kysely<D>,
  workspaceId: string,
  lines: { customerId: string | null; email: string | null; phone: string | null }[],
) {
  const ids = uniq(lines.map((l) => (l.customerId && UUID.test(l.customerId) ? l.customerId : null)));
  const refs = ids.map((id) => ({ entityType: 'person', entityId: id }) as const);
  const names = await recordNames(db, workspaceId, refs);
  const byId = new Map<string, CustomerRef>();
  for (const id of ids) {
    const person = names.get(recordKey({ entityType: 'person', entityId: id }));
    if (person && !person.deleted) byId.set(id, { id, companyId: person.companyId });
  }
  // The port orders matches by value then person id: the first one per value is the same person every time.
  const byValue = (found: PersonByContact[]) => {
    const out = new Map<string, CustomerRef>();
    for (const m of found) if (!out.has(m.value)) out.set(m.value, { id: m.personId, companyId: m.companyId });
    return out;
  };
  const byEmail = byValue(await findPeopleByContact(db, workspaceId, 'email', uniq(lines.map((l) => l.email))));
  const byPhone = byValue(await findPeopleByContact(db, workspaceId, 'phone', uniq(lines.map((l) => l.phone))));
  return { byId, byEmail, byPhone };
}
