import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Kysely } from 'kysely';
import type { Actor } from '../actor.js';
import type { DB } from '../db/schema.js';
import { chain } from '../streams.js';
import * as repo from './import.repository.js';
import { findVisibleImport, type ImportJob, type ImportKind } from './import.service.js';

const PAGE = 2000;

/** The job's rejected rows in file order, a page at a time (for an API that lists them). */
export async function importErrorPage<O, R>(options: {
  db: Kysely<DB>;
  actor: Actor;
  kind: ImportKind<O, R>;
  importId: string;
  afterRow: number;
  limit: number;
}) {
  const job = await findVisibleImport(options.db, options.actor, options.kind, options.importId);
  const page = await repo.errorPage(repo.importDb(options.db), job.workspace_id, job.id, options.afterRow, options.limit + 1);
  const data = page.slice(0, options.limit);
  return { data, nextAfterRow: page.length > options.limit ? Number(data.at(-1)?.row_number) : null };
}

/**
 * Every rejected row as CSV (UTF-8 with BOM for Excel): the file's columns with the row's cells, then the row
 * number and the reasons (in the caller's language, by the module's `describe`). The import ignores the two extra
 * columns, so the fixed file can be imported again.
 */
export async function importErrorsCsv<O, R>(options: {
  db: Kysely<DB>;
  actor: Actor;
  kind: ImportKind<O, R>;
  importId: string;
  locale: 'ja' | 'en';
  describe: (reasons: unknown[], job: ImportJob<O>) => string;
}) {
  const { actor, locale } = options;
  const db = repo.importDb(options.db);
  const job = await findVisibleImport(options.db, actor, options.kind, options.importId);
  const header = job.header;
  const csv = stringify({ bom: true, record_delimiter: '\r\n' });
  async function* rows() {
    yield [...header, locale === 'ja' ? '行番号' : 'row', locale === 'ja' ? 'エラー理由' : 'reason'];
    let after = 0;
    for (;;) {
      const page = await repo.errorPage(db, actor.workspaceId, job.id, after, PAGE);
      for (const r of page) {
        const cells = (r.cells as unknown[]).map((c) => (c === null || c === undefined ? '' : String(c)));
        while (cells.length < header.length) cells.push('');
        yield [...cells, String(r.row_number), options.describe(r.reasons as unknown[], job)];
      }
      if (page.length < PAGE) return;
      after = Number(page.at(-1)?.row_number);
    }
  }
  return chain(Readable.from(rows()), csv);
}
