import { PassThrough, Readable, Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { companyImportFields, personImportFields } from '../../../shared/contracts/import-fields.js';
import type { Filter, Sort } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { chain } from '../../platform/streams.js';
import { listCustomFields } from './custom-fields.js';
import type { CustomersDb } from './customers.db.js';
import { departmentNames } from './import/import.repository.js';
import { fieldLabel } from './import/import-mapping.js';
import { companyKind } from './records/company.kind.js';
import { personKind } from './records/person.kind.js';
import type { CompanyView, PersonView } from './records/records.presenter.js';
import { getPerson, listPage } from './records/records.service.js';
import { toVCard } from './vcard.js';

/** Streamed exports of a filtered view: CSV (UTF-8 + BOM, or CP932), XLSX, vCard. Each export leaves an audit row. */

export type ExportFormat = 'csv' | 'csv_cp932' | 'xlsx';
const PAGE = 1000;

/** What an export writes: every importable field, names split (the combined 氏名/フリガナ columns are import-only), so a file re-imports as is. */
export const personExportColumns = personImportFields.filter((f) => f !== 'fullName' && f !== 'fullNameKana');

export const companyExportColumns = companyImportFields;

const genderJa: Record<string, string> = { male: '男性', female: '女性', other: 'その他', unspecified: '未回答' };

/** A spreadsheet would run a cell starting with = + - @ (or tab/CR) as a formula: a leading quote makes it text. */
export function neutralize(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

type Record_ = PersonView | CompanyView;

function phoneBy(r: Record_, label: string, fallback = false): string {
  const p = r.phones.find((x) => x.label === label) ?? (fallback ? r.phones.find((x) => x.label === 'other') : undefined);
  return p?.number ?? '';
}

function cellOf(r: Record_, column: string, locale: 'ja' | 'en', departments: Map<string, string>): string {
  if (column.startsWith('custom.')) {
    const v = r.custom[column.slice(7)];
    return v === undefined || v === null ? '' : Array.isArray(v) ? v.join(',') : String(v);
  }
  // Built-in columns are named like the views' fields (familyName, city, …); a person's own ones are read below.
  const x: Record<string, unknown> = r;
  const person = 'familyName' in r ? r : null;
  switch (column) {
    case 'email':
      return r.emails[0]?.address ?? '';
    case 'email2':
      return r.emails[1]?.address ?? '';
    case 'phone':
      return phoneBy(r, 'work', true);
    case 'mobile':
      return phoneBy(r, 'mobile');
    case 'homePhone':
      return phoneBy(r, 'home');
    case 'fax':
      return phoneBy(r, 'fax');
    case 'companyName':
      return person?.company?.name ?? '';
    case 'department':
      return person?.departmentId ? (departments.get(person.departmentId) ?? '') : '';
    case 'gender':
      return person?.gender ? (locale === 'ja' ? (genderJa[person.gender] ?? person.gender) : person.gender) : '';
    case 'tags':
      return r.tags.join(',');
    default:
      return x[column] === null || x[column] === undefined ? '' : String(x[column]);
  }
}

interface ExportOptions {
  db: CustomersDb;
  actor: Actor;
  entityType: 'person' | 'company';
  filter?: Filter;
  sort: Sort;
  columns?: string[];
}

async function resolveColumns(o: ExportOptions) {
  const defs = await listCustomFields(o.db, o.actor.workspaceId, o.entityType);
  const builtIn: readonly string[] = o.entityType === 'person' ? personExportColumns : companyExportColumns;
  const all = [...builtIn, ...defs.map((d) => `custom.${d.key}`)];
  const columns = o.columns?.length ? o.columns : all;
  const unknown = columns.filter((c) => !all.includes(c));
  if (unknown.length)
    throw new AppError('validation_failed', { issues: unknown.map((c) => ({ path: 'columns', code: 'unknown_column', column: c })) });
  const labelOf = (c: string) => {
    const d = defs.find((x) => `custom.${x.key}` === c);
    return d ? (o.actor.locale === 'ja' ? d.labelJa : d.labelEn) : fieldLabel(c, o.actor.locale);
  };
  return { columns, header: columns.map(labelOf) };
}

/**
 * Every record of the view, a page at a time through the keyset cursor: the table is never in memory. The first
 * page is read before the response starts, so a filter or sort the query refuses is a 400, not a cut-off download.
 */
async function records(o: ExportOptions): Promise<AsyncGenerator<Record_[]>> {
  const page = (cursor: string | undefined) =>
    o.entityType === 'person'
      ? listPage(personKind, { db: o.db, actor: o.actor, filter: o.filter, sort: o.sort, cursor, limit: PAGE })
      : listPage(companyKind, { db: o.db, actor: o.actor, filter: o.filter, sort: o.sort, cursor, limit: PAGE });
  const first = await page(undefined);
  return (async function* () {
    let current = first;
    for (;;) {
      yield current.data as Record_[];
      if (!current.nextCursor) return;
      current = await page(current.nextCursor);
    }
  })();
}

async function audit(o: ExportOptions, after: Record<string, unknown>) {
  await o.db.transaction().execute((trx) =>
    recordChange(trx, o.actor, {
      audit: {
        action: `${o.entityType}.exported`,
        entityType: o.entityType,
        entityId: null,
        after: { filter: o.filter ?? null, sort: o.sort, ...after },
      },
    }),
  );
}

/** CP932 cannot hold every character (emoji, some kanji variants): those become '?' and are counted. */
function cp932Encoder(onReplaced: (n: number) => void) {
  const ok = new Map<string, boolean>();
  const encodable = (ch: string) => {
    let v = ok.get(ch);
    if (v === undefined) {
      v = iconv.decode(iconv.encode(ch, 'cp932'), 'cp932') === ch;
      ok.set(ch, v);
    }
    return v;
  };
  return new Transform({
    transform(chunk: Buffer | string, _enc, cb) {
      const s = chunk.toString();
      let out = '';
      let replaced = 0;
      for (const ch of s) {
        if (ch.charCodeAt(0) < 0x80 || encodable(ch)) out += ch;
        else {
          out += '?';
          replaced++;
        }
      }
      if (replaced) onReplaced(replaced);
      cb(null, iconv.encode(out, 'cp932'));
    },
  });
}

export async function exportRecords(o: ExportOptions & { format: ExportFormat }) {
  const { columns, header } = await resolveColumns(o);
  const pages = await records(o);
  let rows = 0;
  let replaced = 0;
  let audited = false;
  const done = async () => {
    if (audited) return;
    audited = true;
    await audit(o, { format: o.format, columns, rows, ...(o.format === 'csv_cp932' ? { replacedCharacters: replaced } : {}) });
  };
  async function* lines(): AsyncGenerator<string[]> {
    try {
      yield header;
      for await (const page of pages) {
        const departments = await departmentNames(
          o.db,
          o.actor.workspaceId,
          page.map((r) => (r as PersonView).departmentId).filter((x): x is string => !!x),
        );
        for (const r of page) {
          rows++;
          yield columns.map((c) => neutralize(cellOf(r, c, o.actor.locale, departments)));
        }
      }
    } finally {
      await done();
    }
  }
  const name = `${o.entityType === 'person' ? 'people' : 'companies'}-${new Date().toISOString().slice(0, 10)}`;
  if (o.format === 'xlsx') {
    return {
      stream: xlsxStream(lines()),
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      filename: `${name}.xlsx`,
    };
  }
  const csv = chain(Readable.from(lines()), stringify({ bom: o.format === 'csv', record_delimiter: '\r\n' }));
  if (o.format === 'csv') return { stream: csv, contentType: 'text/csv; charset=utf-8', filename: `${name}.csv` };
  return {
    stream: chain(
      csv,
      cp932Encoder((n) => (replaced += n)),
    ),
    contentType: 'text/csv; charset=shift_jis',
    filename: `${name}.csv`,
  };
}

function xlsxStream(lines: AsyncGenerator<string[]>): Readable {
  const out = new PassThrough();
  (async () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
    const sheet = workbook.addWorksheet('export');
    for await (const line of lines) {
      sheet.addRow(line).commit();
      // Back-pressure: wait while the client has not taken what was already written.
      while (out.readableLength > 4 * 1024 * 1024 && !out.destroyed) await new Promise((r) => setTimeout(r, 20));
      if (out.destroyed) return;
    }
    sheet.commit();
    await workbook.commit();
  })().catch((err) => out.destroy(err));
  return out;
}

export async function exportVCards(o: Omit<ExportOptions, 'entityType' | 'columns'>) {
  const opts: ExportOptions = { ...o, entityType: 'person' };
  const pages = await records(opts);
  let rows = 0;
  async function* cards() {
    try {
      for await (const page of pages) {
        for (const p of page as PersonView[]) {
          rows++;
          yield toVCard(p);
        }
      }
    } finally {
      await audit(opts, { format: 'vcard', rows });
    }
  }
  return Readable.from(cards());
}

export async function personVCard(o: { db: CustomersDb; actor: Actor; personId: string }) {
  const p = await getPerson({ db: o.db, actor: o.actor, personId: o.personId });
  await audit({ db: o.db, actor: o.actor, entityType: 'person', sort: [] }, { format: 'vcard', rows: 1, personId: p.id });
  return { vcard: toVCard(p), name: p.displayName };
}
