import { type RawBuilder, sql } from 'kysely';
import { dealStatuses, forecastCategories, leadSources, leadStatuses } from '../../../shared/contracts/sales.js';
import type { FieldCatalog, FieldSpec } from '../../platform/filter/compile.js';
import { type CompanyAttribute, companyAttribute } from '../customers/index.js';

const col =
  (name: string) =>
  (a: string): RawBuilder<unknown> =>
    sql.ref(`${a}.${name}`);
const f = (type: FieldSpec['type'], name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  type,
  expr: col(name),
  sortable: true,
  ...extra,
});

/** A column of the deal's company, through customers' attribute port (a primary-key probe inside the deal query). */
function companyField(type: FieldSpec['type'], column: CompanyAttribute): FieldSpec {
  return {
    type,
    sortable: true,
    expr: (a) => companyAttribute(column, sql.ref(`${a}.workspace_id`), sql.ref(`${a}.company_id`)),
  };
}

/** Deal fields for the shared filter language (board, table view, later reports and workflows). */
export const dealCatalog: FieldCatalog = {
  id: f('uuid', 'id', { notNull: true }),
  title: f('text', 'title', { notNull: true }),
  pipelineId: f('uuid', 'pipeline_id', { notNull: true }),
  stageId: f('uuid', 'stage_id', { notNull: true }),
  status: f('enum', 'status', { options: dealStatuses, notNull: true }),
  amount: f('money', 'amount', { notNull: true }),
  currency: f('text', 'currency', { notNull: true }),
  expectedCloseDate: f('date', 'expected_close_date'),
  personId: f('uuid', 'person_id'),
  companyId: f('uuid', 'company_id'),
  ownerId: f('uuid', 'owner_id'),
  teamId: f('uuid', 'team_id'),
  nextStep: f('text', 'next_step'),
  forecastCategory: f('enum', 'forecast_category', { options: forecastCategories, notNull: true }),
  closeReason: f('text', 'close_reason'),
  competitor: f('text', 'competitor'),
  closedAt: f('datetime', 'closed_at'),
  stageEnteredAt: f('datetime', 'stage_entered_at', { notNull: true }),
  createdAt: f('datetime', 'created_at', { notNull: true }),
  updatedAt: f('datetime', 'updated_at', { notNull: true }),
  'company.name': companyField('text', 'name'),
  // for assignment rules (territory, segment) on deals
  'company.prefecture': companyField('text', 'prefecture'),
  'company.industry': companyField('text', 'industry'),
  'company.employeeCount': companyField('number', 'employee_count'),
};

/**
 * `{ field: 'search', op: 'contains', value }`: the leads list's search box — the name (either order, no space),
 * company, email and phone, compared folded as every text filter is (width, kana, case, hyphens).
 */
const leadSearch: FieldSpec = {
  type: 'text',
  expr: col('family_name'),
  ops: ['contains'],
  contains: (a, value) => {
    const c = (name: string) => sql.ref(`${a}.${name}`);
    const text = sql`concat_ws('|', ${c('family_name')}, ${c('given_name')}, ${c('family_name')} || coalesce(${c('given_name')}, ''),
      ${c('given_name')} || ${c('family_name')}, ${c('company_name')}, ${c('email')}, ${c('phone')})`;
    return sql<boolean>`strpos(crm_fold(${text}), crm_fold(${value}::text)) > 0`;
  },
};

export const leadCatalog: FieldCatalog = {
  id: f('uuid', 'id', { notNull: true }),
  search: leadSearch,
  familyName: f('text', 'family_name', { notNull: true }),
  givenName: f('text', 'given_name'),
  companyName: f('text', 'company_name'),
  email: f('text', 'email'),
  phone: f('text', 'phone'),
  title: f('text', 'title'),
  source: f('enum', 'source', { options: leadSources, notNull: true }),
  channel: f('text', 'channel'),
  prefecture: f('text', 'prefecture'),
  industry: f('text', 'industry'),
  employeeCount: f('number', 'employee_count'),
  status: f('enum', 'status', { options: leadStatuses, notNull: true }),
  ownerId: f('uuid', 'owner_id'),
  teamId: f('uuid', 'team_id'),
  convertedAt: f('datetime', 'converted_at'),
  createdAt: f('datetime', 'created_at', { notNull: true }),
  updatedAt: f('datetime', 'updated_at', { notNull: true }),
};
