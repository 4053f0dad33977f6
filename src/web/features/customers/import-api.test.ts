import { describe, expect, it } from 'vitest';
import { fileDescription } from './import-api';
import { customersEn as en } from './locales/en';
import { customersJa as ja } from './locales/ja';

describe('fileDescription', () => {
  it('says Excel (xlsx) for a workbook, with no text encoding', () => {
    expect(fileDescription({ format: 'xlsx', encoding: null })).toEqual({ key: 'detectedXlsx', format: 'XLSX' });
    expect(ja.import.detectedXlsx).toContain('Excel（xlsx）');
    expect(en.import.detectedXlsx).toContain('Excel (xlsx)');
  });

  it('gives the format and the encoding read for a text file', () => {
    expect(fileDescription({ format: 'csv', encoding: 'cp932' })).toEqual({ key: 'detected', format: 'CSV', encoding: 'Shift_JIS' });
    expect(fileDescription({ format: 'vcf', encoding: 'utf8' })).toEqual({ key: 'detected', format: 'VCF', encoding: 'UTF-8' });
  });
});
