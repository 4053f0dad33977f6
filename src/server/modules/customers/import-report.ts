import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Actor } from '../../platform/actor.js';
import type { Db } from '../../platform/db/database.js';
import { chain } from '../../platform/streams.js';
import * as repo from './import.repository.js';
import { findVisibleJob } from './import.service.js';
import { fieldLabel } from './import-mapping.js';
import { describeReasons, type Reason } from './import-rows.js';

/** The rejected rows as CSV (UTF-8 with BOM for Excel): the original cells, the row number and the reasons. */
export async function importErrorsCsv(options: { db: Db; actor: Actor; importId: string; locale: 'ja' | 'en' }) {
  const { db, actor, locale } = options;
  const job = await findVisibleJob(db, actor, options.importId);
  const header = job.header.map(String);
  const label = (f: string) => {
    const i = job.mapping ? Object.entries(job.mapping).find(([, v]) => v === f)?.[0] : undefined;
    return i !== undefined ? (header[Number(i)] ?? fieldLabel(f, locale)) : fieldLabel(f, locale);
  };
  const csv = stringify({ bom: true, record_delimiter: '\r\n' });
  async function* rows() {
    yield [...header, locale === 'ja' ? '行番号' : 'row', locale === 'ja' ? 'エラー理由' : 'reason'];
    let after = 0;
    for (;;) {
      const page = await repo.errorPage(db, actor.workspaceId, job.id, after, 2000);
      for (const r of page) {
        const cells = (r.cells as unknown[]).map((c) => (c === null ? '' : String(c)));
        while (cells.length < header.length) cells.push('');
        yield [...cells, String(r.row_number), describeReasons(r.reasons as Reason[], locale, label)];
      }
      if (page.length < 2000) return;
      after = Number(page.at(-1)?.row_number);
    }
  }
  return chain(Readable.from(rows()), csv);
}
