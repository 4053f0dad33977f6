import { companyImportFields, personImportFields } from '../../../shared/contracts/import-fields';
import type { EntityType } from './customers-api';

export interface ImportJob {
  id: string;
  entityType: EntityType;
  filename: string;
  format: string;
  /** null for an Excel workbook: it has no text encoding. */
  encoding: 'utf8' | 'cp932' | null;
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

/** What the wizard says the file is: its format, and for text files the encoding read (an xlsx has none). */
export function fileDescription(upload: Pick<ImportJob, 'format' | 'encoding'>): {
  key: 'detected' | 'detectedXlsx';
  format: string;
  encoding?: string;
} {
  if (upload.format === 'xlsx' || upload.encoding === null) return { key: 'detectedXlsx', format: upload.format.toUpperCase() };
  return { key: 'detected', format: upload.format.toUpperCase(), encoding: upload.encoding === 'cp932' ? 'Shift_JIS' : 'UTF-8' };
}

export const importFields: Record<EntityType, readonly string[]> = { person: personImportFields, company: companyImportFields };

export const contentTypeOf = (file: File) =>
  file.type ||
  (file.name.endsWith('.xlsx')
    ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    : file.name.endsWith('.vcf')
      ? 'text/vcard'
      : 'text/csv');
