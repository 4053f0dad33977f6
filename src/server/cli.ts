import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { passwordSchema, setupBody } from '../shared/contracts/accounts.js';
import { errorCodes } from '../shared/errors.js';
import { createAdminUser, createWorkspace, createWorkspaceForOperator, listWorkspaces, resetPassword } from './modules/accounts/index.js';
import { verifyAudit } from './platform/audit-chain.js';
import { type Config, ConfigError, describeConfig, loadConfig } from './platform/config.js';
import { BackupError, createBackup, restoreBackup } from './platform/db/backup.js';
import { type Database, openDatabase } from './platform/db/database.js';
import { DataDirLockedError, lockDataDir, startEmbeddedPostgres } from './platform/db/embedded.js';
import { migrate } from './platform/db/migrate.js';
import { platformDb } from './platform/db/platform-tables.js';
import { AppError } from './platform/http/errors.js';

/** `crm <command>`: operator tasks on the same database the server uses. Exit codes: 0 ok, 1 failure, 2 usage. */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const appVersion = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

class UsageError extends Error {}
class Failure extends Error {}

const log = (m: string) => console.error(`[crm] ${m}`);

interface Command {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean' }>;
  positionals?: number;
  run(values: Record<string, string | boolean | undefined>, positionals: string[], config: Config): Promise<void>;
}

/**
 * The database the server uses: DATABASE_URL, else the embedded PostgreSQL in DATA_DIR. When a running
 * server holds the data folder, connect to its PostgreSQL (port from postmaster.pid, password from
 * secrets.json) instead of refusing: PostgreSQL serves both, and a backup reads one consistent snapshot.
 */
async function openCliDatabase(config: Config, options: { migrate: boolean }): Promise<{ database: Database; close(): Promise<void> }> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    try {
      const release = lockDataDir(config.dataDir);
      try {
        const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
        url = embedded.url;
        stopEmbedded = async () => {
          await embedded.stop();
          release();
        };
      } catch (err) {
        release();
        throw err;
      }
    } catch (err) {
      if (!(err instanceof DataDirLockedError)) throw err;
      url = await runningServerUrl(config.dataDir, err.pid);
      log(`the CRM server (pid ${err.pid}) is running on ${config.dataDir}: using its database`);
    }
  }
  const database = openDatabase(url, { poolSize: 4, applicationName: 'crm-cli' });
  const close = async () => {
    await database.close();
    await stopEmbedded?.();
  };
  try {
    if (options.migrate) await migrate(database.pool);
  } catch (err) {
    await close();
    throw err;
  }
  return { database, close };
}

async function runningServerUrl(dataDir: string, serverPid: number): Promise<string> {
  const cannot = (why: string) =>
    new Failure(
      `The CRM server (pid ${serverPid}) holds ${dataDir} and its database cannot be reached (${why}). Stop the server, or set DATABASE_URL.`,
    );
  let port: number;
  let password: string;
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n');
    port = Number.parseInt(lines[3] ?? '', 10);
    password = (JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { pgPassword: string }).pgPassword;
  } catch (err) {
    throw cannot((err as Error).message);
  }
  if (!Number.isInteger(port) || port <= 0) throw cannot('no port in postmaster.pid');
  const url = `postgres://crm:${encodeURIComponent(password)}@127.0.0.1:${port}/crm`;
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
  } catch (err) {
    throw cannot((err as Error).message);
  } finally {
    await probe.end().catch(() => {});
  }
  return url;
}

async function withDatabase<T>(config: Config, migrateFirst: boolean, fn: (database: Database) => Promise<T>): Promise<T> {
  const conn = await openCliDatabase(config, { migrate: migrateFirst });
  try {
    return await fn(conn.database);
  } finally {
    await conn.close();
  }
}

/** Ask twice without echo on a terminal; refuse to guess when stdin is not one. */
async function readPassword(given: string | boolean | undefined): Promise<string> {
  let password = typeof given === 'string' ? given : undefined;
  if (password === undefined) {
    if (!process.stdin.isTTY) throw new UsageError('--password is required when not run on a terminal.');
    const first = await prompt('Password: ');
    const second = await prompt('Password again: ');
    if (first !== second) throw new UsageError('The passwords do not match.');
    password = first;
  }
  if (!passwordSchema.safeParse(password).success) throw new UsageError('The password must be 10 to 200 characters long.');
  return password;
}

function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stdout.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stdout.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Failure('Cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

const emailSchema = z.email();

function requireString(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} is required.`);
  return v.trim();
}

/** Control characters (NUL included) have no place in a name or an address given on the command line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function optionalString(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** The same rules as the setup page (setupBody), plus no control characters; one message per bad option. */
function workspaceInput(values: Record<string, unknown>) {
  const name = requireString(values, 'name');
  const adminEmail = requireString(values, 'admin-email');
  const adminName = optionalString(values, 'admin-name')?.trim() || adminEmail.split('@')[0] || adminEmail;
  const fields: Record<string, string> = { name, 'admin-email': adminEmail, 'admin-name': adminName };
  for (const [option, value] of Object.entries(fields)) {
    if (CONTROL.test(value)) throw new UsageError(`--${option} must not contain control characters.`);
  }
  const parsed = setupBody.omit({ password: true }).safeParse({
    workspaceName: name,
    adminEmail,
    adminName,
    locale: optionalString(values, 'locale'),
    timeZone: optionalString(values, 'time-zone'),
    currency: optionalString(values, 'currency'),
  });
  if (!parsed.success) {
    const option: Record<string, string> = {
      workspaceName: '--name (1 to 120 characters)',
      adminEmail: '--admin-email (an email address)',
      adminName: '--admin-name (1 to 120 characters)',
      locale: '--locale (ja or en)',
      timeZone: '--time-zone (an IANA zone such as Asia/Tokyo)',
      currency: '--currency (an ISO 4217 code such as JPY)',
    };
    const bad = [...new Set(parsed.error.issues.map((i) => option[String(i.path[0])] ?? String(i.path[0])))];
    throw new UsageError(`Invalid ${bad.join(', ')}.`);
  }
  return parsed.data;
}

const commands: Record<string, Command> = {
  'create-workspace': {
    summary: 'add a workspace (another company on this server) with its administrator',
    usage: `crm create-workspace --name N --admin-email E [--admin-name A] [--password P]
                            [--locale ja|en] [--time-zone Asia/Tokyo] [--currency JPY] [--allow-same-name]

  Creates a workspace, separate from every other one on this server, and its first administrator
  (name A, default the part of E before @). With --password the administrator can sign in at once.
  Without it, prints a one-time setup link (valid 7 days) where the administrator chooses their name
  and password: pass it to them. Defaults: ja, Asia/Tokyo, JPY. Refuses a name another workspace
  already has unless --allow-same-name.`,
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-name': { type: 'string' },
      password: { type: 'string' },
      locale: { type: 'string' },
      'time-zone': { type: 'string' },
      currency: { type: 'string' },
      'allow-same-name': { type: 'boolean' },
    },
    async run(values, _p, config) {
      const input = workspaceInput(values);
      const given = optionalString(values, 'password');
      if (given !== undefined && !passwordSchema.safeParse(given).success) {
        throw new UsageError('The password must be 10 to 200 characters long.');
      }
      await withDatabase(config, true, async ({ db }) => {
        const same = (await listWorkspaces({ db })).filter((w) => w.name.toLowerCase() === input.workspaceName.toLowerCase());
        if (same.length && values['allow-same-name'] !== true) {
          const list = same.map((w) => `  ${w.id}  ${w.name}`).join('\n');
          throw new Failure(`A workspace with this name exists already (pass --allow-same-name to add another):\n${list}`);
        }
        const r = await createWorkspaceForOperator({
          db,
          workspace: { name: input.workspaceName, timeZone: input.timeZone, locale: input.locale, currency: input.currency },
          admin: { email: input.adminEmail, name: input.adminName, password: given },
          publicUrl: config.publicUrl,
        });
        console.log(`Created workspace "${input.workspaceName}" (${r.workspaceId}).`);
        if (r.setupUrl) {
          console.log(
            `Administrator ${input.adminEmail} sets a password at this one-time link (valid until ${r.expiresAt?.toISOString()}):`,
          );
          console.log(r.setupUrl);
        } else {
          console.log(`Administrator ${input.adminEmail} can sign in now.`);
        }
      });
    },
  },
  'create-admin': {
    summary: 'create the first workspace and its administrator, or add an administrator',
    usage: `crm create-admin --email E --name N [--password P] [--workspace-name W] [--workspace ID]

  With no workspace yet, creates one (named W, default "My company"; Asia/Tokyo, ja, JPY) with this
  administrator. Otherwise adds an administrator to the workspace (--workspace ID when there are several).
  Without --password, asks twice on the terminal.`,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
      'workspace-name': { type: 'string' },
      workspace: { type: 'string' },
    },
    async run(values, _p, config) {
      const email = requireString(values, 'email');
      if (!emailSchema.safeParse(email).success) throw new UsageError(`--email ${email} is not an email address.`);
      const name = requireString(values, 'name');
      const password = await readPassword(values.password);
      await withDatabase(config, true, async ({ db }) => {
        const workspaces = await listWorkspaces({ db });
        if (workspaces.length === 0) {
          const workspaceName = typeof values['workspace-name'] === 'string' ? values['workspace-name'] : 'My company';
          const { workspace } = await createWorkspace({
            db,
            workspace: { name: workspaceName, timeZone: 'Asia/Tokyo', locale: 'ja', currency: 'JPY' },
            admin: { name, email, password },
            onlyIfFirst: true,
          });
          console.log(`Created workspace "${workspace.name}" (${workspace.id}) with administrator ${email}.`);
          return;
        }
        const chosen = typeof values.workspace === 'string' ? values.workspace : undefined;
        const target = chosen ? workspaces.find((w) => w.id === chosen) : workspaces.length === 1 ? workspaces[0] : undefined;
        if (!target) {
          const list = workspaces.map((w) => `  ${w.id}  ${w.name}`).join('\n');
          throw new UsageError(`${chosen ? `No workspace ${chosen}.` : 'There are several workspaces: pass --workspace ID.'}\n${list}`);
        }
        const created = await createAdminUser({ db, workspaceId: target.id, email, name, password });
        console.log(`Added administrator ${email} to workspace "${created.workspaceName}" (${created.workspaceId}).`);
      });
    },
  },
  'reset-password': {
    summary: "set a user's password and end their sessions",
    usage: `crm reset-password --email E [--password P] [--workspace ID]

  Sets the password of the active user with this email and signs them out everywhere. Pass --workspace
  when the address has accounts in several workspaces. Without --password, asks twice on the terminal.`,
    options: { email: { type: 'string' }, password: { type: 'string' }, workspace: { type: 'string' } },
    async run(values, _p, config) {
      const email = requireString(values, 'email');
      const password = await readPassword(values.password);
      const workspaceId = typeof values.workspace === 'string' ? values.workspace : undefined;
      await withDatabase(config, true, async ({ db }) => {
        try {
          const r = await resetPassword({ db, email, password, workspaceId });
          console.log(`Password reset for ${email} in workspace ${r.workspaceId}; their sessions were ended.`);
        } catch (err) {
          if (err instanceof AppError && err.code === 'not_found') {
            throw new Failure(`No active user with the email ${email}${workspaceId ? ` in workspace ${workspaceId}` : ''}.`);
          }
          if (err instanceof AppError && err.code === 'bad_request') {
            throw new UsageError(`${email} has accounts in several workspaces: pass --workspace ID.`);
          }
          throw err;
        }
      });
    },
  },
  migrate: {
    summary: 'apply pending database migrations',
    usage: `crm migrate

  Applies the migrations this version has and the database lacks (the server also does this at start).`,
    options: {},
    async run(_v, _p, config) {
      await withDatabase(config, false, async ({ pool }) => {
        const applied = await migrate(pool);
        console.log(
          applied.length
            ? `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}`
            : 'The database is up to date.',
        );
      });
    },
  },
  config: {
    summary: 'print the validated configuration, secrets masked',
    usage: `crm config

  Prints the configuration read from the environment and .env, as the server would use it.`,
    options: {},
    async run(_v, _p, config) {
      console.log(JSON.stringify(describeConfig(config), null, 2));
    },
  },
  backup: {
    summary: 'write a consistent backup archive (.crmbackup)',
    usage: `crm backup <file>

  Writes every table of the database, read in one snapshot, and the stored files (attachments) to
  <file> (gzip tar, format 1). Safe while the server runs. Job queues (pg-boss) are not included: they are transient.`,
    options: {},
    positionals: 1,
    async run(_v, [file], config) {
      const started = Date.now();
      const s = await withDatabase(config, false, ({ pool }) =>
        createBackup({ pool, file: file as string, appVersion, filesDir: config.attachments.dir }),
      );
      console.log(
        `Backed up ${s.rows} rows in ${s.tables} tables and ${s.files} stored files to ${s.file} (${(s.bytes / 1024 / 1024).toFixed(1)} MB, ${Date.now() - started} ms).`,
      );
    },
  },
  restore: {
    summary: 'restore a backup archive into an empty database',
    usage: `crm restore <file> [--force]

  Checks the archive (checksums, known migrations), then loads it into the database, which must be
  empty: a new DATA_DIR, or a new database named by DATABASE_URL. All tables load in one transaction,
  so a failure restores nothing. --force clears leftover rows (such as sign-in throttling) from a
  database that has no workspace; it never overwrites a database with workspaces.`,
    options: { force: { type: 'boolean' } },
    positionals: 1,
    async run(values, [file], config) {
      const started = Date.now();
      const s = await withDatabase(config, false, ({ pool }) =>
        restoreBackup({ pool, file: file as string, force: values.force === true, filesDir: config.attachments.dir }),
      );
      console.log(
        `Restored ${s.rows} rows in ${s.tables} tables and ${s.files} stored files from a backup made ${s.createdAt} by version ${s.appVersion} (${Date.now() - started} ms).`,
      );
      if (s.upgraded.length) console.log(`Then applied newer migrations: ${s.upgraded.join(', ')}`);
    },
  },
  audit: {
    summary: 'check the hash-chained audit trail (crm audit verify)',
    usage: `crm audit verify [--workspace <id>]

  Seals audit rows not sealed yet, then walks each workspace's chain (or one workspace's): every row
  carries the hash of the one before it, so a changed or deleted row is reported with its sequence
  number. Exit code 1 when any chain is broken.`,
    options: { workspace: { type: 'string' } },
    positionals: 1,
    async run(values, [sub], config) {
      if (sub !== 'verify') throw new UsageError(`unknown audit command: ${sub}`);
      if (typeof values.workspace === 'string' && !z.uuid().safeParse(values.workspace).success)
        throw new UsageError('--workspace takes a workspace id (a UUID)');
      const broken = await withDatabase(config, true, async ({ db }) => {
        const ids = typeof values.workspace === 'string' ? [values.workspace] : (await listWorkspaces({ db })).map((w) => w.id);
        let bad = 0;
        for (const id of ids) {
          const r = await verifyAudit(platformDb(db), id);
          const breaks = r.problems.filter((p) => p.kind !== 'unsealed');
          console.log(`${id}: ${r.rows} rows, head ${r.headSeq}: ${r.intact ? 'intact' : `BROKEN (${breaks.length} problem(s))`}`);
          for (const p of r.problems) console.log(`  ${JSON.stringify(p)}`);
          if (!r.intact) bad++;
        }
        return bad;
      });
      if (broken) throw new Failure(`${broken} audit chain(s) broken`);
    },
  },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: crm <command> [options]   (npm run crm -- <command>, or npx crm <command>)

Commands:
${lines.join('\n')}

Every command uses the server's database: DATABASE_URL if set, else the embedded PostgreSQL in DATA_DIR.
Run crm <command> --help for its options. Exit codes: 0 ok, 1 failure, 2 usage error.`;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && commands[topic]) console.log(`Usage: ${commands[topic].usage}`);
    else console.log(mainHelp());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${mainHelp()}`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(`Usage: ${command.usage}`);
      return 0;
    }
    const expected = command.positionals ?? 0;
    if (positionals.length !== expected) {
      throw new UsageError(
        expected ? `Expected ${expected} argument(s), got ${positionals.length}.` : `Unexpected argument: ${positionals[0]}`,
      );
    }
    const config = loadConfig();
    await command.run(values as Record<string, string | boolean | undefined>, positionals, config);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith?.('ERR_PARSE_ARGS')) {
      console.error(`crm ${name}: ${(err as Error).message}\n\nUsage: ${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    if (err instanceof Failure || err instanceof BackupError) {
      console.error(`crm ${name}: ${err.message}`);
      return 1;
    }
    if (err instanceof AppError) {
      console.error(`crm ${name}: ${errorCodes[err.code].en}`);
      return 1;
    }
    console.error(`crm ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
