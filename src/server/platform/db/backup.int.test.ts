import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePerson, makeTeam, makeToken, makeUser, makeWorkspace } from '../../../../test/factories.js';
import {
  addUser,
  createEmptyDatabase,
  createTestDatabase,
  createTestWorkspace,
  PASSWORD,
  signIn,
  startTestServer,
  uniqueEmail,
} from '../../../../test/helpers.js';
import { loadConfig } from '../config.js';
import { BackupError, type BackupManifest, createBackup, restoreBackup } from './backup.js';

let tmp: string;
let sourceUrl: string;
let archive: string;
let adminEmail: string;
let workspaceId: string;
const pools: pg.Pool[] = [];

function poolFor(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pools.push(pool);
  return pool;
}

/** A brand-new database with nothing in it: not cloned from the migrated template. */
/** Per table of the public schema: a digest of all its rows. */
async function tableDigests(pool: pg.Pool): Promise<Record<string, string>> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const { rows } = await pool.query(`SELECT count(*)::int AS n, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS d FROM "${name}" t`);
    out[name] = `${rows[0].n}:${rows[0].d}`;
  }
  return out;
}

/** Rows in all public tables but schema_migrations (which a restore fills when it migrates the schema). */
async function dataRows(pool: pg.Pool): Promise<number> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
  );
  let n = 0;
  for (const { name } of tables) n += (await pool.query(`SELECT count(*)::int AS n FROM "${name}"`)).rows[0].n;
  return n;
}

/** Unpack an archive, let the test damage it, pack it again. */
async function tamper(source: string, edit: (dir: string, manifest: BackupManifest) => void): Promise<string> {
  const dir = fs.mkdtempSync(path.join(tmp, 'tamper-'));
  await tar.extract({ file: source, cwd: dir });
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  edit(dir, manifest);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const out = path.join(tmp, `tampered-${randomBytes(3).toString('hex')}.crmbackup`);
  await tar.create({ gzip: true, file: out, cwd: dir }, ['manifest.json', ...manifest.tables.map((t) => t.file)]);
  return out;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-backup-test-'));
  sourceUrl = await createTestDatabase();
  const server = await startTestServer({ databaseUrl: sourceUrl });
  try {
    const ws = await makeWorkspace(server);
    adminEmail = ws.admin.email;
    workspaceId = ws.id;
    const a = await makeUser(ws, 'member', { name: '山田 太郎' });
    const b = await makeUser(ws, 'manager', { name: "O'Brien\tタブ\\改行\n入り" });
    await makeTeam(ws, [a, b], '東京営業部');
    expect((await ws.admin.client.post('/api/v1/invitations', { email: uniqueEmail(), role: 'readonly' })).status).toBe(201);
    await makeToken(ws, ws.admin, ['read'], '会計連携');
    await createTestWorkspace(server, { name: 'Other Inc.', locale: 'en' });
  } finally {
    // Stopped so the outbox relay and sessions no longer change rows while the test compares them.
    await server.stop();
  }
  archive = path.join(tmp, 'source.crmbackup');
  await createBackup({ pool: poolFor(sourceUrl), file: archive, appVersion: 'test' });
});

afterAll(async () => {
  for (const p of pools) await p.end().catch(() => {});
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('backup archive', () => {
  it('holds a manifest with every public table, its row count and checksum, and the applied migrations', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'read-'));
    await tar.extract({ file: archive, cwd: dir });
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(manifest).toMatchObject({ format: 'crm-backup', formatVersion: 1, appVersion: 'test' });
    const pool = poolFor(sourceUrl);
    const applied = (await pool.query('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name);
    expect(manifest.migrations).toEqual(applied);
    const { rows } = await pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    expect(manifest.tables.map((t) => t.name).sort()).toEqual(rows.map((r) => r.tablename));
    for (const t of manifest.tables) {
      const { n } = (await pool.query(`SELECT count(*)::int AS n FROM "${t.name}"`)).rows[0];
      expect(t.rows, t.name).toBe(n);
      expect(
        createHash('sha256')
          .update(fs.readFileSync(path.join(dir, t.file)))
          .digest('hex'),
      ).toBe(t.sha256);
    }
    expect(manifest.tables.find((t) => t.name === 'audit_log')?.rows).toBeGreaterThan(5);
    expect(manifest.tables.find((t) => t.name === 'outbox')?.rows).toBeGreaterThan(5);
    expect(manifest.tables.some((t) => t.name.startsWith('job'))).toBe(false);
    // Parents come before the tables that reference them.
    const order = manifest.tables.map((t) => t.name);
    expect(order.indexOf('workspaces')).toBeLessThan(order.indexOf('users'));
    expect(order.indexOf('users')).toBeLessThan(order.indexOf('team_members'));
  });
});

describe('restore', () => {
  it('reproduces every table row for row in a new empty database, which then accepts sign-ins and writes', async () => {
    const targetUrl = await createEmptyDatabase();
    const target = poolFor(targetUrl);
    const summary = await restoreBackup({ pool: target, file: archive });
    expect(summary.upgraded).toEqual([]);
    expect(await tableDigests(target)).toEqual(await tableDigests(poolFor(sourceUrl)));

    const maxOutbox = Number((await target.query('SELECT max(id) AS m FROM outbox')).rows[0].m);
    const server = await startTestServer({ databaseUrl: targetUrl });
    try {
      const admin = await signIn(server, adminEmail, PASSWORD);
      expect((await admin.post('/api/v1/teams', { name: '大阪営業部' })).status).toBe(201);
      await addUser(server, admin, 'member');
      const { rows } = await target.query('SELECT min(id) AS lo FROM outbox WHERE id > $1 AND workspace_id = $2', [maxOutbox, workspaceId]);
      expect(Number(rows[0].lo)).toBe(maxOutbox + 1);
    } finally {
      await server.stop();
    }
  });

  it('refuses a database that holds workspaces, with or without --force, and changes nothing', async () => {
    const pool = poolFor(sourceUrl);
    const before = await tableDigests(pool);
    await expect(restoreBackup({ pool, file: archive })).rejects.toThrow(/not empty \(.*workspaces: 2/);
    await expect(restoreBackup({ pool, file: archive, force: true })).rejects.toThrow(/--force does not overwrite existing workspaces/);
    expect(await tableDigests(pool)).toEqual(before);
  });

  it('clears leftovers of a database without workspaces only with --force', async () => {
    const targetUrl = await createTestDatabase();
    const target = poolFor(targetUrl);
    await target.query(`INSERT INTO login_throttle (key, failures) VALUES ('someone@example.test', 2)`);
    await expect(restoreBackup({ pool: target, file: archive })).rejects.toThrow(/login_throttle: 1.*--force clears/);
    await restoreBackup({ pool: target, file: archive, force: true });
    expect(await tableDigests(target)).toEqual(await tableDigests(poolFor(sourceUrl)));
  });

  it('refuses an archive whose data does not match its checksums, and leaves the target empty', async () => {
    const damaged = await tamper(archive, (dir) => {
      const file = path.join(dir, 'tables/users.copy');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('山田', '田山'));
    });
    const target = poolFor(await createEmptyDatabase());
    const err = await restoreBackup({ pool: target, file: damaged }).catch((e) => e);
    expect(err).toBeInstanceOf(BackupError);
    expect(err.message).toMatch(/damaged: tables\/users\.copy does not match its checksum/);
    expect(await dataRows(target)).toBe(0);
  });

  it('rolls back every table when loading fails part way', async () => {
    // Consistent checksums but no workspaces: the users rows then break their foreign key.
    const orphaned = await tamper(archive, (dir, manifest) => {
      fs.writeFileSync(path.join(dir, 'tables/workspaces.copy'), '');
      const t = manifest.tables.find((x) => x.name === 'workspaces') as BackupManifest['tables'][number];
      Object.assign(t, { rows: 0, bytes: 0, sha256: createHash('sha256').update('').digest('hex') });
    });
    const target = poolFor(await createEmptyDatabase());
    await expect(restoreBackup({ pool: target, file: orphaned })).rejects.toThrow(/rolled back, nothing was restored.*foreign key/);
    expect((await target.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n).toBeGreaterThan(5);
    expect(await dataRows(target)).toBe(0);
  });

  it('refuses an archive made by a newer version with migrations this code does not know', async () => {
    const future = await tamper(archive, (_dir, manifest) => {
      manifest.migrations.push('9999_from_the_future');
      manifest.appVersion = '99.0.0';
    });
    const target = poolFor(await createEmptyDatabase());
    await expect(restoreBackup({ pool: target, file: future })).rejects.toThrow(
      /newer version of the CRM \(99\.0\.0\).*9999_from_the_future/,
    );
    expect((await target.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n).toBe(0);
  });

  it('refuses a truncated archive instead of waiting forever, and leaves the target empty', async () => {
    const whole = fs.readFileSync(archive);
    for (const fraction of [0.3, 0.6, 0.9]) {
      const cut = path.join(tmp, `cut-${fraction}.crmbackup`);
      fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * fraction)));
      const target = poolFor(await createEmptyDatabase());
      await expect(restoreBackup({ pool: target, file: cut })).rejects.toThrow(BackupError);
      expect((await target.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n).toBe(0);
    }
  }, 30_000);

  it('refuses a file that is not an archive', async () => {
    const junk = path.join(tmp, 'junk.crmbackup');
    fs.writeFileSync(junk, 'not a tar file at all');
    await expect(restoreBackup({ pool: poolFor(await createEmptyDatabase()), file: junk })).rejects.toThrow(BackupError);
  });
});

describe('stored files (attachments)', () => {
  it('in PostgreSQL (the default) travel with the tables: a multi-MB file attached before the backup downloads byte-identical from the restored server', async () => {
    const defaults = loadConfig({}, process.cwd()).attachments;
    const url = await createTestDatabase();
    const content = randomBytes(3 * 1024 * 1024 + 99);
    const sourceFiles = fs.mkdtempSync(path.join(tmp, 'db-files-src-'));
    let attachmentId: string;
    let email: string;
    const source = await startTestServer({ databaseUrl: url, config: { attachments: { ...defaults, dir: sourceFiles } } });
    try {
      const ws = await makeWorkspace(source);
      email = ws.admin.email;
      const p = await makePerson(ws.admin.client, { familyName: '添付' });
      const a = await ws.admin.client.post('/api/v1/activities', {
        kind: 'note',
        body: '図面',
        links: [{ entityType: 'person', entityId: p.id }],
      });
      const up = await ws.admin.client.request('POST', `/api/v1/activities/${a.body.id}/attachments?filename=drawing.bin`, content, {
        'content-type': 'application/octet-stream',
      });
      expect(up.status).toBe(201);
      attachmentId = up.body.id;
    } finally {
      await source.stop();
    }
    const file = path.join(tmp, 'db-files.crmbackup');
    const made = await createBackup({ pool: poolFor(url), file, appVersion: 'test', filesDir: sourceFiles });
    expect(made.files).toBe(0);
    const targetUrl = await createEmptyDatabase();
    await restoreBackup({ pool: poolFor(targetUrl), file, filesDir: path.join(tmp, `db-files-dst-${randomBytes(3).toString('hex')}`) });
    const server = await startTestServer({
      databaseUrl: targetUrl,
      config: { attachments: { ...defaults, dir: path.join(tmp, `db-files-unused-${randomBytes(3).toString('hex')}`) } },
    });
    try {
      const admin = await signIn(server, email, PASSWORD);
      const dl = await server.app.inject({ method: 'GET', url: `/api/v1/attachments/${attachmentId}`, headers: { cookie: admin.cookie } });
      expect(dl.statusCode).toBe(200);
      expect(createHash('sha256').update(dl.rawPayload).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('in the folder (ATTACHMENTS_STORAGE=disk) travel with the archive: a file attached before the backup downloads from the restored server', async () => {
    const defaults = { ...loadConfig({}, process.cwd()).attachments, storage: 'disk' as const };
    const sourceFiles = fs.mkdtempSync(path.join(tmp, 'files-src-'));
    const url = await createTestDatabase();
    const content = Buffer.from('見積書 PDF の中身 %PDF-1.7 テスト');
    let attachmentId: string;
    let email: string;
    const source = await startTestServer({ databaseUrl: url, config: { attachments: { ...defaults, dir: sourceFiles } } });
    try {
      const ws = await makeWorkspace(source);
      email = ws.admin.email;
      const admin = ws.admin.client;
      const p = await makePerson(admin, { familyName: '添付' });
      const a = await admin.post('/api/v1/activities', {
        kind: 'note',
        body: '資料',
        links: [{ entityType: 'person', entityId: p.id }],
      });
      const up = await admin.request(
        'POST',
        `/api/v1/activities/${a.body.id}/attachments?filename=${encodeURIComponent('見積書.pdf')}`,
        content,
        {
          'content-type': 'application/pdf',
        },
      );
      expect(up.status).toBe(201);
      attachmentId = up.body.id;
    } finally {
      await source.stop();
    }
    // an upload in progress is not a stored file
    fs.writeFileSync(path.join(sourceFiles, 'half-written.123.tmp'), 'x');
    const withFiles = path.join(tmp, 'with-files.crmbackup');
    const made = await createBackup({ pool: poolFor(url), file: withFiles, appVersion: 'test', filesDir: sourceFiles });
    expect(made.files).toBe(1);

    const targetFiles = path.join(tmp, `files-dst-${randomBytes(3).toString('hex')}`);
    const targetUrl = await createEmptyDatabase();
    const restored = await restoreBackup({ pool: poolFor(targetUrl), file: withFiles, filesDir: targetFiles });
    expect(restored.files).toBe(1);
    const server = await startTestServer({ databaseUrl: targetUrl, config: { attachments: { ...defaults, dir: targetFiles } } });
    try {
      const admin = await signIn(server, email, PASSWORD);
      const dl = await admin.request('GET', `/api/v1/attachments/${attachmentId}`);
      expect(dl.status).toBe(200);
      expect(dl.body).toBe(content.toString());
    } finally {
      await server.stop();
    }

    // a folder that already holds the files is refused before any row is loaded
    const again = poolFor(await createEmptyDatabase());
    const refused = await restoreBackup({ pool: again, file: withFiles, filesDir: targetFiles }).catch((e) => e);
    expect(refused).toBeInstanceOf(BackupError);
    expect(refused.message).toMatch(/files folder is not empty/);
    expect(await dataRows(again)).toBe(0);

    // a damaged file fails the checksum check, and nothing is restored
    const dir = fs.mkdtempSync(path.join(tmp, 'tamper-files-'));
    await tar.extract({ file: withFiles, cwd: dir });
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
    const stored = path.join(dir, 'files', manifest.files[0]?.path as string);
    fs.writeFileSync(stored, 'changed');
    const damaged = path.join(tmp, 'damaged-files.crmbackup');
    await tar.create({ gzip: true, file: damaged, cwd: dir }, [
      'manifest.json',
      ...manifest.tables.map((t) => t.file),
      `files/${manifest.files[0]?.path}`,
    ]);
    const third = poolFor(await createEmptyDatabase());
    const err = await restoreBackup({ pool: third, file: damaged, filesDir: path.join(tmp, 'unused-files') }).catch((e) => e);
    expect(err).toBeInstanceOf(BackupError);
    expect(err.message).toMatch(/damaged: the file .* does not match its checksum/);
    expect(await dataRows(third)).toBe(0);
  });
});
