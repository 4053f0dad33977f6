import { Readable } from 'node:stream';

/**
 * Uploads (import files) are kept in PostgreSQL as numbered parts of about 1 MiB (bytea rows), so any app instance
 * can run the job that reads them and a restart loses nothing. The module's repository owns the table and the SQL;
 * these two helpers only cut a stream into parts and read the parts back in order.
 */
export const FILE_PART_SIZE = 1024 * 1024;

/** Writes `body` as parts 0, 1, 2 … as it arrives (the file is never whole in memory); returns the byte count. */
export async function storeInParts(
  body: AsyncIterable<Buffer>,
  writePart: (seq: number, data: Buffer) => Promise<void>,
  onChunk?: (chunk: Buffer) => void,
): Promise<number> {
  let seq = 0;
  let size = 0;
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const flush = async () => {
    if (!pendingSize) return;
    await writePart(seq++, Buffer.concat(pending));
    pending = [];
    pendingSize = 0;
  };
  for await (const chunk of body) {
    onChunk?.(chunk);
    pending.push(chunk);
    pendingSize += chunk.length;
    size += chunk.length;
    if (pendingSize >= FILE_PART_SIZE) await flush();
  }
  await flush();
  return size;
}

/** The stored file as a stream, one part per query; `readPart` answers undefined after the last part. */
export function readParts(readPart: (seq: number) => Promise<Buffer | undefined>, onBytes?: (n: number) => void): Readable {
  let seq = 0;
  return new Readable({
    async read() {
      try {
        const data = await readPart(seq++);
        if (data) onBytes?.(data.length);
        this.push(data ?? null);
      } catch (err) {
        this.destroy(err as Error);
      }
    },
  });
}
