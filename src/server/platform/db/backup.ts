import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import * as tar from 'tar';
import { z } from 'zod';
import { listMigrations, type Migration, migrate } from './migrate.js';

/**
 * Portable backups (`.crmbackup`): a gzip tar with `manifest.json` and one PostgreSQL COPY text file per
 * table of the `public` schema, all read in one snapshot. Needs no pg_dump, so it works on the embedded
 * PostgreSQL and on any server, and an archive from one restores into the other.
 */
export const BACKUP_FORMAT_VERSION = 1;
const MANIFEST = 'manifest.json';
/** The root table of all tenant data: a target that has rows in it is never overwritten. */
const ROOT_TABLE = 'workspaces';
/** A stored file's path under `files/`: folders and names of safe characters, never `.` or `..` segments. */
const FILE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const FILES = 'files';

const manifestSchema = z.object({
  format: z.literal('crm-backup'),
  formatVersion: z.number().int(),
  appVersion: z.string(),
  createdAt: z.string(),
  postgresVersion: z.string(),
  migrations: z.array(z.string()),
  tables: z.array(
    z.object({
      name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/),
      file: z.string().regex(/^tables\/[A-Za-z0-9_$]+\.copy$/),
      columns: z.array(z.string().min(1)),
      rows: z.number().int().min(0),
      bytes: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
  /** Stored files (attachments), relative to the files folder; archives made before files were included have none. */
  files: z
    .array(z.object({ path: z.string().regex(FILE_PATH), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }))
    .default([]),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

/** A backup or restore that was refused or failed for a reason the operator can act on. */
export class BackupError extends Error {}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const columnList = (columns: string[]) => columns.map(ident).join(', ');

interface TableInfo {
  name: string;
  partitioned: boolean;
  columns: string[];
}

/** Tables of the public schema with their stored (non-generated) columns; partitions are read through their parent. */
async function listTables(client: pg.ClientBase): Promise<TableInfo[]> {
  const { rows } = await client.query<{ name: string; kind: string; columns: string[] }>(
    `SELECT c.relname AS name, c.relkind AS kind, array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      GROUP BY c.relname, c.relkind
      ORDER BY c.relname`,
  );
  return rows.map((r) => ({ name: r.name, partitioned: r.kind === 'p', columns: r.columns }));
}

/** Parents before children, from the foreign keys in pg_constraint, so rows load without deferring checks. */
async function dependencyOrder(client: pg.ClientBase, tables: string[]): Promise<string[]> {
  const { rows } = await client.query<{ child: string; parent: string }>(
    `SELECT ch.relname AS child, pa.relname AS parent
       FROM pg_constraint k
       JOIN pg_class ch ON ch.oid = k.conrelid
       JOIN pg_class pa ON pa.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = ch.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND ch.oid <> pa.oid`,
  );
  const wanted = new Set(tables);
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]));
  for (const r of rows) if (wanted.has(r.child) && wanted.has(r.parent)) parents.get(r.child)?.add(r.parent);
  const ordered: string[] = [];
  const done = new Set<string>();
  const remaining = [...tables].sort();
  while (remaining.length > 0) {
    const i = remaining.findIndex((t) => [...(parents.get(t) ?? [])].every((p) => done.has(p)));
    // A foreign-key cycle cannot be ordered: load the rest by name and let PostgreSQL name the broken key.
    const [next] = remaining.splice(i === -1 ? 0 : i, 1) as [string];
    ordered.push(next);
    done.add(next);
  }
  return ordered;
}

function hashing(hash: ReturnType<typeof createHash>, counter: { bytes: number }) {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      cb(null, chunk);
    },
  });
}

export interface BackupSummary {
  file: string;
  tables: number;
  rows: number;
  bytes: number;
  migrations: number;
  files: number;
}

/** Every regular file under `from` (temporary `.tmp` files of uploads in progress left out), copied to `to` with its checksum. */
async function copyFiles(from: string, to: string): Promise<BackupManifest['files']> {
  if (!fs.existsSync(from)) return [];
  const out: BackupManifest['files'] = [];
  for (const entry of fs.readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.tmp')) continue;
    const abs = path.join(entry.parentPath, entry.name);
    const rel = path.relative(from, abs).split(path.sep).join('/');
    if (!FILE_PATH.test(rel)) throw new BackupError(`The file ${abs} has a name a backup cannot hold; rename or remove it.`);
    const target = path.join(to, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const hash = createHash('sha256');
    const counter = { bytes: 0 };
    await pipeline(fs.createReadStream(abs), hashing(hash, counter), fs.createWriteStream(target));
    out.push({ path: rel, bytes: counter.bytes, sha256: hash.digest('hex') });
  }
  return out;
}

/**
 * Write a `.crmbackup` of the database. Every table is streamed to a temporary file next to the
 * archive inside one REPEATABLE READ READ ONLY transaction (a consistent snapshot while the app
 * keeps running), then packed; the archive appears under its name only when complete.
 */
export async function createBackup(options: {
  pool: pg.Pool;
  file: string;
  appVersion: string;
  filesDir?: string;
}): Promise<BackupSummary> {
  const file = path.resolve(options.file);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) throw new BackupError(`The folder ${dir} does not exist.`);
  const work = fs.mkdtempSync(path.join(dir, '.crmbackup-'));
  const partial = `${file}.partial`;
  const client = await options.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const hasMigrations = await client.query(`SELECT to_regclass('public.schema_migrations') IS NOT NULL AS ok`);
    if (!hasMigrations.rows[0].ok) throw new BackupError('This database has no schema_migrations table: it is not a CRM database.');
    const migrations = (await client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name);
    const postgresVersion = (await client.query<{ v: string }>('SHOW server_version')).rows[0]?.v ?? '';
    const tables = await listTables(client);
    const order = await dependencyOrder(
      client,
      tables.map((t) => t.name),
    );
    fs.mkdirSync(path.join(work, 'tables'));
    const entries: BackupManifest['tables'] = [];
    for (const name of order) {
      const t = tables.find((x) => x.name === name) as TableInfo;
      const rel = `tables/${t.name}.copy`;
      const source = t.partitioned
        ? `COPY (SELECT ${columnList(t.columns)} FROM ${ident(t.name)}) TO STDOUT`
        : `COPY ${ident(t.name)} (${columnList(t.columns)}) TO STDOUT`;
      const stream = client.query(copyTo(source));
      const hash = createHash('sha256');
      const counter = { bytes: 0 };
      await pipeline(stream, hashing(hash, counter), fs.createWriteStream(path.join(work, rel)));
      entries.push({
        name: t.name,
        file: rel,
        columns: t.columns,
        rows: stream.rowCount,
        bytes: counter.bytes,
        sha256: hash.digest('hex'),
      });
    }
    await client.query('COMMIT');
    // Files are written before the row that names them commits, so every file of the snapshot is there now.
    const files = options.filesDir ? await copyFiles(options.filesDir, path.join(work, FILES)) : [];
    const manifest: BackupManifest = {
      format: 'crm-backup',
      formatVersion: BACKUP_FORMAT_VERSION,
      appVersion: options.appVersion,
      createdAt: new Date().toISOString(),
      postgresVersion,
      migrations,
      tables: entries,
      files,
    };
    fs.writeFileSync(path.join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await tar.create({ gzip: true, file: partial, cwd: work, portable: true }, [
      MANIFEST,
      ...entries.map((e) => e.file),
      ...files.map((f) => `${FILES}/${f.path}`),
    ]);
    fs.renameSync(partial, file);
    return {
      file,
      tables: entries.length,
      rows: entries.reduce((n, e) => n + e.rows, 0),
      bytes: fs.statSync(file).size,
      migrations: migrations.length,
      files: files.length,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    client.release();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const ENTRY = /^tables\/[A-Za-z0-9_$]+\.copy$/;

/**
 * Unpack an archive into a folder, hashing each file as it is written, and check it completely
 * (format, migrations, checksums) before anything touches a database. Entries are written with
 * back-pressure (tar's own extract buffers whole files in memory when the disk is slower than gunzip).
 */
async function unpackAndVerify(file: string, work: string, known: Migration[]): Promise<BackupManifest> {
  if (!fs.existsSync(file)) throw new BackupError(`${file} does not exist.`);
  fs.mkdirSync(path.join(work, 'tables'), { recursive: true });
  const hashes = new Map<string, string>();
  const writes: Promise<void>[] = [];
  const open = new Set<{ destroy(err?: unknown): unknown }>();
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (entry) => {
      const isFile = entry.path.startsWith(`${FILES}/`) && FILE_PATH.test(entry.path.slice(FILES.length + 1));
      if (entry.type !== 'File' || (entry.path !== MANIFEST && !ENTRY.test(entry.path) && !isFile)) {
        entry.resume();
        return;
      }
      const hash = createHash('sha256');
      const name = entry.path;
      if (isFile) fs.mkdirSync(path.dirname(path.join(work, name)), { recursive: true });
      open.add(entry);
      entry.on('end', () => open.delete(entry));
      const written = pipeline(entry, hashing(hash, { bytes: 0 }), fs.createWriteStream(path.join(work, name))).then(() => {
        hashes.set(name, hash.digest('hex'));
      });
      written.catch(() => {}); // reported through Promise.all below; never an unhandled rejection meanwhile
      writes.push(written);
    },
  });
  try {
    try {
      await pipeline(fs.createReadStream(file), parser);
    } finally {
      // A truncated archive ends the parser in the middle of an entry, which then never ends by itself.
      for (const entry of open) entry.destroy(new Error('the archive ends in the middle of a file'));
    }
    await Promise.all(writes);
  } catch (err) {
    await Promise.allSettled(writes);
    throw new BackupError(`${file} is not a readable .crmbackup archive (${(err as Error).message}).`);
  }
  const manifestPath = path.join(work, MANIFEST);
  if (!fs.existsSync(manifestPath)) throw new BackupError(`${file} is not a .crmbackup archive: it has no ${MANIFEST}.`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch {
    throw new BackupError(`The ${MANIFEST} in ${file} is not valid JSON: the archive is damaged.`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new BackupError(`The ${MANIFEST} in ${file} is not a valid backup manifest: the archive is damaged.`);
  const manifest = parsed.data;
  if (manifest.formatVersion !== BACKUP_FORMAT_VERSION) {
    throw new BackupError(
      `${file} uses backup format ${manifest.formatVersion}; this version of the CRM reads format ${BACKUP_FORMAT_VERSION}. Restore it with the CRM version that made it (${manifest.appVersion}) or a newer one.`,
    );
  }
  const knownNames = new Set(known.map((m) => m.name));
  const unknown = manifest.migrations.filter((m) => !knownNames.has(m));
  if (unknown.length > 0) {
    throw new BackupError(
      `${file} was made by a newer version of the CRM (${manifest.appVersion}): its schema has migrations this version does not know (${unknown.join(', ')}). Upgrade the CRM, then restore.`,
    );
  }
  for (const t of manifest.tables) {
    const actual = hashes.get(t.file);
    if (!actual) throw new BackupError(`The archive is damaged: ${t.file} is missing. Nothing was restored.`);
    if (actual !== t.sha256) {
      throw new BackupError(`The archive is damaged: ${t.file} does not match its checksum in the manifest. Nothing was restored.`);
    }
  }
  for (const f of manifest.files) {
    if (hashes.get(`${FILES}/${f.path}`) !== f.sha256) {
      throw new BackupError(`The archive is damaged: the file ${f.path} is missing or does not match its checksum. Nothing was restored.`);
    }
  }
  return manifest;
}

/** Read and check an archive without restoring it. */
export async function verifyBackup(file: string, known: Migration[] = listMigrations()): Promise<BackupManifest> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-verify-'));
  try {
    return await unpackAndVerify(path.resolve(file), work, known);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function tablesWithRows(client: pg.ClientBase): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const t of await listTables(client)) {
    if (t.name === 'schema_migrations') continue;
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${ident(t.name)} LIMIT 1000) s`);
    if ((rows[0]?.n ?? 0) > 0) found.set(t.name, rows[0]?.n ?? 0);
  }
  return found;
}

/** Point every identity and serial sequence of the public schema past the largest restored value. */
async function resetSequences(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ tbl: string; col: string; seq: string }>(
    `SELECT c.relname AS tbl, a.attname AS col, s.seq
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       CROSS JOIN LATERAL (SELECT pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS seq) s
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND s.seq IS NOT NULL`,
  );
  for (const r of rows) {
    await client.query(`SELECT setval($1, coalesce((SELECT max(${ident(r.col)}) FROM ${ident(r.tbl)}), 0) + 1, false)`, [r.seq]);
  }
}

export interface RestoreSummary {
  tables: number;
  rows: number;
  files: number;
  appVersion: string;
  createdAt: string;
  /** Migrations newer than the archive, applied after its data was loaded. */
  upgraded: string[];
}

/**
 * Restore an archive into an empty database. The archive is checked first; the schema is brought to
 * the archive's migrations; all tables load in one transaction (parents first) and are checked against
 * the manifest, so a failure leaves the database without data; then newer migrations upgrade it.
 * `force` clears leftovers (e.g. sign-in throttling rows) when the database has no workspace; it never
 * overwrites a database that holds workspaces.
 */
export async function restoreBackup(options: {
  pool: pg.Pool;
  file: string;
  force?: boolean;
  migrations?: Migration[];
  /** where the archive's stored files go (the attachments folder) */
  filesDir?: string;
}): Promise<RestoreSummary> {
  const known = options.migrations ?? listMigrations();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-restore-'));
  try {
    const manifest = await unpackAndVerify(path.resolve(options.file), work, known);
    if (manifest.files.length && !options.filesDir)
      throw new BackupError('The archive holds stored files but no folder was given for them.');
    for (const f of manifest.files) {
      const target = path.join(options.filesDir as string, f.path);
      if (fs.existsSync(target)) {
        throw new BackupError(`The files folder is not empty (${target} exists): restore into a new DATA_DIR or an empty ATTACHMENTS_DIR.`);
      }
    }
    const inArchive = new Set(manifest.migrations);
    const client = await options.pool.connect();
    try {
      const hasMigrations = (await client.query(`SELECT to_regclass('public.schema_migrations') IS NOT NULL AS ok`)).rows[0].ok;
      const applied = hasMigrations
        ? (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name)
        : [];
      const occupied = await tablesWithRows(client);
      if (occupied.size > 0) {
        const list = [...occupied].map(([t, n]) => `${t}: ${n >= 1000 ? '1000+' : n}`).join(', ');
        if (occupied.has(ROOT_TABLE) || !options.force) {
          throw new BackupError(
            `The target database is not empty (${list}). Restore only goes into an empty database: create a new database (or use a new DATA_DIR) and restore there.${
              occupied.has(ROOT_TABLE)
                ? ' --force does not overwrite existing workspaces.'
                : ' It has no workspace: --force clears these leftover rows and restores.'
            }`,
          );
        }
      }
      const newer = applied.filter((m) => !inArchive.has(m));
      if (newer.length > 0) {
        throw new BackupError(
          `The target database already has migrations the backup does not (${newer.join(', ')}): its data would not go through them. Restore into a new empty database (or a new DATA_DIR) before starting the server there.`,
        );
      }
      await migrate(
        options.pool,
        known.filter((m) => inArchive.has(m.name)),
      );
      const present = new Map((await listTables(client)).map((t) => [t.name, t]));
      for (const t of manifest.tables) {
        const target = present.get(t.name);
        if (!target)
          throw new BackupError(
            `The archive has a table ${t.name} that its migrations did not create: the archive does not match its manifest.`,
          );
        const missing = t.columns.filter((c) => !target.columns.includes(c));
        if (missing.length > 0)
          throw new BackupError(`The table ${t.name} in the archive has columns the schema lacks (${missing.join(', ')}).`);
      }
      const byName = new Map(manifest.tables.map((t) => [t.name, t]));
      const order = await dependencyOrder(client, [...byName.keys()]);
      let rows = 0;
      await client.query('BEGIN');
      try {
        if (occupied.size > 0) await client.query(`TRUNCATE ${[...occupied.keys()].map(ident).join(', ')} CASCADE`);
        // The migrations just applied are the archive's; its own schema_migrations rows keep their original dates.
        await client.query('DELETE FROM schema_migrations');
        for (const name of order) {
          const t = byName.get(name) as BackupManifest['tables'][number];
          const sink = client.query(copyFrom(`COPY ${ident(t.name)} (${columnList(t.columns)}) FROM STDIN`));
          await pipeline(fs.createReadStream(path.join(work, t.file)), sink);
          if (sink.rowCount !== t.rows) {
            throw new BackupError(`Table ${t.name}: loaded ${sink.rowCount} rows, the manifest says ${t.rows}. Nothing was restored.`);
          }
          rows += t.rows;
        }
        await resetSequences(client);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        if (err instanceof BackupError) throw err;
        throw new BackupError(`Restore failed and was rolled back, nothing was restored: ${(err as Error).message}`);
      }
      // Rows first, then files: a failed file copy is repeated by restoring again into a new folder, with nothing half-loaded.
      for (const f of manifest.files) {
        const target = path.join(options.filesDir as string, f.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(path.join(work, FILES, f.path), target, fs.constants.COPYFILE_EXCL);
      }
      const upgraded = await migrate(options.pool, known);
      return {
        tables: manifest.tables.length,
        rows,
        files: manifest.files.length,
        appVersion: manifest.appVersion,
        createdAt: manifest.createdAt,
        upgraded,
      };
    } finally {
      client.release();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
