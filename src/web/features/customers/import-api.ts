import { companyImportFields, personImportFields } from '../../../shared/contracts/import-fields';
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

export const importFields: Record<EntityType, readonly string[]> = { person: personImportFields, company: companyImportFields };

export const contentTypeOf = (file: File) =>
  file.type ||
  (file.name.endsWith('.xlsx')
    ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    : file.name.endsWith('.vcf')
      ? 'text/vcard'
      : 'text/csv');
