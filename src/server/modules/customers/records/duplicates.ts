import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { CustomersDb } from '../customers.db.js';
import type { StoredEmail, StoredPhone } from './indexing.js';
import { findByContactPoints } from './records.repository.js';

/** Why two records look like one customer. */
export type DuplicateReason = 'email' | 'phone' | 'name_company' | 'kana_company' | 'name_phone' | 'name' | 'corporate_number';

export interface DuplicateCandidate {
  id: string;
  reasons: DuplicateReason[];
}

function merge(into: Map<string, Set<DuplicateReason>>, id: string, reason: DuplicateReason) {
  const set = into.get(id) ?? new Set();
  set.add(reason);
  into.set(id, set);
}

/**
 * Likely duplicates of a person: same normalised email, same personal phone (E.164), same normalised name or kana
 * reading at the same company — any company record with the same name key, since 株式会社サンプル商事 and
 * ㈱サンプル商事 are often entered twice — or same name on the same work number. Name alone is not enough
 * (同姓同名 is common), nor is a work number alone (a switchboard is shared by colleagues).
 */
export async function findPersonDuplicates(
  db: CustomersDb,
  workspaceId: string,
  p: { id?: string; name_key: string; kana_key: string | null; company_id: string | null; emails: StoredEmail[]; phones: StoredPhone[] },
): Promise<DuplicateCandidate[]> {
  const found = new Map<string, Set<DuplicateReason>>();
  const personal = p.phones.filter((ph) => ph.label !== 'work' && ph.label !== 'fax');
  const points = [
    ...p.emails.map((e) => ({ kind: 'email' as const, value: e.normalized })),
    ...personal.map((ph) => ({ kind: 'phone' as const, value: ph.e164 })),
  ];
  for (const m of await findByContactPoints(db, workspaceId, points)) {
    if (m.entity_type === 'person') merge(found, m.entity_id, m.kind as DuplicateReason);
  }
  const sameName = (eb: ExpressionBuilder<CustomersDb extends Kysely<infer D> ? D : never, 'people'>) =>
    eb.or([eb('name_key', '=', p.name_key), ...(p.kana_key ? [eb('kana_key', '=', p.kana_key)] : [])]);
  const shared = p.phones.filter((ph) => ph.label === 'work' || ph.label === 'fax');
  if (shared.length) {
    const onNumber = (
      await findByContactPoints(
        db,
        workspaceId,
        shared.map((ph) => ({ kind: 'phone' as const, value: ph.e164 })),
      )
    )
      .filter((m) => m.entity_type === 'person')
      .map((m) => m.entity_id)
      .slice(0, 500);
    if (onNumber.length) {
      const rows = await db
        .selectFrom('people')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('id', 'in', onNumber)
        .where('deleted_at', 'is', null)
        .where(sameName)
        .limit(20)
        .execute();
      for (const r of rows) merge(found, r.id, 'name_phone');
    }
  }
  if (p.company_id) {
    const companyId = p.company_id;
    const rows = await db
      .selectFrom('people')
      .select([
        'id',
        sql<boolean>`name_key = ${p.name_key}`.as('same_name'),
        sql<boolean>`kana_key IS NOT DISTINCT FROM ${p.kana_key}`.as('same_kana'),
      ])
      .where('workspace_id', '=', workspaceId)
      .where('company_id', 'in', (eb) =>
        eb
          .selectFrom('companies as c')
          .select('c.id')
          .where('c.workspace_id', '=', workspaceId)
          .where('c.deleted_at', 'is', null)
          .where('c.name_key', '=', (sub) =>
            sub.selectFrom('companies').select('name_key').where('workspace_id', '=', workspaceId).where('id', '=', companyId),
          ),
      )
      .where('deleted_at', 'is', null)
      .where(sameName)
      .limit(20)
      .execute();
    for (const r of rows) {
      if (r.same_name) merge(found, r.id, 'name_company');
      else if (r.same_kana) merge(found, r.id, 'kana_company');
    }
  }
  found.delete(p.id ?? '');
  const live = found.size
    ? new Set(
        (
          await db
            .selectFrom('people')
            .select('id')
            .where('workspace_id', '=', workspaceId)
            .where('id', 'in', [...found.keys()])
            .where('deleted_at', 'is', null)
            .execute()
        ).map((r) => r.id),
      )
    : new Set<string>();
  return [...found].filter(([id]) => live.has(id)).map(([id, reasons]) => ({ id, reasons: [...reasons] }));
}

/** Likely duplicates of a company: same 法人番号, same name ignoring 株式会社/(株)/㈱ and width, same email or phone. */
export async function findCompanyDuplicates(
  db: CustomersDb,
  workspaceId: string,
  c: { id?: string; name_key: string; corporate_number: string | null; emails: StoredEmail[]; phones: StoredPhone[] },
): Promise<DuplicateCandidate[]> {
  const found = new Map<string, Set<DuplicateReason>>();
  const rows = await db
    .selectFrom('companies')
    .select(['id', sql<boolean>`name_key = ${c.name_key}`.as('same_name')])
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .where((eb) =>
      eb.or([eb('name_key', '=', c.name_key), ...(c.corporate_number ? [eb('corporate_number', '=', c.corporate_number)] : [])]),
    )
    .limit(20)
    .execute();
  for (const r of rows) merge(found, r.id, r.same_name ? 'name' : 'corporate_number');
  const points = [
    ...c.emails.map((e) => ({ kind: 'email' as const, value: e.normalized })),
    ...c.phones.map((ph) => ({ kind: 'phone' as const, value: ph.e164 })),
  ];
  for (const m of await findByContactPoints(db, workspaceId, points)) {
    if (m.entity_type === 'company') merge(found, m.entity_id, m.kind as DuplicateReason);
  }
  found.delete(c.id ?? '');
  return [...found].map(([id, reasons]) => ({ id, reasons: [...reasons] }));
}
