import type { Readable } from 'node:stream';
import { type Cell, decodeText, type ImportEncoding, type ImportFormat, readRows } from '../../../platform/import/import-source.js';
import { VCARD_COLUMNS, vcardRows } from '../vcard.js';

/** Rows of a stored customers file, header first: what every import reads, and vCards (fixed columns per card). */
export async function* readCustomerRows(source: Readable, format: ImportFormat, encoding: ImportEncoding): AsyncGenerator<Cell[]> {
  if (format !== 'vcf') {
    yield* readRows(source, format, encoding);
    return;
  }
  yield [...VCARD_COLUMNS];
  yield* vcardRows(decodeText(source, encoding) as AsyncIterable<string>);
}
