import { sql } from 'kysely';
import { normalizePhone } from '../../../../shared/jp-text.js';
import type { Actor } from '../../../platform/actor.js';
import type { CustomersDb } from '../customers.db.js';
import { visibleTo } from '../customers.policy.js';
import { companyNames } from './people.repository.js';
import { presentCompany, presentPerson } from './records.presenter.js';
import { type RecordRow, type RecordTable, recordFrom, visibleByContactPoint } from './records.repository.js';
import { byteOrdered, escapeLike, matchesTerm, searchTerm, startsWithTerm } from './search-match.js';

export interface SearchHit {
  type: 'person' | 'company';
  id: string;
  title: string;
  subtitle: string | null;
}

/** Matches ranked per table: bounds the work for very common terms such as 佐藤. */
const CANDIDATES = 300;

/**
 * The actor's first CANDIDATES live matches anywhere in the indexed text (other than `except`), then ranked.
 * Workspace, trash and visibility are part of the index query: matches filtered afterwards could all be hidden
 * ones while visible ones exist further on.
 */
async function searchContains<T extends RecordTable>(
  db: CustomersDb,
  table: T,
  actor: Actor,
  term: string,
  limit: number,
  except: string[],
) {
  return db.transaction().execute(async (trx) => {
    // Bitmap scans only, so the term's GIN index answers: the planner misjudges LIKE selectivity and, seeing
    // LIMIT, would otherwise walk the table or a workspace index hoping to stop early — for a rare term, every row.
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    await sql`SET LOCAL enable_indexscan = off`.execute(trx);
    const candidates = visibleTo(
      trx
        .selectFrom(recordFrom(table))
        .selectAll('r')
        .where(matchesTerm('r', term))
        .where('r.workspace_id', '=', actor.workspaceId)
        .where('r.deleted_at', 'is', null)
        .$if(except.length > 0, (q) => q.where('r.id', 'not in', except)),
      actor,
      'r',
    ).limit(CANDIDATES);
    // Among the candidates, readings that start with the term come first, then 五十音 order.
    return trx
      .selectFrom(candidates.as('c'))
      .selectAll('c')
      .orderBy(sql`c.sort_key LIKE ${`${escapeLike(term)}%`}`, 'desc')
      .orderBy('c.sort_key')
      .limit(limit)
      .$castTo<RecordRow<T>>()
      .execute();
  });
}

/**
 * Records whose name or reading starts with the term (林 → 林田, さとう → 佐藤): through the byte-ordered prefix
 * indexes (migration 0020), read in index order and stopped at the page, however many 佐藤 the workspace holds.
 */
async function searchPrefix<T extends RecordTable>(db: CustomersDb, table: T, actor: Actor, term: string, limit: number) {
  const page = (column: 'name_key' | 'sort_key') =>
    visibleTo(
      db
        .selectFrom(recordFrom(table))
        .selectAll('r')
        .where('r.workspace_id', '=', actor.workspaceId)
        .where('r.deleted_at', 'is', null)
        .where(startsWithTerm('r', column, term)),
      actor,
      'r',
    )
      .orderBy(byteOrdered('r', column))
      .limit(limit)
      .$castTo<RecordRow<T>>()
      .execute();
  const [byName, byReading] = await Promise.all([page('name_key'), page('sort_key')]);
  const seen = new Set<string>();
  return [...byName, ...byReading]
    .filter((r) => !seen.has(r.id) && seen.add(r.id))
    .sort((a, b) => (a.sort_key < b.sort_key ? -1 : a.sort_key > b.sort_key ? 1 : 0))
    .slice(0, limit);
}

/**
 * Names and readings that start with the term come first, read a page at a time from the prefix indexes: a common
 * surname (佐藤, さとう) fills the page there and costs a page, not every 佐藤 in the workspace. Only when they do
 * not fill it are matches anywhere else (given names, romaji, emails, phone digits, company) looked up; one
 * character matches by prefix only. `more`: there are further matches beyond `limit` (the list's search filter
 * pages through all of them).
 */
async function searchRecords<T extends RecordTable>(db: CustomersDb, table: T, actor: Actor, term: string, limit: number) {
  const starts = await searchPrefix(db, table, actor, term, limit + 1);
  if (starts.length > limit || [...term].length === 1) return { rows: starts.slice(0, limit), more: starts.length > limit };
  const elsewhere = await searchContains(
    db,
    table,
    actor,
    term,
    limit + 1 - starts.length,
    starts.map((r) => r.id),
  );
  const rows = [...starts, ...elsewhere];
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}

/**
 * Type-ahead over people and companies by name, kana (either script), romaji, email, phone digits and company.
 * A legal form in the query is folded as in the index ((株)大和運輸 finds 株式会社大和運輸 and its people).
 */
export async function searchCustomers(options: { db: CustomersDb; actor: Actor; q: string; limit: number }) {
  const term = searchTerm(options.q);
  if (!term) return { people: [], companies: [], more: { people: false, companies: false } };
  const [people, companies] = await Promise.all([
    searchRecords(options.db, 'people', options.actor, term, options.limit),
    searchRecords(options.db, 'companies', options.actor, term, options.limit),
  ]);
  const names = await companyNames(
    options.db,
    options.actor.workspaceId,
    people.rows.map((p) => p.company_id).filter((x): x is string => !!x),
  );
  return {
    people: people.rows.map((p) => presentPerson(p, p.company_id ? { id: p.company_id, name: names.get(p.company_id) ?? '' } : null)),
    companies: companies.rows.map((c) => presentCompany(c)),
    more: { people: people.more, companies: companies.more },
  };
}

/** How many callers of each kind a phone lookup returns. */
const LOOKUP_LIMIT = 50;

/** Reverse lookup for a contact-center screen pop: who is calling from this number? */
export async function lookupByPhone(options: { db: CustomersDb; actor: Actor; phone: string }) {
  const n = normalizePhone(options.phone);
  if (!n) return { e164: null, people: [], companies: [] };
  const { db, actor } = options;
  const point = { kind: 'phone', value: n.e164 } as const;
  const [people, companies] = await Promise.all([
    visibleByContactPoint(db, 'people', actor, point, LOOKUP_LIMIT),
    visibleByContactPoint(db, 'companies', actor, point, LOOKUP_LIMIT),
  ]);
  const names = await companyNames(
    db,
    actor.workspaceId,
    people.map((p) => p.company_id).filter((x): x is string => !!x),
  );
  return {
    e164: n.e164,
    people: people.map((p) => presentPerson(p, p.company_id ? { id: p.company_id, name: names.get(p.company_id) ?? '' } : null)),
    companies: companies.map((c) => presentCompany(c)),
  };
}
