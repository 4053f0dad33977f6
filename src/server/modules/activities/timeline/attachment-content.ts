import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import type { Config } from '../../../platform/config.js';
import { partsStream, storeInParts } from '../../../platform/file-parts.js';
import type { ModulePlugin } from '../../../platform/http/app.js';
import { chain } from '../../../platform/streams.js';
import { type ActivitiesDb, type ActivitiesTx, activitiesDb } from '../activities.db.js';

/**
 * Where an attachment's bytes are: numbered parts in `attachment_parts` ('database', the default: every instance serves
 * every file and a backup holds them), or a file under ATTACHMENTS_DIR ('disk', ATTACHMENTS_STORAGE=disk). Each row
 * says which, so both kinds stay readable whatever the setting is now.
 */
export type Storage = Config['attachments']['storage'];
type AttachmentsConfig = Pick<Config, 'attachments'>;

export interface StoredContent {
  storage: Storage;
  size: number;
  sha256: string;
  /** The first bytes (at most 16): the type check looks at them. */
  head: Buffer;
}

/**
 * Writes the content as it streams in: into the caller's transaction as parts, or to a temporary file renamed into
 * place when complete. `check` sees the running size and may throw (too large), which leaves nothing behind.
 */
export async function writeContent(
  trx: ActivitiesTx,
  config: AttachmentsConfig,
  target: { workspaceId: string; id: string; storageKey: string },
  content: AsyncIterable<Buffer> | Iterable<Buffer>,
  check: (size: number) => void,
): Promise<StoredContent> {
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let size = 0;
  const seen = (chunk: Buffer) => {
    size += chunk.length;
    check(size);
    if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
    hash.update(chunk);
  };
  const { storage, dir } = config.attachments;
  if (storage === 'database') {
    await storeInParts(content, (seq, data) => insertPart(trx, target.workspaceId, target.id, seq, data), seen);
  } else {
    const file = path.join(dir, target.storageKey);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      for await (const chunk of content) {
        seen(chunk);
        await handle.write(chunk);
      }
      await handle.sync();
      await handle.close();
      await fs.rename(tmp, file);
    } catch (err) {
      await handle.close().catch(() => {});
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }
  return { storage, size, sha256: hash.digest('hex'), head };
}

async function insertPart(db: ActivitiesDb | ActivitiesTx, workspaceId: string, attachmentId: string, seq: number, data: Buffer) {
  await db.insertInto('attachment_parts').values({ workspace_id: workspaceId, attachment_id: attachmentId, seq, data }).execute();
}

export interface ContentRow {
  workspace_id: string;
  id: string;
  storage: string;
  storage_key: string;
  size: string | number;
}

/**
 * The bytes of a stored attachment as a stream (one part per query, or the file read in chunks), never whole in
 * memory; null when a file kept on disk is not on this instance. A stream that ends short of the recorded size (the
 * attachment was deleted while it was being read) fails instead of passing as complete.
 */
export async function openContent(db: ActivitiesDb, config: AttachmentsConfig, row: ContentRow): Promise<Readable | null> {
  const parts = () =>
    partsStream(async (seq) => {
      const part = await db
        .selectFrom('attachment_parts')
        .select('data')
        .where('workspace_id', '=', row.workspace_id)
        .where('attachment_id', '=', row.id)
        .where('seq', '=', seq)
        .executeTakeFirst();
      return part?.data;
    });
  let source: Readable;
  if (row.storage === 'database') {
    source = parts();
  } else {
    const handle = await fs.open(path.join(config.attachments.dir, row.storage_key), 'r').catch(() => null);
    if (handle) source = handle.createReadStream();
    // Moved into the database since the row was read (the file goes right after that commit).
    else if (await movedIntoDatabase(db, row)) source = parts();
    else return null;
  }
  const expected = Number(row.size);
  let bytes = 0;
  return chain(
    source,
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        cb(null, chunk);
      },
      flush(cb) {
        cb(bytes === expected ? null : new Error(`attachment ${row.id}: ${bytes} of ${expected} bytes`));
      },
    }),
  );
}

async function movedIntoDatabase(db: ActivitiesDb, row: ContentRow) {
  const now = await db
    .selectFrom('attachments')
    .select('storage')
    .where('workspace_id', '=', row.workspace_id)
    .where('id', '=', row.id)
    .executeTakeFirst();
  return now?.storage === 'database';
}

/**
 * With the database storage, files this instance's folder still holds (written before attachments moved into
 * PostgreSQL, or under ATTACHMENTS_STORAGE=disk) are copied in, one per transaction, checked against the size and
 * sha256 of their row, then removed from the folder. Rows whose file is on another machine stay as they are and are
 * moved when that machine starts. Runs in the background after start: an instance serves at once, reading those
 * files from the folder until they are moved. Several instances may run it at once (row locks, SKIP LOCKED).
 */
export async function moveFilesIntoDatabase(
  db: ActivitiesDb,
  config: AttachmentsConfig,
  options: { stopped: () => boolean; log: (msg: string, extra: Record<string, unknown>) => void },
): Promise<{ moved: number }> {
  let moved = 0;
  let after = { workspace_id: '00000000-0000-0000-0000-000000000000', id: '00000000-0000-0000-0000-000000000000' };
  for (;;) {
    const rows = await db
      .selectFrom('attachments')
      .select(['workspace_id', 'id', 'storage_key'])
      .where('storage', '=', 'disk')
      .where((eb) => eb(eb.refTuple('workspace_id', 'id'), '>', eb.tuple(after.workspace_id, after.id)))
      .orderBy('workspace_id')
      .orderBy('id')
      .limit(100)
      .execute();
    for (const row of rows) {
      if (options.stopped()) return { moved };
      const file = path.join(config.attachments.dir, row.storage_key);
      if (!(await fs.stat(file).catch(() => null))?.isFile()) continue;
      const done = await db
        .transaction()
        .execute(async (trx) => {
          const locked = await trx
            .selectFrom('attachments')
            .select(['size', 'sha256'])
            .where('workspace_id', '=', row.workspace_id)
            .where('id', '=', row.id)
            .where('storage', '=', 'disk')
            .forUpdate()
            .skipLocked()
            .executeTakeFirst();
          if (!locked) return false;
          const hash = createHash('sha256');
          const size = await storeInParts(
            createReadStream(file),
            (seq, data) => insertPart(trx, row.workspace_id, row.id, seq, data),
            (chunk) => hash.update(chunk),
          );
          const digest = hash.digest('hex');
          if (size !== Number(locked.size) || digest !== locked.sha256) {
            options.log('attachment file differs from its record: left on disk', { attachmentId: row.id, size, expected: locked.size });
            // Throwing rolls back the parts written above.
            throw new SkipFile();
          }
          await trx
            .updateTable('attachments')
            .set({ storage: 'database' })
            .where('workspace_id', '=', row.workspace_id)
            .where('id', '=', row.id)
            .execute();
          return true;
        })
        .catch((err) => {
          if (err instanceof SkipFile) return false;
          throw err;
        });
      if (done) {
        await fs.rm(file, { force: true });
        moved += 1;
      }
    }
    const last = rows.at(-1);
    if (!last) return { moved };
    after = last;
  }
}

class SkipFile extends Error {}

/** Starts moving this instance's folder into the database once the server is ready (database storage only). */
export const moveFilesAtStart: ModulePlugin = async (app, { database, config }) => {
  if (config.attachments.storage !== 'database') return;
  let stopping = false;
  let running: Promise<unknown> = Promise.resolve();
  const log = (msg: string, extra: Record<string, unknown>) => app.log.warn({ module: 'activities.attachments', ...extra }, msg);
  app.addHook('onReady', async () => {
    running = moveFilesIntoDatabase(activitiesDb(database.db), config, { stopped: () => stopping, log })
      .then(({ moved }) => moved && app.log.info({ module: 'activities.attachments', moved }, 'attachment files moved into the database'))
      .catch((err) => log('moving attachment files into the database stopped; it resumes at the next start', { err }));
  });
  app.addHook('onClose', async () => {
    stopping = true;
    await running;
  });
};
