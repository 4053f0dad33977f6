import { sql } from 'kysely';
import { normalizeForSearch, normalizePhone } from '../../../../shared/jp-text.js';
import type { Actor } from '../../../platform/actor.js';
import type { Db } from '../../../platform/db/database.js';
import { visibleTo } from '../customers.policy.js';
import { presentCompany, presentPerson } from './people.presenter.js';
import { companyNames } from './people.repository.js';
import { type RecordTable, visibleByContactPoint } from './records.repository.js';

export interface SearchHit {
  type: 'person' | 'company';
  id: string;
  title: string;
  subtitle: string | null;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Matching condition through an index: a two-character term uses the bigram GIN index (pg_trgm cannot
 * index 山田), longer terms the trigram index. Both run on the normalised text (width, kana, case, hyphens folded).
 */
function matchCondition(term: string) {
  const chars = [...term];
  if (chars.length === 2) return sql<boolean>`r.search_bigrams @> ARRAY[${term}]::text[]`;
  return sql<boolean>`r.search_text LIKE ${`%${escapeLike(term)}%`}`;
}

/** Term matches fetched from the index, then scoped to the workspace and visibility. */
const TERM_MATCHES = 2000;
/** Matches ranked per table: bounds the work for very common terms such as 佐藤. */
const CANDIDATES = 300;

async function searchTable(db: Db, table: RecordTable, actor: Actor, term: string, limit: number) {
  const ids = await db.transaction().execute(async (trx) => {
    // The term alone, so only its GIN index can answer: the planner misjudges LIKE selectivity and, seeing
    // LIMIT, would otherwise walk the table hoping to stop early — for a rare term, a million rows.
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const rows = await trx.selectFrom(`${table} as r`).select('r.id').where(matchCondition(term)).limit(TERM_MATCHES).execute();
    return rows.map((r) => r.id as string);
  });
  if (ids.length === 0) return [];
  const candidates = visibleTo(
    db
      .selectFrom(`${table} as r`)
      .selectAll('r')
      .where('r.workspace_id', '=', actor.workspaceId)
      .where('r.id', '=', sql<string>`ANY(${ids}::uuid[])`)
      .where('r.deleted_at', 'is', null),
    actor,
    'r',
  ).limit(CANDIDATES);
  // Among the candidates, readings that start with the term come first, then 五十音 order.
  return db
    .selectFrom(candidates.as('c'))
    .selectAll('c')
    .orderBy(sql`c.sort_key LIKE ${`${escapeLike(term)}%`}`, 'desc')
    .orderBy('c.sort_key')
    .limit(limit)
    .execute() as Promise<Record<string, any>[]>;
}

/** Type-ahead over people and companies by name, kana (either script), romaji, email, phone digits and company. */
export async function searchCustomers(options: { db: Db; actor: Actor; q: string; limit: number }) {
  const term = normalizeForSearch(options.q);
  if ([...term].length < 2) return { people: [], companies: [] };
  const [people, companies] = await Promise.all([
    searchTable(options.db, 'people', options.actor, term, options.limit),
    searchTable(options.db, 'companies', options.actor, term, options.limit),
  ]);
  const names = await companyNames(
    options.db,
    options.actor.workspaceId,
    people.map((p) => p.company_id).filter((x): x is string => !!x),
  );
  return {
    people: people.map((p) => presentPerson(p, p.company_id ? { id: p.company_id, name: names.get(p.company_id) ?? '' } : null)),
    companies: companies.map((c) => presentCompany(c)),
  };
}

/** How many callers of each kind a phone lookup returns. */
const LOOKUP_LIMIT = 50;

/** Reverse lookup for a contact-center screen pop: who is calling from this number? */
export async function lookupByPhone(options: { db: Db; actor: Actor; phone: string }) {
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
