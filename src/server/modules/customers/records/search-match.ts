import { type RawBuilder, sql } from 'kysely';
import { companyNameKey } from '../../../../shared/jp-text.js';

/**
 * What a search looks for: the query normalised as the index is (width, kana, case, hyphens), with a company's
 * legal form folded as people and companies are indexed ((株)大和運輸 → 大和運輸).
 */
export const searchTerm = (q: string) => companyNameKey(q);

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A prefix column in byte order ("C"), as the prefix indexes of migration 0020 hold it: LIKE 'x%' is a range of them. */
export const byteOrdered = (alias: string, column: 'name_key' | 'sort_key') => sql`(${sql.ref(`${alias}.${column}`)} COLLATE "C")`;

/** The column starts with the (normalised) term, through its prefix index. */
export const startsWithTerm = (alias: string, column: 'name_key' | 'sort_key', term: string) =>
  sql<boolean>`${byteOrdered(alias, column)} LIKE ${`${escapeLike(term)}%`}`;

/**
 * The row matches the (normalised) term, through an index: one character the start of the name key or the reading
 * (byte-ordered btree indexes, migration 0020), two characters the bigram GIN index (pg_trgm cannot index 山田),
 * longer terms the trigram GIN index over the normalised text.
 */
export function matchesTerm(alias: string, term: string): RawBuilder<boolean> {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  const chars = [...term].length;
  if (chars === 0) return sql<boolean>`true`;
  if (chars === 1) return sql<boolean>`(${startsWithTerm(alias, 'name_key', term)} OR ${startsWithTerm(alias, 'sort_key', term)})`;
  if (chars === 2) return sql<boolean>`${column('search_bigrams')} @> ARRAY[${term}]::text[]`;
  return sql<boolean>`${column('search_text')} LIKE ${`%${escapeLike(term)}%`}`;
}
