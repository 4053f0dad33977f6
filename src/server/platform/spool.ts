import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Runs `use` once the whole stream is in a temporary file (in TMPDIR, removed afterwards), with a way to read it back.
 * An upload arrives at the client's pace: spooled first, it is then written to the database in a transaction that
 * lasts as long as the local copy takes, so a slow client never holds a pooled connection or a row lock.
 */
export async function withSpooled<T>(body: NodeJS.ReadableStream, use: (open: () => Readable) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'crm-upload-'));
  try {
    const file = path.join(dir, 'body');
    await pipeline(body, createWriteStream(file, { mode: 0o600 }));
    return await use(() => createReadStream(file));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
