import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImportEncoding, ImportFormat } from './import-mapping.js';
import { readCustomerRows as readRows } from './import-source.js';

/**
 * Malformed import files (issue 10): the readers either return rows or throw an Error the import turns into
 * "unreadable file"; they never hang and never take the process down. Fixed seeds, bounded counts.
 */
const SEED = 20_261_206;
const HANG_MS = 5_000;

type Outcome = { rows: unknown[][] } | { error: unknown } | { hung: true };

/** Read every row of the bytes, in chunks of a random size like a stream from the database. */
async function readAll(bytes: Uint8Array, format: ImportFormat, encoding: ImportEncoding, chunk = 4096): Promise<Outcome> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(Buffer.from(bytes.subarray(i, i + chunk)));
  const source = Readable.from(chunks);
  let timer: NodeJS.Timeout | undefined;
  const read = (async (): Promise<Outcome> => {
    const rows: unknown[][] = [];
    try {
      for await (const row of readRows(source, format, encoding)) rows.push(row);
      return { rows };
    } catch (error) {
      return { error };
    }
  })();
  const hang = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ hung: true }), HANG_MS);
  });
  try {
    return await Promise.race([read, hang]);
  } finally {
    clearTimeout(timer);
    source.destroy();
  }
}

function expectClean(outcome: Outcome, what: string) {
  if ('hung' in outcome) throw new Error(`reading ${what} did not finish within ${HANG_MS} ms`);
  if ('error' in outcome) {
    expect(outcome.error, what).toBeInstanceOf(Error);
    return;
  }
  for (const row of outcome.rows) {
    expect(Array.isArray(row)).toBe(true);
    for (const cell of row) {
      const ok = cell === null || ['string', 'number', 'boolean'].includes(typeof cell) || cell instanceof Date;
      if (!ok) throw new Error(`${what}: a cell of type ${typeof cell}: ${String(cell)}`);
    }
  }
}

const CSV_PIECES = ['"', '""', ',', '\t', '\n', '\r\n', '\r', '\ufeff', '山田', 'ｱｲｳ', '🎉', '\u0000', '\ud800', 'a', ' ', '="1"', '\\'];
const csvText = fc
  .array(fc.oneof(fc.constantFrom(...CSV_PIECES), fc.string({ unit: 'binary', maxLength: 20 })), { maxLength: 200 })
  .map((p) => p.join(''));
const encodings: ImportEncoding[] = ['utf8', 'cp932'];

describe('CSV and TSV readers', () => {
  it('text of quotes, separators, line ends, BOMs, NULs and lone surrogates reads or fails cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(
        csvText,
        fc.constantFrom<ImportFormat>('csv', 'tsv'),
        fc.constantFrom(...encodings),
        fc.integer({ min: 1, max: 64 }),
        async (text, format, encoding, chunk) => {
          expectClean(
            await readAll(Buffer.from(text), format, encoding, chunk),
            `${format}/${encoding} ${JSON.stringify(text).slice(0, 200)}`,
          );
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('random bytes (invalid UTF-8 and CP932) read or fail cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 5000 }),
        fc.constantFrom<ImportFormat>('csv', 'tsv'),
        fc.constantFrom(...encodings),
        async (bytes, format, encoding) => {
          expectClean(await readAll(bytes, format, encoding), `${format}/${encoding} ${bytes.length} random bytes`);
        },
      ),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('a very long unterminated quoted cell ends (relax_quotes) instead of waiting for more', async () => {
    const text = `a,b\n"${'x'.repeat(2_000_000)}`;
    expectClean(await readAll(Buffer.from(text), 'csv', 'utf8', 65536), 'unterminated quote');
  });
});

describe('XLSX reader', () => {
  let valid: Uint8Array;
  beforeAll(async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('顧客');
    sheet.addRow(['姓', '名', 'メール', '誕生日', '金額']);
    for (let i = 0; i < 50; i++) sheet.addRow(['山田', `太郎${i}`, `t${i}@example.test`, new Date(Date.UTC(1990, 0, 1 + i)), i * 1000]);
    sheet.addRow([
      { formula: '1/0', result: { error: '#DIV/0!' } },
      { richText: [{ text: '株式' }, { text: '会社' }] },
      { text: 'リンク', hyperlink: 'https://example.test' },
    ]);
    valid = new Uint8Array(await wb.xlsx.writeBuffer());
    // The unmodified file reads: the mutations below start from a file the reader accepts.
    const outcome = await readAll(valid, 'xlsx', 'utf8');
    expect('rows' in outcome && outcome.rows.length).toBe(52);
  });

  it('a workbook whose compressed part is corrupt is refused, not waited on forever', async () => {
    const bytes = new Uint8Array(valid);
    const buf = Buffer.from(bytes.buffer);
    const header = buf.indexOf('xl/_rels/workbook.xml.rels');
    expect(header).toBeGreaterThan(0);
    // Inside the deflate stream that follows the local file header's name: inflate fails there.
    const at = header + 'xl/_rels/workbook.xml.rels'.length + 40;
    bytes[at] = (bytes[at] as number) ^ 0x55;
    const outcome = await readAll(bytes, 'xlsx', 'utf8');
    expect('error' in outcome && outcome.error).toBeInstanceOf(Error);
  });

  it('random bytes, and a zip signature followed by garbage, fail cleanly', async () => {
    const zipHead = fc.uint8Array({ maxLength: 3000 }).map((b) => new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...b]));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 3000 }), zipHead), async (bytes) => {
        expectClean(await readAll(bytes, 'xlsx', 'utf8'), `${bytes.length} bytes`);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('a valid workbook cut short at any point fails cleanly or yields the rows before the cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: valid.length - 1 }), async (cut) => {
        expectClean(await readAll(valid.subarray(0, cut), 'xlsx', 'utf8'), `cut at ${cut} of ${valid.length}`);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('a valid workbook with bytes flipped reads or fails cleanly', async () => {
    const flips = fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    });
    await fc.assert(
      fc.asyncProperty(flips, async (changes) => {
        const bytes = new Uint8Array(valid);
        for (const [at, mask] of changes) bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ mask;
        expectClean(await readAll(bytes, 'xlsx', 'utf8'), `flipped ${JSON.stringify(changes)}`);
      }),
      { seed: SEED, numRuns: 80 },
    );
  });
});

describe('vCard reader', () => {
  const PROPS = [
    'BEGIN:VCARD',
    'END:VCARD',
    'VERSION:3.0',
    'N:山田;太郎;;;',
    'FN:山田 太郎',
    'N;SORT-AS="ヤマダ,タロウ":山田;太郎',
    'SOUND;X-IRMC-N:ﾔﾏﾀﾞ;ﾀﾛｳ;;;',
    'EMAIL;TYPE=work:taro@example.test',
    'TEL;TYPE=cell:090-1234-5678',
    'ADR;TYPE=home:;;千代田1-1;千代田区;東京都;100-0001;Japan',
    'ORG:株式会社テスト;営業部',
    'BDAY:--0101',
    'BDAY:19900230',
    'GENDER:F',
    'CATEGORIES:a\\,b,c',
    'NOTE:line1\\nline2\\',
    'N;ENCODING=QUOTED-PRINTABLE;CHARSET=SHIFT_JIS:=8E=52=93=63;',
    'N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=E5=B1=B1=',
    'N;ENCODING=QUOTED-PRINTABLE;CHARSET=x-unknown:=ZZ=4',
    'N;ENCODING=QUOTED-PRINTABLE:=\r\n =E7=94=B0',
    ' folded continuation',
    '\tfolded tab',
    ':',
    ';;;',
    'X-;=:',
    'TEL;TYPE=fax;TYPE=cell:\u0000',
    'FN:\ud800',
  ];
  const card = fc.array(
    fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PROPS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) }),
    {
      maxLength: 40,
    },
  );
  const file = fc.tuple(card, fc.constantFrom('\n', '\r\n', '\r')).map(([lines, eol]) => lines.join(eol));

  it('cards of shuffled, broken, folded and mis-encoded properties read or fail cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(file, fc.constantFrom(...encodings), fc.integer({ min: 1, max: 128 }), async (text, encoding, chunk) => {
        expectClean(await readAll(Buffer.from(text), 'vcf', encoding, chunk), `vcf ${JSON.stringify(text).slice(0, 300)}`);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('random bytes read or fail cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom(...encodings), async (bytes, encoding) => {
        expectClean(await readAll(bytes, 'vcf', encoding), `vcf ${bytes.length} random bytes`);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});
