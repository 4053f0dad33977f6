// Japanese text normalisation shared by server and web (search text, dedup keys, forms).
// Pure, deterministic, no Node-only APIs: it runs on every row of large imports.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { toRomaji } from 'wanakana';

// ---------------------------------------------------------------------------
// Kana

const HALF_WIDTH_KATAKANA = /[\uFF61-\uFF9F]+/g;

/** Katakana (full or half width) to hiragana; everything else untouched. ヷ-ヺ have no hiragana and stay. */
export function toHiragana(s: string): string {
  const full = s.replace(HALF_WIDTH_KATAKANA, (m) => m.normalize('NFKC'));
  let out = '';
  for (let i = 0; i < full.length; i++) {
    const c = full.charCodeAt(i);
    if ((c >= 0x30a1 && c <= 0x30f6) || c === 0x30fd || c === 0x30fe) out += String.fromCharCode(c - 0x60);
    else out += full[i];
  }
  return out;
}

/** Hiragana (and half-width katakana) to full-width katakana; everything else untouched. */
export function toKatakana(s: string): string {
  const full = s.replace(HALF_WIDTH_KATAKANA, (m) => m.normalize('NFKC'));
  let out = '';
  for (let i = 0; i < full.length; i++) {
    const c = full.charCodeAt(i);
    if ((c >= 0x3041 && c <= 0x3096) || c === 0x309d || c === 0x309e) out += String.fromCharCode(c + 0x60);
    else out += full[i];
  }
  return out;
}

// ---------------------------------------------------------------------------
// Search text

// Dashes and tildes that are not Unicode punctuation (\p{P} already covers ‐ ‑ ‒ – — ― ⁃ ﹘ ﹣ － 〜 ゠).
const EXTRA_REMOVED = new Set([0x2212, 0x2500, 0x2501, 0x2796, 0x223c, 0x223f]);
const REMOVED_CLASS = /^[\p{P}\p{Z}\p{Cc}\p{Cf}]$/u;

// ASCII: letters and digits stay; punctuation, symbols (~ + ^ | < > = ...), spaces and controls go.
const ASCII_KEEP = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_KEEP[c] = /[0-9a-zA-Z]/.test(String.fromCharCode(c)) ? 1 : 0;

// Characters that NFKC leaves alone and that never combine with a neighbour: printable ASCII,
// hiragana, katakana (without ヿ), CJK unified ideographs, and full-width ASCII/ideographic space,
// which the loop maps itself. Anything else sends the string through String.prototype.normalize.
function needsNfkc(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      c < 0x7f
        ? c < 0x20
        : !(
            (c >= 0x3041 && c <= 0x3096) ||
            (c >= 0x30a1 && c <= 0x30fe) ||
            (c >= 0x4e00 && c <= 0x9fff) ||
            (c >= 0xff01 && c <= 0xff5e) ||
            c === 0x3000 ||
            c === 0x309d ||
            c === 0x309e
          )
    ) {
      return true;
    }
  }
  return false;
}

let buffer = new Uint16Array(256);

function decode(buf: Uint16Array, len: number): string {
  let out = '';
  for (let i = 0; i < len; i += 8192)
    out += String.fromCharCode.apply(null, buf.subarray(i, Math.min(len, i + 8192)) as unknown as number[]);
  return out;
}

/**
 * The stored and queried form of any searchable text: NFKC, lower case, katakana as hiragana, and
 * hyphens, dashes, tildes, spaces, middle dots and other punctuation removed. ー is kept after kana
 * (ラーメン ≠ ラメン) and treated as a hyphen elsewhere (1ー2ー3). ヶ/ヵ become け/か because place
 * names mix 霞ヶ関/霞ケ関. Different kanji (髙/高, 﨑/崎, 𠮷/吉) are deliberately not folded:
 * they are distinct characters and people care which one is on file.
 */
export function normalizeForSearch(s: string): string {
  if (s.length === 0) return '';
  let src = s;
  if (needsNfkc(s)) {
    // Stand-alone voiced marks (か゛) only compose with the preceding kana in their combining form.
    if (s.includes('\u309b') || s.includes('\u309c')) src = src.replace(/\u309b/g, '\u3099').replace(/\u309c/g, '\u309a');
    src = src.normalize('NFKC');
  }
  const n = src.length;
  // Lower-casing may lengthen a character (İ → i̇), so leave room.
  if (buffer.length < n * 3) buffer = new Uint16Array(n * 3);
  const out = buffer;
  let len = 0;
  let prevKana = false;
  for (let i = 0; i < n; i++) {
    let c = src.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0; // full-width ASCII (fast path only; NFKC did it otherwise)
    if (c < 0x80) {
      if (ASCII_KEEP[c]) out[len++] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
      prevKana = false;
    } else if (c >= 0x4e00 && c <= 0x9fff) {
      out[len++] = c;
      prevKana = false;
    } else if (c >= 0x3041 && c <= 0x309f) {
      out[len++] = c;
      prevKana = c <= 0x3096 || c >= 0x309d;
    } else if (c >= 0x30a1 && c <= 0x30f4) {
      out[len++] = c - 0x60;
      prevKana = true;
    } else if (c === 0x30f5 || c === 0x30f6) {
      out[len++] = c === 0x30f5 ? 0x304b : 0x3051;
      prevKana = true;
    } else if (c === 0x30fc) {
      // Long vowel mark only after kana; after digits/latin/kanji it stands in for a hyphen.
      if (prevKana) out[len++] = c;
    } else if (c === 0x30fd || c === 0x30fe) {
      out[len++] = c - 0x60;
      prevKana = true;
    } else if (c >= 0x30f7 && c <= 0x30ff && c !== 0x30fb) {
      out[len++] = c;
      prevKana = true;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      // Supplementary planes: kanji such as 𠮷 and emoji are kept whole.
      const pair = src.slice(i, i + 2);
      if (!REMOVED_CLASS.test(pair)) {
        out[len++] = c;
        out[len++] = src.charCodeAt(i + 1);
      }
      i++;
      prevKana = false;
    } else {
      const ch = String.fromCharCode(c);
      if (!EXTRA_REMOVED.has(c) && !REMOVED_CLASS.test(ch)) {
        const lower = ch.toLowerCase();
        for (let k = 0; k < lower.length; k++) out[len++] = lower.charCodeAt(k);
      }
      prevKana = false;
    }
  }
  return decode(out, len);
}

/** Distinct overlapping two-code-point substrings of the normalised text, for the bigram GIN index. */
export function searchBigrams(text: string): string[] {
  const norm = normalizeForSearch(text);
  const seen = new Set<string>();
  let prev = -1;
  for (let i = 0; i < norm.length; ) {
    const c = norm.charCodeAt(i);
    const width = c >= 0xd800 && c <= 0xdbff && i + 1 < norm.length ? 2 : 1;
    if (prev >= 0) seen.add(norm.slice(prev, i + width));
    prev = i;
    i += width;
  }
  return Array.from(seen);
}

// ---------------------------------------------------------------------------
// Romaji

/** Hepburn (wāpuro style: long vowels spelled out) in lower case, without spaces or apostrophes. */
export function readingToRomaji(kana: string): string {
  // wanakana spells ー as the repeated vowel only in katakana, so go through katakana.
  const romaji = toRomaji(toKatakana(kana.normalize('NFKC'))).toLowerCase();
  return romaji.replace(/vu([aieo])/g, 'v$1').replace(/[^a-z0-9]/g, '');
}

/**
 * Spellings people type for one reading, at most three, distinct, in this order: wāpuro (satou),
 * Hepburn without long vowels (sato), and long o as "oh" (satoh). "ou" before another vowel is kept
 * (いのうえ → inoue) because it is usually two morae, not a long vowel.
 */
export function romajiVariants(kana: string): string[] {
  const wapuro = readingToRomaji(kana);
  if (wapuro === '') return [];
  const LONG_O = /o[ou](?![aeiou])/g;
  const plain = wapuro
    .replace(LONG_O, 'o')
    .replace(/uu(?![aeiou])/g, 'u')
    .replace(/aa/g, 'a')
    .replace(/ee/g, 'e');
  const oh = wapuro.replace(LONG_O, 'oh');
  return [...new Set([wapuro, plain, oh])];
}

// ---------------------------------------------------------------------------
// Email and phone

/**
 * Trimmed, NFKC, lower-case address, or null if it is not plausible (one @, dotted domain, no spaces).
 * Gmail-style dot and +tag folding is not applied: other providers treat them as different mailboxes,
 * so folding would merge different people.
 */
export function normalizeEmail(s: string): string | null {
  const e = s.trim().normalize('NFKC').toLowerCase();
  const at = e.indexOf('@');
  if (at <= 0 || at !== e.lastIndexOf('@') || /\s/.test(e)) return null;
  const domain = e.slice(at + 1);
  if (!/^[^.]+(\.[^.]+)+$/.test(domain) || domain.startsWith('-') || domain.endsWith('-')) return null;
  return e;
}

const PHONE_JUNK = /[\s\p{Pd}\u2212\u2043\u30fc()[\].]/gu;

/** Parsed phone number, or null when libphonenumber-js does not consider it valid. */
export function normalizePhone(raw: string, defaultCountry = 'JP'): { e164: string; national: string; digits: string } | null {
  const cleaned = raw.normalize('NFKC').replace(PHONE_JUNK, '').replace(/^tel:/i, '');
  if (!/^\+?\d{4,20}$/.test(cleaned)) return null;
  const country = defaultCountry as Parameters<typeof parsePhoneNumberFromString>[1];
  let parsed = parsePhoneNumberFromString(cleaned, country);
  // "81-3-1234-5678": a country code typed without the plus.
  if (!parsed?.isValid() && !cleaned.startsWith('+') && !cleaned.startsWith('0')) {
    parsed = parsePhoneNumberFromString(`+${cleaned}`);
  }
  if (!parsed?.isValid()) return null;
  const national = parsed.formatNational();
  return { e164: parsed.number, national, digits: national.replace(/\D/g, '') };
}

/** Digits only, for type-ahead on partial numbers ("０９０-12" → "09012"). */
export function phoneSearchDigits(raw: string): string {
  return raw.normalize('NFKC').replace(/\D/g, '');
}

// ---------------------------------------------------------------------------
// Dedup keys

const JA_DESIGNATORS = [
  '株式会社',
  '株式會社',
  '有限会社',
  '合同会社',
  '合資会社',
  '合名会社',
  '一般社団法人',
  '一般財団法人',
  '公益社団法人',
  '公益財団法人',
  '特定非営利活動法人',
  'npo法人',
  '医療法人社団',
  '医療法人財団',
  '医療法人',
  '社会福祉法人',
  '学校法人',
  '独立行政法人',
  'かぶしきがいしゃ',
  'かぶしきかいしゃ',
  'ゆうげんがいしゃ',
  'ごうどうがいしゃ',
  '\\([株有同]\\)',
].join('|');
const EN_DESIGNATORS = [
  'kabushiki\\s*[gk]aisha',
  'co[\\s.,]*ltd\\.?',
  'co[\\s.,]*limited',
  'company\\s+limited',
  'limited',
  'ltd\\.?',
  'incorporated',
  'inc\\.?',
  'corporation',
  'corp\\.?',
  'l\\.?l\\.?c\\.?',
  'k\\.\\s*k\\.?',
  'kk',
  'g\\.\\s*k\\.?',
  'gk',
].join('|');
const SEP = '[\\s,.・\\-]*';
const DESIGNATOR_PREFIX = new RegExp(`^${SEP}(?:(?:${JA_DESIGNATORS})|(?:${EN_DESIGNATORS})(?![a-z0-9]))${SEP}`);
const SUFFIX_WINDOW = 64;
const DESIGNATOR_SUFFIX = new RegExp(`${SEP}(?:(?:${JA_DESIGNATORS})|(?<![a-z0-9])(?:${EN_DESIGNATORS}))${SEP}$`);

/**
 * Company dedup key: legal-entity designators (株式会社, (株), ㈱, カブシキガイシャ, Co., Ltd., Inc., K.K. ...)
 * removed from either end, then normalizeForSearch. A name that is only a designator keeps it.
 */
export function companyNameKey(name: string): string {
  // Strip on a form that still has brackets and spaces, so (株) is only removed as a whole token.
  let rest = toHiragana(name.normalize('NFKC').toLowerCase()).trim();
  for (let i = 0; i < 4; i++) {
    // The suffix pattern only looks at the tail: scanning a long run of separators would be quadratic.
    const cut = Math.max(0, rest.length - SUFFIX_WINDOW);
    const next = rest.slice(0, cut) + rest.slice(cut).replace(DESIGNATOR_SUFFIX, '');
    const stripped = next.replace(DESIGNATOR_PREFIX, '');
    if (stripped === rest) break;
    rest = stripped;
  }
  const key = normalizeForSearch(rest);
  return key === '' ? normalizeForSearch(name) : key;
}

/** Person dedup key: family + given, width/case/kana/space-insensitive. */
export function personNameKey(family: string, given: string): string {
  return normalizeForSearch(family + given);
}

/** Reading dedup key: hiragana without spaces or middle dots; small and large kana stay distinct. */
export function kanaNameKey(familyKana: string, givenKana: string): string {
  return toHiragana(`${familyKana}${givenKana}`)
    .replace(/[\s\u30fb\u00b7]/g, '')
    .normalize('NFC');
}

// ---------------------------------------------------------------------------
// Names

export type JapaneseName = { family: string; given: string; familyKana?: string | null; givenKana?: string | null };

const LATIN_NAME = /^[\p{Script=Latin}\s'.-]+$/u;

/** Display name: family first, except "Given Family" in English when both parts are Latin script. */
export function formatJapaneseName(name: JapaneseName, locale: 'ja' | 'en'): string {
  const family = name.family.trim();
  const given = name.given.trim();
  if (!family || !given) return family || given;
  if (locale === 'en' && LATIN_NAME.test(family) && LATIN_NAME.test(given)) return `${given} ${family}`;
  return `${family} ${given}`;
}

/** Sort key: the reading in hiragana (五十音順) when known, otherwise the normalised name. */
export function nameSortKey(name: JapaneseName): string {
  const kana = kanaNameKey(name.familyKana ?? '', name.givenKana ?? '');
  return kana !== '' ? kana : personNameKey(name.family, name.given);
}

// ---------------------------------------------------------------------------
// Dates: 和暦 and fiscal years

type Era = '明治' | '大正' | '昭和' | '平成' | '令和';
// Gregorian first day of each era, newest first.
const ERAS: ReadonlyArray<{ era: Era; letter: string; start: string; year: number }> = [
  { era: '令和', letter: 'r', start: '2019-05-01', year: 2019 },
  { era: '平成', letter: 'h', start: '1989-01-08', year: 1989 },
  { era: '昭和', letter: 's', start: '1926-12-25', year: 1926 },
  { era: '大正', letter: 't', start: '1912-07-30', year: 1912 },
  { era: '明治', letter: 'm', start: '1868-10-23', year: 1868 },
];

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** Calendar date 'YYYY-MM-DD' in Japan time; a date-only string is taken as is. Throws on invalid input. */
function calendarDate(date: Date | string): string {
  if (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date)) {
    if (!isRealDate(date)) throw new RangeError(`Invalid date: ${date}`);
    return date;
  }
  const d = typeof date === 'string' ? new Date(date) : date;
  if (Number.isNaN(d.getTime())) throw new RangeError(`Invalid date: ${String(date)}`);
  // Fixed +09:00: Japan has had no DST since 1951, and no era boundary falls in 1948-1951.
  return new Date(d.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

function isRealDate(iso: string): boolean {
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

/** 和暦 for a date (Japan time). The first year of an era is labelled 元年. Throws before 明治 (1868-10-23). */
export function toWareki(date: Date | string): { era: Era; year: number; label: string } {
  const iso = calendarDate(date);
  const e = ERAS.find((x) => iso >= x.start);
  if (!e) throw new RangeError(`Before 明治: ${iso}`);
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const year = y - e.year + 1;
  return { era: e.era, year, label: `${e.era}${year === 1 ? '元' : year}年${m}月${d}日` };
}

const WAREKI_PATTERN = /^(明治|大正|昭和|平成|令和|[mtshr])(元|\d{1,2})(?:年|[./-])(\d{1,2})(?:月|[./-])(\d{1,2})日?$/;

/** '昭和60年3月1日', 'S60.3.1', 'H31/4/30', 'R1.5.1', '令和元年5月1日' → ISO date; null if malformed or outside the era. */
export function parseWareki(s: string): string | null {
  const m = WAREKI_PATTERN.exec(s.normalize('NFKC').replace(/\s/g, '').toLowerCase());
  if (!m) return null;
  const e = ERAS.find((x) => x.era === m[1] || x.letter === m[1]);
  if (!e) return null;
  const eraYear = m[2] === '元' ? 1 : Number(m[2]);
  if (eraYear < 1) return null;
  const iso = `${e.year + eraYear - 1}-${m[3]!.padStart(2, '0')}-${m[4]!.padStart(2, '0')}`;
  if (!isRealDate(iso) || iso < e.start) return null;
  const next = ERAS[ERAS.indexOf(e) - 1];
  if (next && iso >= next.start) return null;
  return iso;
}

/** Fiscal year (named by its starting calendar year) of a date in Japan time. */
export function fiscalYear(date: Date | string, fiscalStartMonth = 4): number {
  if (!Number.isInteger(fiscalStartMonth) || fiscalStartMonth < 1 || fiscalStartMonth > 12) {
    throw new RangeError(`fiscalStartMonth must be 1-12: ${fiscalStartMonth}`);
  }
  const [y, m] = calendarDate(date).split('-').map(Number) as [number, number];
  return m >= fiscalStartMonth ? y : y - 1;
}
