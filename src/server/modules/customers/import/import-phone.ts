import { normalizePhone } from '../../../../shared/jp-text.js';
import { type PhoneType, phoneLabelOf, phoneTypeOf } from '../../../../shared/phone-type.js';

/**
 * normalizePhone with a fast path for the commonest Japanese shapes (libphonenumber-js manages
 * ~35k numbers/s, too slow for a million-row import). The shapes handled here give exactly
 * libphonenumber's answer (checked over every prefix in import-phone.test.ts); anything else goes to it.
 */
const SIMPLE = /^[0-9+\-() ]+$/;

export function normalizePhoneFast(raw: string): { e164: string; national: string; digits: string } | null {
  if (SIMPLE.test(raw)) {
    let d = raw.replace(/[^0-9+]/g, '');
    if (d.startsWith('+81')) d = `0${d.slice(3)}`;
    else if (d.startsWith('81') && d.length === 12) d = `0${d.slice(2)}`;
    // Mobile (070/080/090) and IP (050) numbers: 0X0-XXXX-XXXX (0800 is freephone, formatted differently).
    if (d.length === 11 && /^0[5789]0\d{8}$/.test(d) && !d.startsWith('0800')) {
      return { e164: `+81${d.slice(1)}`, national: `${d.slice(0, 3)}-${d.slice(3, 7)}-${d.slice(7)}`, digits: d };
    }
    // Tokyo (03) and Osaka (06, not 060) landlines: 0X-XXXX-XXXX.
    if (d.length === 10 && (d[1] === '3' || (d[1] === '6' && d[2] !== '0')) && d[0] === '0' && /^\d{10}$/.test(d)) {
      return { e164: `+81${d.slice(1)}`, national: `${d.slice(0, 2)}-${d.slice(2, 6)}-${d.slice(6)}`, digits: d };
    }
  }
  return normalizePhone(raw);
}

/**
 * phoneTypeOf for a number normalizePhoneFast returned, without libphonenumber for the fast path's shapes (the same
 * answers, checked in import-phone.test.ts): 070/080/090 mobile, 050 IP phone, 03/06 landline, and no type for the
 * unassigned 0X00 / 030 blocks.
 */
export function phoneTypeFast(n: { e164: string; digits: string }): PhoneType | null {
  const d = n.digits;
  if (n.e164.charCodeAt(1) === 56 && n.e164.charCodeAt(2) === 49 && d.charCodeAt(0) === 48) {
    if (d.length === 11 && d[2] === '0' && (d[1] === '5' || d[1] === '7' || d[1] === '8' || d[1] === '9') && d[3] !== '0')
      return d[1] === '5' ? 'VOIP' : 'MOBILE';
    if (d.length === 10 && d[1] === '3' && d[2] !== '0') return 'FIXED_LINE';
    if (d.length === 10 && d[1] === '6' && d[2] !== '0') return 'FIXED_LINE';
  }
  return phoneTypeOf(n.e164);
}

/**
 * phoneLabelOf(phoneTypeOf(…)) without libphonenumber for every Japanese number: its only mobile numbers are
 * 11 digits 060/070/080/090 followed by 1–9 (checked against the full metadata in import-phone.test.ts), so regional
 * landlines (0467-12-3456) need no second parse either.
 */
export function phoneLabelFast(n: { e164: string; digits: string }): 'mobile' | 'work' {
  if (n.e164.startsWith('+81') && n.digits.charCodeAt(0) === 48) return JP_MOBILE.test(n.digits) ? 'mobile' : 'work';
  return phoneLabelOf(phoneTypeFast(n));
}
const JP_MOBILE = /^0[6789]0[1-9]\d{7}$/;
