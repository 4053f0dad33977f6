import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FILE_PART_SIZE, partsStream, storeInParts } from './file-parts.js';

async function roundTrip(chunks: Buffer[]) {
  const parts: Buffer[] = [];
  const size = await storeInParts(chunks, async (seq, data) => {
    expect(seq).toBe(parts.length);
    parts.push(Buffer.from(data));
  });
  const read: Buffer[] = [];
  for await (const chunk of partsStream(async (seq) => parts[seq])) read.push(chunk as Buffer);
  return { size, parts, back: Buffer.concat(read) };
}

describe('file parts', () => {
  it('cuts one large buffer (a parsed mail attachment) into parts of the part size, and reads it back whole', async () => {
    const data = randomBytes(FILE_PART_SIZE * 2 + 12_345);
    const { size, parts, back } = await roundTrip([data]);
    expect(size).toBe(data.length);
    expect(parts.map((p) => p.length)).toEqual([FILE_PART_SIZE, FILE_PART_SIZE, 12_345]);
    expect(back.equals(data)).toBe(true);
  });

  it('joins small chunks (a streamed upload) into full parts', async () => {
    const data = randomBytes(FILE_PART_SIZE + 100);
    const chunks = Array.from({ length: Math.ceil(data.length / 65_536) }, (_, i) => data.subarray(i * 65_536, (i + 1) * 65_536));
    const { parts, back } = await roundTrip(chunks);
    expect(parts.map((p) => p.length)).toEqual([FILE_PART_SIZE, 100]);
    expect(back.equals(data)).toBe(true);
  });

  it('writes no part for an empty file', async () => {
    const { size, parts } = await roundTrip([]);
    expect([size, parts.length]).toEqual([0, 0]);
  });
});
