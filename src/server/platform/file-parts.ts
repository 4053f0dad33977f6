import { Readable } from 'node:stream';

/**
 * Files kept in PostgreSQL (import uploads, attachments) are rows of numbered parts of about 1 MiB: any instance reads
 * them, a backup holds them, and neither writing nor reading ever has a whole file in memory.
 */
export const FILE_PART_SIZE = 1024 * 1024;

/**
 * Writes `body` as parts 0, 1, 2 … of FILE_PART_SIZE bytes (the last one shorter) as it arrives, whatever the size of
 * its chunks; `onChunk` sees every chunk first (and may throw to stop). Returns the byte count.
 */
export async function storeInParts(
  body: AsyncIterable<Buffer> | Iterable<Buffer>,
  writePart: (seq: number, data: Buffer) => Promise<void>,
  onChunk?: (chunk: Buffer) => void,
): Promise<number> {
  let seq = 0;
  let size = 0;
  let pending: Buffer[] = [];
  let pendingSize = 0;
  for await (const chunk of body) {
    onChunk?.(chunk);
    pending.push(chunk);
    pendingSize += chunk.length;
    size += chunk.length;
    if (pendingSize < FILE_PART_SIZE) continue;
    let rest = Buffer.concat(pending);
    while (rest.length >= FILE_PART_SIZE) {
      await writePart(seq++, rest.subarray(0, FILE_PART_SIZE));
      rest = rest.subarray(FILE_PART_SIZE);
    }
    pending = rest.length ? [rest] : [];
    pendingSize = rest.length;
  }
  if (pendingSize) await writePart(seq, Buffer.concat(pending));
  return size;
}

/** A stored file as a stream, one part per query (`readPart(seq)` is undefined past the last part). */
export function partsStream(readPart: (seq: number) => Promise<Buffer | undefined>, onBytes?: (n: number) => void): Readable {
  let seq = 0;
  return new Readable({
    async read() {
      try {
        const part = await readPart(seq++);
        if (part) onBytes?.(part.length);
        this.push(part ?? null);
      } catch (err) {
        this.destroy(err as Error);
      }
    },
  });
}
