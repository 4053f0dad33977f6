import type { TFunction } from 'i18next';
import { formatMoney } from '../../../shared/contracts/sales';

/** One field of a change entry as the server keeps it: the field's name and its values as data. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** A custom field's definition, as far as showing its values needs it. */
export interface CustomFieldInfo {
  type: string;
  labelJa: string;
  labelEn: string;
  options: { value: string; labelJa: string; labelEn: string }[];
}

/** What the formatter needs from the screen: texts, the workspace's zone and currency, and names of ids. */
export interface ChangeContext {
  t: TFunction;
  lang: 'ja' | 'en';
  timeZone: string;
  currency: string;
  userName?: (id: string) => string | undefined;
  teamName?: (id: string) => string | undefined;
  customField?: (key: string) => CustomFieldInfo | undefined;
}

/** A change as a reader sees it: the field's label, and either the tags added/removed or the values before/after. */
export type ChangeView = { label: string; before: string; after: string; text: string } & (
  | { kind: 'list'; added: string[]; removed: string[] }
  | { kind: 'value' }
);

const ENUM_FIELDS = new Set(['gender', 'emailPermission', 'dmPermission']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A list's joiner in the reader's language. */
const joiner = (lang: 'ja' | 'en') => (lang === 'ja' ? '、' : ', ');

/** Entries written before values were kept as data hold JSON text ("[\"VIP\"]"): read them back. */
function parsed(v: unknown): unknown {
  if (typeof v !== 'string' || !/^[[{]/.test(v)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

const isEmpty = (v: unknown) =>
  v === null ||
  v === undefined ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && Object.keys(v).length === 0);

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : isEmpty(v) ? [] : [String(v)]);

/** The field's label: built-in fields through customers.fields, custom fields by their own label. */
function labelOf(field: string, ctx: ChangeContext): string {
  if (field.startsWith('custom.')) {
    const key = field.slice('custom.'.length);
    const def = ctx.customField?.(key);
    return def ? (ctx.lang === 'ja' ? def.labelJa : def.labelEn) : key;
  }
  return ctx.t(`customers.fields.${field}`, { defaultValue: field });
}

/** One value as the reader reads it: enums by their label, dates and money in the reader's format, lists joined. */
function showValue(field: string, raw: unknown, ctx: ChangeContext): string {
  const v = parsed(raw);
  const { t, lang } = ctx;
  if (isEmpty(v)) return t('activities.change.none');
  const locale = lang === 'en' ? 'en-US' : 'ja-JP';
  const custom = field.startsWith('custom.') ? ctx.customField?.(field.slice('custom.'.length)) : undefined;
  if (custom) {
    const option = (x: unknown) => {
      const o = custom.options.find((op) => op.value === x);
      return o ? (lang === 'ja' ? o.labelJa : o.labelEn) : String(x);
    };
    if (custom.type === 'currency' && typeof v === 'number') return formatMoney(v, ctx.currency, locale);
    if (custom.type === 'select') return option(v);
    if (custom.type === 'multi_select') return asList(v).map(option).join(joiner(lang));
    if (custom.type === 'user' && typeof v === 'string') return ctx.userName?.(v) ?? t('activities.change.unknownUser');
  }
  if (field === 'ownerId' && typeof v === 'string') return ctx.userName?.(v) ?? t('activities.change.unknownUser');
  if (field === 'teamId' && typeof v === 'string') return ctx.teamName?.(v) ?? t('activities.change.unknownTeam');
  if (ENUM_FIELDS.has(field) && typeof v === 'string') return t(`customers.enums.${v}`, { defaultValue: v });
  if (typeof v === 'boolean') return v ? t('activities.change.yes') : t('activities.change.no');
  if (typeof v === 'number') return v.toLocaleString(locale);
  if (typeof v === 'string') {
    if (DATE.test(v)) return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${v}T00:00:00Z`));
    if (DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)))
      return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: ctx.timeZone }).format(new Date(v));
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => itemOf(x, ctx)).join(joiner(lang));
  return itemOf(v, ctx);
}

/** An item of a list (an email, a phone with its type) or a reference ({ id, name }): what a person would write. */
function itemOf(x: unknown, ctx: ChangeContext): string {
  if (x === null || typeof x !== 'object') return String(x ?? '');
  const o = x as Record<string, unknown>;
  if (typeof o.name === 'string') return o.name;
  const main = o.address ?? o.number ?? o.value;
  if (typeof main === 'string') {
    const type = typeof o.type === 'string' ? ctx.t(`customers.enums.${o.type}`, { defaultValue: o.type }) : '';
    return type ? `${main} (${type})` : main;
  }
  return Object.values(o)
    .filter((v) => typeof v === 'string' || typeof v === 'number')
    .join(' ');
}

const isListField = (field: string, ctx: ChangeContext) =>
  field === 'tags' ||
  field === 'addTags' ||
  field === 'removeTags' ||
  ctx.customField?.(field.slice('custom.'.length))?.type === 'multi_select';

/** A field's change as the reader reads it ("タグ: VIP を追加", "生年月日: なし → 1985/03/01"). */
export function describeChange(change: FieldChange, ctx: ChangeContext): ChangeView {
  const { t } = ctx;
  const field = change.field;
  if (isListField(field, ctx)) {
    // Early bulk entries were named after the request (addTags: ["VIP"]): the same words.
    const label = labelOf(field === 'addTags' || field === 'removeTags' ? 'tags' : field, ctx);
    const before = asList(parsed(change.before));
    const after = asList(parsed(change.after));
    const show = (tags: string[]) => (field.startsWith('custom.') ? showValue(field, tags, ctx) : tags.join(joiner(ctx.lang)));
    const added = field === 'addTags' ? after : field === 'removeTags' ? [] : after.filter((x) => !before.includes(x));
    const removed = field === 'removeTags' ? after : field === 'addTags' ? [] : before.filter((x) => !after.includes(x));
    const parts = [
      added.length ? t('activities.change.added', { items: show(added) }) : '',
      removed.length ? t('activities.change.removed', { items: show(removed) }) : '',
    ].filter(Boolean);
    const whole = (tags: string[]) => (tags.length ? show(tags) : t('activities.change.none'));
    return {
      label,
      kind: 'list',
      added,
      removed,
      before: whole(before),
      after: whole(after),
      text: parts.join(joiner(ctx.lang)) || t('activities.change.none'),
    };
  }
  const before = showValue(field, change.before, ctx);
  const after = showValue(field, change.after, ctx);
  return { label: labelOf(field, ctx), kind: 'value', before, after, text: `${before} → ${after}` };
}

/** The fields that differ between two states of a record, each custom field on its own (`custom.<key>`). */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>, ignore: string[]): FieldChange[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => !ignore.includes(k) && !same(before[k], after[k]))
    .flatMap((k) => {
      if (k !== 'custom') return [{ field: k, before: before[k], after: after[k] }];
      const b = (before.custom ?? {}) as Record<string, unknown>;
      const a = (after.custom ?? {}) as Record<string, unknown>;
      return [...new Set([...Object.keys(b), ...Object.keys(a)])]
        .filter((key) => !same(b[key], a[key]))
        .map((key) => ({ field: `custom.${key}`, before: b[key], after: a[key] }));
    });
}
