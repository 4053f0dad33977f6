import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { chain } from '../../platform/streams.js';
import type { ImportEncoding, ImportFormat } from './import-mapping.js';
import type { Cell } from './import-rows.js';
import { VCARD_COLUMNS, vcardRows } from './vcard.js';

/** Rows of a stored file, header first, streamed: CSV/TSV (UTF-8 or CP932), XLSX (first sheet) or vCard. */
export async function* readRows(source: Readable, format: ImportFormat, encoding: ImportEncoding): AsyncGenerator<Cell[]> {
  if (format === 'xlsx') {
    yield* xlsxRows(source);
    return;
  }
  const text = chain(source, iconv.decodeStream(encoding === 'cp932' ? 'cp932' : 'utf8'));
  if (format === 'vcf') {
    yield [...VCARD_COLUMNS];
    yield* vcardRows(text as AsyncIterable<string>);
    return;
  }
  const parser = chain(
    text,
    parse({
      delimiter: format === 'tsv' ? '\t' : ',',
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }),
  );
  try {
    for await (const record of parser) yield record as string[];
  } finally {
    source.destroy();
  }
}

function cellValue(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('result' in v) return cellValue(v.result as ExcelJS.CellValue);
    if ('error' in v) return null;
  }
  return String(v);
}

async function* xlsxRows(source: Readable): AsyncGenerator<Cell[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'ignore',
  });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = row.values as ExcelJS.CellValue[];
      const cells: Cell[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellValue(values[i]));
      if (cells.some((c) => c !== null && c !== '')) yield cells;
    }
    // Only the first sheet is imported; the rest of the archive is not read.
    break;
  }
  source.destroy();
}
