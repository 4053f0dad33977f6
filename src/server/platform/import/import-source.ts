import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { chain } from '../streams.js';

/** The file types every import reads; a kind may read more (the customers import reads vCards) by its own `rows`. */
export type ImportFormat = 'csv' | 'tsv' | 'xlsx' | 'vcf';
export type ImportEncoding = 'utf8' | 'cp932';
/** One cell as read: text from CSV, typed values from XLSX. */
export type Cell = string | number | boolean | Date | null | undefined;

/** The stored file's bytes as text in its encoding (CP932 is Shift_JIS as Windows and Excel write it). */
export const decodeText = (source: Readable, encoding: ImportEncoding): NodeJS.ReadWriteStream =>
  chain(source, iconv.decodeStream(encoding === 'cp932' ? 'cp932' : 'utf8'));

/** Rows of a stored file, header first, streamed: CSV/TSV (UTF-8 or CP932) or XLSX (first sheet). */
export async function* readRows(source: Readable, format: Exclude<ImportFormat, 'vcf'>, encoding: ImportEncoding): AsyncGenerator<Cell[]> {
  if (format === 'xlsx') {
    yield* xlsxRows(source);
    return;
  }
  const parser = chain(
    decodeText(source, encoding),
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
  // exceljs pipes the file into its unzip parser without listening for that parser's errors: a corrupt deflate
  // stream left the reader waiting forever (an upload's preview never answered). The error is caught where the
  // parser is attached, and every step of the reading races it.
  let fail: (err: unknown) => void = () => {};
  const failure = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  failure.catch(() => {});
  const pipe = source.pipe.bind(source);
  source.pipe = (<T extends NodeJS.WritableStream>(dest: T, options?: { end?: boolean }) => {
    (dest as unknown as NodeJS.EventEmitter).on('error', fail);
    return pipe(dest, options);
  }) as typeof source.pipe;
  source.on('error', fail);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'ignore',
  });
  try {
    const sheets = reader[Symbol.asyncIterator]();
    // Only the first sheet is imported; the rest of the archive is not read.
    const first = await Promise.race([sheets.next(), failure]);
    if (first.done) return;
    const rows = (first.value as AsyncIterable<ExcelJS.Row>)[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([rows.next(), failure]);
      if (next.done) break;
      const values = next.value.values as ExcelJS.CellValue[];
      const cells: Cell[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellValue(values[i]));
      if (cells.some((c) => c !== null && c !== '')) yield cells;
    }
  } finally {
    source.destroy();
  }
}
