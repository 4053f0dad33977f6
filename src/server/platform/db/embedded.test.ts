import { describe, expect, it } from 'vitest';
import { sharedBuffersMb } from './embedded.js';

const GB = 1024 ** 3;

describe('embedded PostgreSQL shared buffers', () => {
  it('takes an eighth of the machine memory, at least 128 MB and at most 1 GB', () => {
    expect(sharedBuffersMb(0.5 * GB)).toBe(128);
    expect(sharedBuffersMb(2 * GB)).toBe(256);
    expect(sharedBuffersMb(6 * GB)).toBe(768);
    expect(sharedBuffersMb(24 * GB)).toBe(1024);
  });
});
