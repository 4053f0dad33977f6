import { describe, expect, it } from 'vitest';
import { normalizePhone } from '../../../../shared/jp-text.js';
import { phoneLabelOf, phoneTypeOf } from '../../../../shared/phone-type.js';
import { normalizePhoneFast, phoneLabelFast, phoneTypeFast } from './import-phone.js';

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

function samples() {
  const r = rng(12345);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
  const out: string[] = [];
  for (let p = 0; p < 1000; p++) {
    const prefix = `0${String(p).padStart(3, '0')}`;
    for (let k = 0; k < 4; k++) out.push(prefix + digits(6), prefix + digits(7));
  }
  return out;
}

describe('phoneTypeFast', () => {
  it('gives exactly libphonenumber-js number type (full metadata) for every 4-digit prefix of 10- and 11-digit numbers', () => {
    let mismatches = 0;
    let checked = 0;
    const seen = new Set<string | null>();
    for (const s of [...samples(), '+1 415 555 2671', '+44 7911 123456', '0120-123-456', '0800-123-4567', '0570-012-345']) {
      const n = normalizePhoneFast(s);
      if (!n) continue;
      checked++;
      const expected = phoneTypeOf(n.e164);
      seen.add(expected);
      if (phoneTypeFast(n) !== expected) {
        mismatches++;
        expect(phoneTypeFast(n), s).toBe(expected);
      }
    }
    expect(mismatches).toBe(0);
    expect(checked).toBeGreaterThan(3000);
    expect([...seen]).toEqual(expect.arrayContaining(['MOBILE', 'FIXED_LINE', 'VOIP', 'TOLL_FREE', null]));
  });

  it('gives the label of libphonenumber-js number type for every 5-digit prefix, without parsing Japanese numbers again', () => {
    const r = rng(777);
    const rest = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
    let mismatches = 0;
    let mobiles = 0;
    for (let p = 0; p < 10_000; p++) {
      const prefix = `0${String(p).padStart(4, '0')}`;
      for (const n of [prefix + rest(4), prefix + rest(5), prefix + rest(6), `010${prefix.slice(1)}${rest(5)}`]) {
        const parsed = normalizePhoneFast(n);
        if (!parsed) continue;
        const expected = phoneLabelOf(phoneTypeOf(parsed.e164));
        if (expected === 'mobile') mobiles++;
        if (phoneLabelFast(parsed) !== expected) {
          mismatches++;
          expect(phoneLabelFast(parsed), n).toBe(expected);
        }
      }
    }
    expect(mismatches).toBe(0);
    expect(mobiles).toBeGreaterThan(300);
  });

  it('makes a landline, an IP phone and freephone a work phone and a mobile number a mobile one', () => {
    const label = (s: string) => phoneLabelOf(phoneTypeFast(normalizePhoneFast(s) as { e164: string; digits: string }));
    expect(label('03-1234-5678')).toBe('work');
    expect(label('06-6123-4567')).toBe('work');
    expect(label('0467-12-3456')).toBe('work');
    expect(label('050-1234-5678')).toBe('work');
    expect(label('0120-123-456')).toBe('work');
    expect(label('0800-123-4567')).toBe('work');
    expect(label('090-1234-5678')).toBe('mobile');
    expect(label('０８０－１１１１－２２２２')).toBe('mobile');
    expect(label('+81 70 1234 5678')).toBe('mobile');
    expect(label('+44 7911 123456')).toBe('mobile');
  });
});

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
