import type { EntityType } from './customers-api';

export interface ImportJob {
  id: string;
  entityType: EntityType;
  filename: string;
  format: string;
  encoding: 'utf8' | 'cp932';
  status: 'uploading' | 'uploaded' | 'queued' | 'running' | 'completed' | 'failed';
  processed: number;
  rowsTotal: number | null;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  companiesCreated: number;
  progress: number;
  failure: string | null;
}

export interface ImportUpload extends ImportJob {
  header: string[];
  preview: string[][];
  suggestedMapping: Record<string, string>;
}

// The server's import fields (src/server/modules/customers/import-mapping.ts); the start call checks them.
export const importFields: Record<EntityType, string[]> = {
  person: [
    'id',
    'familyName',
    'givenName',
    'fullName',
    'familyNameKana',
    'givenNameKana',
    'fullNameKana',
    'email',
    'email2',
    'phone',
    'mobile',
    'homePhone',
    'fax',
    'postalCode',
    'prefecture',
    'city',
    'town',
    'addressLine',
    'companyName',
    'department',
    'title',
    'birthday',
    'gender',
    'tags',
    'notes',
  ],
  company: [
    'id',
    'name',
    'nameKana',
    'corporateNumber',
    'industry',
    'employeeCount',
    'fiscalMonth',
    'website',
    'email',
    'phone',
    'fax',
    'postalCode',
    'prefecture',
    'city',
    'town',
    'addressLine',
    'tags',
    'notes',
  ],
};

export const contentTypeOf = (file: File) =>
  file.type ||
  (file.name.endsWith('.xlsx')
    ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    : file.name.endsWith('.vcf')
      ? 'text/vcard'
      : 'text/csv');
