import { type NumberType, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * What kind of line a number is, by libphonenumber-js's full metadata (the default metadata, used by normalizePhone,
 * has no number types). Server only: the full metadata is too big for the browser bundle.
 */
export type PhoneType = Exclude<NumberType, undefined>;

/** The type of a valid E.164 number (+81312345678 → FIXED_LINE, +819012345678 → MOBILE, +815012345678 → VOIP); null when unknown. */
export function phoneTypeOf(e164: string): PhoneType | null {
  return parsePhoneNumberFromString(e164)?.getType() ?? null;
}

/**
 * The label a phone gets when nobody said which kind it is: mobile for a mobile number, else work — a landline,
 * Japan's 050 IP phones, 0120/0800 freephone and 0570 navi dial all go to the 電話 (work) slot.
 */
export function phoneLabelOf(type: PhoneType | null): 'mobile' | 'work' {
  return type === 'MOBILE' ? 'mobile' : 'work';
}
