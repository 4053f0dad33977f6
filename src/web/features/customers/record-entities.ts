import { type CompanyDraft, companyDraftOf, companyPayload, emptyCompany } from './company-draft';
import type { EntityType, RecordOf } from './customers-api';
import { draftOf, emptyDraft, type PersonDraft, payloadOf } from './person-draft';
import { personFields } from './person-fields';
import { type ColumnContext, companyColumns, personColumns } from './record-columns';
import { AddressFields, type FieldSpec } from './record-fields';
import type { Column } from './records-table';

/** The form's values of each entity type. */
export type DraftOf<E extends EntityType> = { person: PersonDraft; company: CompanyDraft }[E];

/** How people and companies differ on their list page and in their form; the pages and dialogs are shared. */
export interface RecordEntity<E extends EntityType> {
  /** i18n keys: the list's title, its trash's title, the create button and dialog */
  title: string;
  trashTitle: string;
  newLabel: string;
  /** i18n keys of the empty list's first step: the sentence and its add button */
  emptyMessage: string;
  emptyAdd: string;
  name: (record: RecordOf<E>) => string;
  columns: (ctx: ColumnContext) => Column<RecordOf<E>>[];
  fields: FieldSpec<DraftOf<E>>[];
  empty: () => DraftOf<E>;
  draftOf: (record: RecordOf<E>) => DraftOf<E>;
  /** the API body (create or patch) */
  payloadOf: (draft: DraftOf<E>) => Record<string, unknown>;
  /** payload keys labelled otherwise than `customers.fields.<key>` when a conflict shows them */
  conflictLabels: Record<string, string>;
  /** payload keys holding a reference, shown in a conflict by the name of what they reference */
  refNames: Record<string, (draft: DraftOf<E>) => string | undefined>;
}

/** The company form: names, 法人番号, industry, size and website, address, parent company, tags. */
const companyFields: FieldSpec<CompanyDraft>[] = [
  {
    kind: 'grid',
    cols: 2,
    fields: [
      { kind: 'text', key: 'name', label: 'customers.fields.companyName', required: true },
      { kind: 'text', key: 'nameKana', label: 'customers.fields.nameKana' },
      { kind: 'text', key: 'corporateNumber', label: 'customers.fields.corporateNumber' },
      { kind: 'text', key: 'industry', label: 'customers.fields.industry' },
      { kind: 'number', key: 'employeeCount', label: 'customers.fields.employeeCount' },
      { kind: 'text', key: 'website', label: 'customers.fields.website' },
    ],
  },
  { kind: 'widget', name: 'address', Widget: AddressFields },
  { kind: 'company', key: 'parent', label: 'customers.fields.parent' },
  { kind: 'tags', key: 'tags', label: 'customers.fields.tags' },
];

export const recordEntities: { [E in EntityType]: RecordEntity<E> } = {
  person: {
    title: 'customers.people',
    trashTitle: 'customers.trash.title',
    newLabel: 'customers.newPerson',
    emptyMessage: 'customers.emptyState.people',
    emptyAdd: 'customers.emptyState.addPerson',
    name: (p) => p.displayName,
    columns: personColumns,
    fields: personFields,
    empty: emptyDraft,
    draftOf,
    payloadOf,
    conflictLabels: { companyId: 'customers.fields.company' },
    refNames: { companyId: (d) => d.company?.name },
  },
  company: {
    title: 'customers.companies',
    trashTitle: 'customers.trash.companiesTitle',
    newLabel: 'customers.newCompany',
    emptyMessage: 'customers.emptyState.companies',
    emptyAdd: 'customers.emptyState.addCompany',
    name: (c) => c.name,
    columns: companyColumns,
    fields: companyFields,
    empty: emptyCompany,
    draftOf: companyDraftOf,
    payloadOf: companyPayload,
    conflictLabels: { name: 'customers.fields.companyName', parentId: 'customers.fields.parent' },
    refNames: { parentId: (d) => d.parent?.name },
  },
};
