import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { classifyDbError } from '../db/db-errors.js';
import { chain } from '../streams.js';
import { badTextIn, findBadText, isStorableText } from './input-guard.js';

describe('text PostgreSQL cannot store', () => {
  it('finds NUL and unpaired surrogates, and lets well-formed pairs through', () => {
    expect(isStorableText('山田 太郎 🎉')).toBe(true);
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('\ud800')).toBe(false);
    expect(isStorableText('\udc00x')).toBe(false);
    expect(isStorableText('\ud83d\ude00')).toBe(true);
  });

  it('names the path of the first bad string or key, in arrays and nested objects', () => {
    expect(findBadText({ a: [{ b: 'ok' }, { c: 'x\u0000' }] })).toBe('a.1.c');
    expect(findBadText({ custom: { 'k\ud800': 1 } })).toBe('custom.k\ud800');
    expect(findBadText({ a: 1, b: null, c: true, d: ['x'] })).toBeNull();
    expect(findBadText(Buffer.from([0]))).toBeNull();
    expect(findBadText(Readable.from(['\u0000']))).toBeNull();
    expect(badTextIn({ params: {}, query: { sort: '\u0000x' }, body: undefined })).toEqual({ in: 'querystring', path: 'sort' });
  });
});

describe('database errors', () => {
  it('maps constraint violations to the caller and an absent database to 503', () => {
    expect(classifyDbError({ code: '23505' })).toBe('already_exists');
    expect(classifyDbError({ code: '23503' })).toBe('reference_invalid');
    expect(classifyDbError({ code: '23514' })).toBe('validation_failed');
    expect(classifyDbError({ code: '22P05' })).toBe('validation_failed');
    expect(classifyDbError({ code: '57P01' })).toBe('unavailable');
    expect(classifyDbError({ code: 'ECONNREFUSED' })).toBe('unavailable');
    expect(classifyDbError(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(classifyDbError(new Error('boom'))).toBeNull();
    expect(classifyDbError({ code: 'FST_ERR_VALIDATION' })).toBeNull();
  });
});

describe('chain', () => {
  it('delivers an error of the first stream to the consumer of the last one instead of leaving it unhandled', async () => {
    async function* failing() {
      yield 'a';
      throw new Error('source failed');
    }
    const { PassThrough } = await import('node:stream');
    const out = chain(Readable.from(failing()), new PassThrough(), new PassThrough());
    const read = async () => {
      for await (const _ of out) {
        // drain
      }
    };
    await expect(read()).rejects.toThrow('source failed');
  });
});
