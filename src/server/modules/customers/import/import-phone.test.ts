import { describe, expect, it } from 'vitest';
import { normalizePhone } from '../../../../shared/jp-text.js';
import { normalizePhoneFast } from './import-phone.js';

/** xorshift32: the same samples every run. */
function rng(seed: number) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

describe('normalizePhoneFast', () => {
  it('gives exactly libphonenumber-js answer for every 4-digit prefix of 10- and 11-digit numbers, in many spellings', async () => {
    const r = rng(12345);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
    const samples: string[] = [];
    for (let p = 0; p < 1000; p++) {
      const prefix = `0${String(p).padStart(3, '0')}`;
      for (let k = 0; k < 4; k++) {
        const ten = prefix + digits(6);
        const eleven = prefix + digits(7);
        for (const n of [ten, eleven]) {
          samples.push(
            n,
            `+81${n.slice(1)}`,
            `81${n.slice(1)}`,
            `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`,
            `(${n.slice(0, 2)}) ${n.slice(2)}`,
          );
        }
      }
    }
    samples.push(
      '',
      '0',
      '110',
      '+1 415 555 2671',
      '+44 20 7946 0958',
      'tel:0312345678',
      '０９０－１２３４－５６７８',
      '03-1234-5678 内線12',
      'abc',
    );
    let mismatches = 0;
    for (const s of samples) {
      if (JSON.stringify(normalizePhoneFast(s)) !== JSON.stringify(normalizePhone(s))) {
        mismatches++;
        expect(normalizePhoneFast(s), s).toEqual(normalizePhone(s));
      }
    }
    expect(mismatches).toBe(0);
    expect(samples.length).toBeGreaterThan(30_000);
  });

  it('handles the common shapes itself', () => {
    expect(normalizePhoneFast('090-1234-5678')).toEqual({ e164: '+819012345678', national: '090-1234-5678', digits: '09012345678' });
    expect(normalizePhoneFast('+81 3 1234 5678')).toEqual({ e164: '+81312345678', national: '03-1234-5678', digits: '0312345678' });
  });
});
