import iconv from 'iconv-lite';

/**
 * vCard 4.0 out (RFC 6350, with X-PHONETIC-* and SORT-AS for furigana), and vCard 2.1/3.0/4.0 in,
 * including folded lines and QUOTED-PRINTABLE Shift_JIS from older Japanese phones.
 */

export interface VCardPerson {
  familyName: string;
  givenName: string | null;
  familyNameKana: string | null;
  givenNameKana: string | null;
  emails: { label: string; address: string }[];
  phones: { label: string; number: string }[];
  postalCode: string | null;
  prefecture: string | null;
  city: string | null;
  town: string | null;
  addressLine: string | null;
  company: { name: string } | null;
  title: string | null;
  birthday: string | null;
  gender?: string | null;
  tags?: string[];
  notes: string | null;
}

const genderOut: Record<string, string> = { male: 'M', female: 'F', other: 'O', unspecified: 'U' };
const genderIn: Record<string, string> = { M: 'male', F: 'female', O: 'other', U: 'unspecified', N: 'unspecified' };

function escapeValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/,/g, '\\,').replace(/;/g, '\\;');
}

/** Fold at 75 octets (RFC 6350 3.2) without splitting a UTF-8 character. */
function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > (out.length ? 74 : 75)) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += n;
  }
  out.push(current);
  return out.join('\r\n ');
}

const telType: Record<string, string> = { mobile: 'cell', work: 'work,voice', home: 'home,voice', fax: 'fax', other: 'voice' };

export function toVCard(p: VCardPerson): string {
  const e = escapeValue;
  const fn = [p.familyName, p.givenName].filter(Boolean).join(' ');
  const sortAs = [p.familyNameKana, p.givenNameKana].filter(Boolean).join(',');
  const lines = [
    'BEGIN:VCARD',
    'VERSION:4.0',
    `FN:${e(fn)}`,
    `N${sortAs ? `;SORT-AS="${sortAs.replace(/"/g, '')}"` : ''}:${e(p.familyName)};${e(p.givenName ?? '')};;;`,
  ];
  if (p.familyNameKana) lines.push(`X-PHONETIC-LAST-NAME:${e(p.familyNameKana)}`);
  if (p.givenNameKana) lines.push(`X-PHONETIC-FIRST-NAME:${e(p.givenNameKana)}`);
  for (const m of p.emails) lines.push(`EMAIL;TYPE=${m.label === 'home' ? 'home' : 'work'}:${e(m.address)}`);
  for (const t of p.phones) lines.push(`TEL;VALUE=uri;TYPE="${telType[t.label] ?? 'voice'}":tel:${t.number.replace(/[^\d+-]/g, '')}`);
  if (p.postalCode || p.prefecture || p.city || p.town || p.addressLine) {
    const street = [p.town, p.addressLine].filter(Boolean).join(' ');
    lines.push(`ADR;TYPE=home:;;${e(street)};${e(p.city ?? '')};${e(p.prefecture ?? '')};${e(p.postalCode ?? '')};JP`);
  }
  if (p.company) lines.push(`ORG:${e(p.company.name)}`);
  if (p.title) lines.push(`TITLE:${e(p.title)}`);
  if (p.birthday) lines.push(`BDAY:${p.birthday.replace(/-/g, '')}`);
  if (p.gender && genderOut[p.gender]) lines.push(`GENDER:${genderOut[p.gender]}`);
  if (p.tags?.length) lines.push(`CATEGORIES:${p.tags.map(e).join(',')}`);
  if (p.notes) lines.push(`NOTE:${e(p.notes)}`);
  lines.push('END:VCARD');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

/** The columns a vCard becomes when imported: the import runs them through the same pipeline as a CSV. */
export const VCARD_COLUMNS = [
  'familyName',
  'givenName',
  'familyNameKana',
  'givenNameKana',
  'email',
  'email2',
  'phone',
  'mobile',
  'homePhone',
  'fax',
  'postalCode',
  'prefecture',
  'city',
  'addressLine',
  'companyName',
  'department',
  'title',
  'birthday',
  'gender',
  'tags',
  'notes',
] as const;

function unescapeValue(s: string): string {
  return s.replace(/\\([nN,;\\:])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Split on unescaped `sep`. */
function splitEscaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function decodeQuotedPrintable(value: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(value.charCodeAt(i) & 0xff);
  }
  const cs = charset.toLowerCase().replace(/[_-]/g, '');
  const enc =
    cs === 'shiftjis' || cs === 'sjis' || cs === 'cp932' || cs === 'windows31j'
      ? 'cp932'
      : iconv.encodingExists(charset)
        ? charset
        : 'utf8';
  return iconv.decode(Buffer.from(bytes), enc);
}

interface Property {
  name: string;
  params: Record<string, string>;
  value: string;
}

/** Unfold lines: CRLF + space/tab continues (RFC 6350); a QP line ending in '=' continues too (vCard 2.1). */
function logicalLines(text: string): string[] {
  const raw = text.split(/\r\n|\n|\r/);
  const out: string[] = [];
  for (const line of raw) {
    const prev = out.length ? (out[out.length - 1] as string) : null;
    if (prev !== null && (line.startsWith(' ') || line.startsWith('\t'))) out[out.length - 1] = prev + line.slice(1);
    else if (prev !== null && /QUOTED-PRINTABLE/i.test(prev.split(':')[0] ?? '') && prev.endsWith('='))
      out[out.length - 1] = prev.slice(0, -1) + line;
    else out.push(line);
  }
  return out;
}

function parseProperty(line: string): Property | null {
  const colon = line.indexOf(':');
  if (colon < 0) return null;
  const [nameWithGroup, ...paramParts] = line.slice(0, colon).split(';');
  const name = (nameWithGroup ?? '').split('.').pop()?.toUpperCase() ?? '';
  const params: Record<string, string> = {};
  for (const p of paramParts) {
    const eq = p.indexOf('=');
    if (eq < 0) params.TYPE = [params.TYPE, p].filter(Boolean).join(',');
    else {
      const k = p.slice(0, eq).toUpperCase();
      params[k] = [params[k], p.slice(eq + 1).replace(/^"|"$/g, '')].filter(Boolean).join(',');
    }
  }
  let value = line.slice(colon + 1);
  if ((params.ENCODING ?? '').toUpperCase() === 'QUOTED-PRINTABLE') value = decodeQuotedPrintable(value, params.CHARSET ?? 'utf-8');
  return { name, params, value };
}

function date(value: string): string {
  const v = value.replace(/^--/, '').trim();
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(v);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : value;
}

/** Each vCard of the text as a row in VCARD_COLUMNS order (cells are raw text, validated by the import like any row). */
export function vcardToRow(lines: string[]): string[] {
  const row: Record<string, string> = {};
  const emails: string[] = [];
  const put = (k: string, v: string | undefined) => {
    if (v && !row[k]) row[k] = v;
  };
  let fn = '';
  for (const line of lines) {
    const p = parseProperty(line);
    if (!p) continue;
    const types = (p.params.TYPE ?? '').toLowerCase();
    switch (p.name) {
      case 'N': {
        const [family, given] = splitEscaped(p.value, ';').map(unescapeValue);
        put('familyName', family?.trim());
        put('givenName', given?.trim());
        if (p.params['SORT-AS']) {
          const [fk, gk] = p.params['SORT-AS'].split(',');
          put('familyNameKana', fk?.trim());
          put('givenNameKana', gk?.trim());
        }
        break;
      }
      case 'FN':
        fn = unescapeValue(p.value).trim();
        break;
      case 'X-PHONETIC-LAST-NAME':
        row.familyNameKana = unescapeValue(p.value).trim();
        break;
      case 'X-PHONETIC-FIRST-NAME':
        row.givenNameKana = unescapeValue(p.value).trim();
        break;
      case 'SOUND': {
        // vCard 2.1 from Japanese phones: SOUND;X-IRMC-N:ヤマダ;タロウ;;;
        const [fk, gk] = splitEscaped(p.value, ';').map(unescapeValue);
        put('familyNameKana', fk?.trim());
        put('givenNameKana', gk?.trim());
        break;
      }
      case 'EMAIL':
        emails.push(unescapeValue(p.value).trim());
        break;
      case 'TEL': {
        const n = unescapeValue(p.value).replace(/^tel:/i, '').trim();
        const slot = /fax/.test(types) ? 'fax' : /cell/.test(types) ? 'mobile' : /home/.test(types) ? 'homePhone' : 'phone';
        put(slot, n);
        if (row[slot] !== n) put('phone', n);
        break;
      }
      case 'ADR': {
        const [, , street, locality, region, postal] = splitEscaped(p.value, ';').map(unescapeValue);
        put('postalCode', postal?.trim());
        put('prefecture', region?.trim());
        put('city', locality?.trim());
        put('addressLine', street?.trim());
        break;
      }
      case 'ORG': {
        const [org, unit] = splitEscaped(p.value, ';').map(unescapeValue);
        put('companyName', org?.trim());
        put('department', unit?.trim());
        break;
      }
      case 'TITLE':
        put('title', unescapeValue(p.value).trim());
        break;
      case 'BDAY':
        put('birthday', date(p.value));
        break;
      case 'GENDER':
        put('gender', genderIn[(p.value.split(';')[0] ?? '').trim().toUpperCase()]);
        break;
      case 'CATEGORIES':
        put('tags', splitEscaped(p.value, ',').map(unescapeValue).join(','));
        break;
      case 'NOTE':
        put('notes', unescapeValue(p.value));
        break;
    }
  }
  if (!row.familyName && fn) {
    const parts = fn.split(/[\s　]+/);
    row.familyName = parts[0] ?? fn;
    if (parts.length > 1) row.givenName = parts.slice(1).join(' ');
  }
  put('email', emails[0]);
  put('email2', emails[1]);
  return VCARD_COLUMNS.map((c) => row[c] ?? '');
}

/** Split a vCard stream (decoded text chunks) into cards as they arrive: memory stays at one card. */
export async function* vcardRows(chunks: AsyncIterable<string>): AsyncGenerator<string[]> {
  let buffer = '';
  for await (const chunk of chunks) {
    buffer += chunk;
    // Only whole cards are parsed; the rest waits for the next chunk.
    const cut = buffer.lastIndexOf('\nEND:VCARD');
    if (cut < 0) continue;
    const end = buffer.indexOf('\n', cut + 1);
    const complete = end < 0 ? buffer : buffer.slice(0, end + 1);
    buffer = end < 0 ? '' : buffer.slice(end + 1);
    for (const row of cardsIn(complete)) yield row;
  }
  if (buffer.trim()) for (const row of cardsIn(buffer)) yield row;
}

function* cardsIn(text: string): Generator<string[]> {
  let card: string[] | null = null;
  for (const line of logicalLines(text.replace(/^\uFEFF/, ''))) {
    const upper = line.trim().toUpperCase();
    if (upper === 'BEGIN:VCARD') card = [];
    else if (upper === 'END:VCARD') {
      if (card) yield vcardToRow(card);
      card = null;
    } else if (card) card.push(line);
  }
}
