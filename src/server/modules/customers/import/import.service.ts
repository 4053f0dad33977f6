import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import { z } from 'zod';
import type { Actor } from '../../../platform/actor.js';
import { type Database, txTablesOf } from '../../../platform/db/database.js';
import type { DB } from '../../../platform/db/schema.js';
import { AppError } from '../../../platform/http/errors.js';
import {
  findVisibleImport,
  firstRows,
  type ImportJob,
  type ImportKind,
  type ImportTuning,
  loadImport,
  presentImportBase,
  queueImport,
  receiveUpload,
  updateImport,
} from '../../../platform/import/import.service.js';
import { userIdsOf } from '../../accounts/index.js';
import { listCustomFields } from '../custom-fields.js';
import { type CustomersTable, customersDb } from '../customers.db.js';
import * as repo from './import.repository.js';
import {
  checkMapping,
  decodeSample,
  detectEncoding,
  detectFormat,
  type EntityType,
  type ImportEncoding,
  suggestMapping,
} from './import-mapping.js';
import type { Cell } from './import-rows.js';
import { readCustomerRows } from './import-source.js';
import { type ChunkContext, type MatchOn, type Mode, type PreparedRow, prepareRow, writeChunk } from './import-writer.js';

const SAMPLE_SIZE = 64 * 1024;
const PREVIEW_ROWS = 20;

const encoding = z.enum(['utf8', 'cp932']);
/** What the customers import keeps on its job: the entity type, then the mapping and options chosen at start. */
const customerImportOptions = z.object({
  entityType: z.enum(['person', 'company']),
  detectedEncoding: encoding.nullable(),
  mapping: z.record(z.string(), z.string()).optional(),
  mode: z.enum(['create', 'update_matching', 'skip_duplicates']).optional(),
  matchOn: z.enum(['email', 'phone', 'id']).optional(),
});
type CustomerImportOptions = z.infer<typeof customerImportOptions>;
type CustomerImportJob = ImportJob<CustomerImportOptions>;

/** Knobs for tests and the benchmark: rows per transaction, and a hook after each committed batch. */
export const importTuning: ImportTuning = { batchSize: 5000 };

export function presentJob(job: CustomerImportJob) {
  const { options: o, counts: c } = job;
  const base = presentImportBase(job);
  return {
    ...base,
    entityType: o.entityType,
    detectedEncoding: job.format === 'xlsx' ? null : o.detectedEncoding,
    mode: o.mode ?? null,
    matchOn: o.matchOn ?? null,
    mapping: o.mapping ?? null,
    created: c.created ?? 0,
    updated: c.updated ?? 0,
    skipped: c.skipped ?? 0,
    companiesCreated: c.companiesCreated ?? 0,
  };
}

/** The customers kind of import (people or companies): rows are normalised in JS and written with COPY. */
export const customersImport: ImportKind<CustomerImportOptions, PreparedRow> = {
  kind: 'customers',
  queue: 'customers-import',
  module: 'customers.import',
  options: customerImportOptions,
  tuning: importTuning,
  // One batch is written while the next is prepared: the batches of one file may update the same records.
  writers: 1,
  rows: (source, job) => readCustomerRows(source, job.format, job.encoding),
  async open({ db, job }) {
    const { entityType, mode, matchOn, mapping } = job.options;
    const defs = await listCustomFields(customersDb(db), job.workspace_id, entityType);
    const ctx: Omit<ChunkContext, 'client'> = {
      workspaceId: job.workspace_id,
      userId: job.created_by,
      entityType,
      mode: mode ?? 'create',
      matchOn: matchOn ?? 'email',
      defs,
      users: defs.some((d) => d.type === 'user') ? await userIdsOf(db, job.workspace_id) : undefined,
      columnOf: new Map(Object.entries(mapping ?? {}).map(([i, f]) => [f, Number(i)])),
    };
    return {
      mapRow: (cells, rowNumber) => prepareRow(ctx, cells, rowNumber),
      async writeBatch({ client, rows }) {
        // Per transaction (SET LOCAL): a big pending list lets the GIN indexes (bigrams, trigrams, tags) batch their inserts.
        await client.query("SET LOCAL gin_pending_list_limit = '32MB'; SET LOCAL work_mem = '128MB'");
        const { companies, rejected, ...counts } = await writeChunk({ ...ctx, client }, rows);
        return { counts: { ...counts, companiesCreated: companies }, rejected };
      },
    };
  },
  present: presentJob,
  completed(job, actor) {
    const p = presentJob(job);
    // One audit row and one event for the whole import, not one per row (see docs/customers-import-export.md).
    return {
      audit: {
        action: 'import.completed',
        entityType: 'import',
        entityId: job.id,
        after: {
          entityType: p.entityType,
          filename: p.filename,
          mode: p.mode,
          rows: p.rowsTotal,
          created: p.created,
          updated: p.updated,
          skipped: p.skipped,
          rejected: p.rejected,
          companiesCreated: p.companiesCreated,
        },
      },
      event: { type: 'import.completed', entityType: 'import', entityId: job.id, ownerId: actor.userId, payload: p },
    };
  },
};

const text = (c: Cell) => (c === null || c === undefined ? '' : c instanceof Date ? c.toISOString().slice(0, 10) : String(c));

async function describeFile(db: Kysely<DB>, job: CustomerImportJob) {
  const rows = await firstRows(db, customersImport, job, PREVIEW_ROWS + 1);
  const header = (rows[0] ?? []).map(text);
  return { header, preview: rows.slice(1).map((r) => r.map(text)) };
}

/** Store the uploaded bytes in PostgreSQL as they arrive, then tell what the file is and suggest a mapping. */
export async function uploadImport(options: {
  db: Kysely<DB>;
  actor: Actor;
  entityType: EntityType;
  filename: string;
  body: Readable;
  encoding?: ImportEncoding;
}) {
  const { db, actor } = options;
  let preview: string[][] = [];
  const id = await receiveUpload(
    {
      db,
      actor,
      kind: customersImport,
      filename: options.filename,
      format: 'csv',
      encoding: 'utf8',
      jobOptions: { entityType: options.entityType, detectedEncoding: 'utf8' },
      body: options.body,
      sampleBytes: SAMPLE_SIZE,
    },
    async ({ job, size, sample }) => {
      if (size === 0) throw new AppError('validation_failed', { issues: [{ path: 'file', code: 'empty' }] });
      const detected = detectEncoding(sample);
      let encoding = options.encoding ?? detected;
      const format = detectFormat(sample, decodeSample(sample, encoding));
      if (!format || (format === 'vcf' && options.entityType !== 'person'))
        throw new AppError('unsupported_media_type', { issues: [{ path: 'file', code: 'not_csv_xlsx_or_vcard' }] });
      // A workbook's bytes are a ZIP, not text: guessing an encoding from them said cp932.
      if (format === 'xlsx') encoding = 'utf8';
      const jobOptions = { ...job.options, detectedEncoding: format === 'xlsx' ? null : detected };
      const described = await describeFile(db, { ...job, format, encoding, options: jobOptions });
      if (!described.header.length) throw new AppError('validation_failed', { issues: [{ path: 'file', code: 'empty' }] });
      preview = described.preview;
      await updateImport(db, actor.workspaceId, job.id, {
        format,
        encoding,
        options: JSON.stringify(jobOptions),
        header: JSON.stringify(described.header),
        status: 'uploaded',
      });
    },
  );
  const job = (await loadImport(db, customersImport, actor.workspaceId, id)) as CustomerImportJob;
  return { ...(await presentWithMappings(db, actor, job)), preview };
}

async function presentWithMappings(db: Kysely<DB>, actor: Actor, job: CustomerImportJob) {
  const { entityType } = job.options;
  const cdb = customersDb(db);
  const defs = await listCustomFields(cdb, actor.workspaceId, entityType);
  const saved = await repo.listMappings(cdb, actor.workspaceId, entityType);
  const header = job.header;
  // A saved mapping whose headers all appear in this file is applied to the suggestion.
  const fitting = saved.find((m) => Object.keys(m.mapping).every((h) => header.includes(h)));
  return {
    ...presentJob(job),
    header,
    // A vCard becomes fixed columns named after the fields: they map to themselves.
    suggestedMapping:
      job.format === 'vcf'
        ? Object.fromEntries(header.map((h, i) => [String(i), h]))
        : suggestMapping(header, entityType, defs, fitting?.mapping),
    savedMappings: saved.map((m) => ({ id: m.id, name: m.name, mapping: m.mapping })),
  };
}

export async function getImport(options: { db: Kysely<DB>; actor: Actor; importId: string }) {
  return presentJob(await findVisibleImport(options.db, options.actor, customersImport, options.importId));
}

/** Check the mapping and options, then queue the job in the same transaction as the status change. */
export async function startImport(options: {
  database: Database;
  boss: PgBoss;
  actor: Actor;
  importId: string;
  input: { mapping: Record<string, string>; mode: Mode; matchOn: MatchOn; encoding?: ImportEncoding; saveMappingAs?: string };
}) {
  const { database, actor, input } = options;
  const { db } = database;
  let job = await findVisibleImport(db, actor, customersImport, options.importId);
  // Only the creator (or an admin) chooses how their file is read: others who may see the upload cannot start it.
  if (job.created_by !== actor.userId && actor.role !== 'admin') throw new AppError('forbidden');
  if (job.status !== 'uploaded') throw new AppError('conflict', { current: presentJob(job) });
  if (input.encoding && input.encoding !== job.encoding) {
    if (job.format === 'xlsx') throw new AppError('validation_failed', { issues: [{ path: 'encoding', code: 'not_for_xlsx' }] });
    const { header } = await describeFile(db, { ...job, encoding: input.encoding });
    await updateImport(db, actor.workspaceId, job.id, { encoding: input.encoding, header: JSON.stringify(header) });
    job = { ...job, encoding: input.encoding, header };
  }
  const { entityType } = job.options;
  const defs = await listCustomFields(customersDb(db), actor.workspaceId, entityType);
  const issues = checkMapping(input.mapping, job.header.length, entityType, defs, input.mode);
  if (input.matchOn === 'id' && input.mode !== 'create' && !Object.values(input.mapping).includes('id'))
    issues.push({ path: 'matchOn', code: 'id_not_mapped' });
  if (issues.length) throw new AppError('validation_failed', { issues });
  const header = job.header;
  await queueImport({
    database,
    boss: options.boss,
    kind: customersImport,
    workspaceId: actor.workspaceId,
    importId: job.id,
    set: { options: JSON.stringify({ ...job.options, mapping: input.mapping, mode: input.mode, matchOn: input.matchOn }) },
    before: async (trx) => {
      if (!input.saveMappingAs) return;
      const byHeader = Object.fromEntries(Object.entries(input.mapping).map(([i, f]) => [header[Number(i)], f]));
      await repo.saveMapping(txTablesOf<CustomersTable, DB>(trx), {
        workspaceId: actor.workspaceId,
        entityType,
        name: input.saveMappingAs,
        mapping: byHeader,
        createdBy: actor.userId,
      });
    },
  });
  return getImport({ db, actor, importId: job.id });
}
