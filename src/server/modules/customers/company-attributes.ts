import { type Expression, expressionBuilder, type RawBuilder, sql } from 'kysely';
import type { Companies, DB } from '../../platform/db/schema.js';
import type { CustomersTable } from './customers.db.js';

/** The company columns other modules may filter, sort or route on (deals: 会社名, 都道府県, 業種, 従業員数). */
export type CompanyAttribute = 'name' | 'prefecture' | 'industry' | 'employee_count';

/**
 * Read port (index.ts): one company column as an expression for another module's query, e.g. a deal list filtered or
 * sorted by its company's name. It is a correlated primary-key probe, so it runs inside the caller's query (a page of
 * a million deals never fetches companies first) and needs no handle: the subquery is built here, over our table.
 * Null when the company id is null or unknown. Visibility is the caller's: this reads an attribute, not a record.
 */
export function companyAttribute<C extends CompanyAttribute>(
  column: C,
  workspaceId: Expression<string>,
  companyId: Expression<string | null>,
): RawBuilder<Companies[C] | null> {
  const probe = expressionBuilder<Pick<DB, CustomersTable>, never>()
    .selectFrom('companies as c')
    .select(`c.${column}` as `c.${CompanyAttribute}`)
    .where(sql<boolean>`c.workspace_id = ${workspaceId}`)
    .where(sql<boolean>`c.id = ${companyId}`);
  return sql<Companies[C] | null>`(${probe})`;
}
