import { z } from 'zod';
import { filterSchema } from '../filter.js';

const text = (max: number) => z.string().trim().max(max);
const optionalText = (max: number) =>
  text(max)
    .nullish()
    .transform((v) => (v === '' ? null : v));

/** Furigana: katakana or hiragana (stored as katakana), long vowel mark, spaces. */
const kana = optionalText(100).refine((v) => !v || /^[\p{Script=Katakana}\p{Script=Hiragana}ー・\s　ｦ-ﾟ]+$/u.test(v), {
  message: 'kana only (フリガナ)',
});
const isoDate = z.iso.date();

export const emailItem = z.object({
  label: z.enum(['work', 'home', 'other']).default('work'),
  address: z.string().trim().max(254),
});
export const phoneItem = z.object({
  label: z
    .enum(['mobile', 'work', 'home', 'fax', 'other'])
    .optional()
    .describe('left out: taken from the number — mobile for a mobile number, else work (landline, 050 IP phone, freephone)'),
  number: z.string().trim().min(1).max(40),
});
export const addressFields = {
  postalCode: optionalText(10),
  prefecture: optionalText(10),
  city: optionalText(100),
  town: optionalText(100),
  addressLine: optionalText(200),
};
const tags = z.array(text(50).min(1)).max(50);
const custom = z.record(z.string().max(40), z.unknown());

/** How a person or company is reached: the same lists and postal address for both. */
const reachFields = {
  emails: z.array(emailItem).max(10),
  phones: z.array(phoneItem).max(10),
  ...addressFields,
};
/** Who is responsible for a record and what the team keeps on it, the same for people and companies. */
const keepingFields = {
  ownerId: z.uuid().nullish(),
  teamId: z.uuid().nullish(),
  tags,
  custom,
  notes: optionalText(10_000),
};
/** The lists a new record may leave out, and the duplicate override: people and companies are created alike. */
const createDefaults = {
  emails: reachFields.emails.default([]),
  phones: reachFields.phones.default([]),
  tags: tags.default([]),
  custom: custom.default({}),
  /** Create even though a likely duplicate exists (the caller has seen the warning). */
  ignoreDuplicates: z.boolean().default(false),
};
/** A patch names the version it was made against and any of the fields; the same rule for every record kind. */
function patchOf<F extends z.ZodRawShape>(fields: F) {
  return z.object({ version: z.number().int() }).extend(z.object(fields).partial().shape);
}

export const personFields = {
  familyName: text(100).min(1),
  givenName: optionalText(100),
  familyNameKana: kana,
  givenNameKana: kana,
  ...reachFields,
  birthday: isoDate.nullish(),
  gender: z.enum(['female', 'male', 'other', 'unspecified']).nullish(),
  household: z
    .array(z.object({ relation: text(40).min(1), name: optionalText(100), birthday: isoDate.nullish(), note: optionalText(200) }))
    .max(20),
  preferences: optionalText(2000),
  companyId: z.uuid().nullish(),
  departmentId: z.uuid().nullish(),
  title: optionalText(100),
  ...keepingFields,
};

export const personCreate = z.object({
  ...personFields,
  ...createDefaults,
  household: personFields.household.default([]),
});
export type PersonCreate = z.infer<typeof personCreate>;
export const personPatch = patchOf(personFields);
export type PersonPatch = z.infer<typeof personPatch>;

export const companyFields = {
  name: text(200).min(1),
  nameKana: kana,
  corporateNumber: optionalText(20),
  industry: optionalText(100),
  employeeCount: z.number().int().min(0).max(10_000_000).nullish(),
  fiscalMonth: z.number().int().min(1).max(12).nullish(),
  website: optionalText(500),
  ...reachFields,
  parentId: z.uuid().nullish(),
  ...keepingFields,
};
export const companyCreate = z.object({ ...companyFields, ...createDefaults });
export type CompanyCreate = z.infer<typeof companyCreate>;
export const companyPatch = patchOf(companyFields);
export type CompanyPatch = z.infer<typeof companyPatch>;

export const consentCreate = z.object({
  channel: z.enum(['email', 'dm', 'phone', 'sms']),
  status: z.enum(['granted', 'withdrawn']),
  method: z.enum(['web_form', 'paper', 'verbal', 'email', 'import', 'other']),
  purpose: optionalText(500),
  wording: optionalText(5000),
  source: optionalText(200),
});

export const customFieldTypes = [
  'text',
  'long_text',
  'number',
  'currency',
  'date',
  'datetime',
  'boolean',
  'select',
  'multi_select',
  'url',
  'email',
  'phone',
  'user',
] as const;
export type CustomFieldType = (typeof customFieldTypes)[number];

export const customFieldOption = z.object({ value: text(60).min(1), labelJa: text(100).min(1), labelEn: text(100).min(1) });
export const customFieldCreate = z.object({
  entityType: z.enum(['person', 'company']),
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _ (starting with a letter)'),
  type: z.enum(customFieldTypes),
  labelJa: text(100).min(1),
  labelEn: text(100).min(1),
  helpJa: optionalText(500),
  helpEn: optionalText(500),
  required: z.boolean().default(false),
  defaultValue: z.unknown().optional(),
  options: z.array(customFieldOption).max(200).default([]),
  position: z.number().int().min(0).max(10_000).default(0),
});
export const customFieldPatch = customFieldCreate
  .omit({ entityType: true, key: true, type: true })
  .partial()
  .extend({ version: z.number().int() });

export const savedViewCreate = z.object({
  entityType: z.enum(['person', 'company']),
  name: text(100).min(1),
  shared: z.boolean().default(false),
  filter: z.unknown().nullish(),
  sort: z
    .array(z.object({ field: z.string().max(100), dir: z.enum(['asc', 'desc']) }))
    .max(3)
    .default([]),
  columns: z.array(z.string().max(100)).max(60).default([]),
});
export const savedViewPatch = savedViewCreate.omit({ entityType: true }).partial().extend({ version: z.number().int() });

/** Most records one bulk request changes (each gets its own audit row and event in one transaction). */
export const BULK_MAX = 5000;
const bulkTarget = {
  ids: z.array(z.uuid()).min(1).max(BULK_MAX).optional().describe('The records to change'),
  filter: filterSchema
    .optional()
    .describe(`Instead of ids: every live record matching this filter (filter language) that you may see; more than ${BULK_MAX} is a 400`),
};
export const bulkAction = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('assign'), ...bulkTarget, ownerId: z.uuid().nullable() }),
    z.object({ action: z.literal('tag'), ...bulkTarget, tags: tags.min(1) }),
    z.object({ action: z.literal('untag'), ...bulkTarget, tags: tags.min(1) }),
    z.object({ action: z.literal('delete'), ...bulkTarget }),
    z.object({ action: z.literal('set_team'), ...bulkTarget, teamId: z.uuid().nullable() }),
  ])
  .refine((a) => (a.ids === undefined) !== (a.filter === undefined), { message: 'send either ids or filter', path: ['ids'] });
export type BulkAction = z.infer<typeof bulkAction>;

const stamps = {
  version: z.number(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
  deletedAt: z.string().nullable(),
};
const emailOut = z.object({ label: z.string(), address: z.string() });
const phoneOut = z.object({ label: z.string(), number: z.string(), e164: z.string() });
const ref = z.object({ id: z.string(), name: z.string() }).nullable();
const addressOut = {
  postalCode: z.string().nullable(),
  prefecture: z.string().nullable(),
  city: z.string().nullable(),
  town: z.string().nullable(),
  addressLine: z.string().nullable(),
};

export const personSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  familyName: z.string(),
  givenName: z.string().nullable(),
  familyNameKana: z.string().nullable(),
  givenNameKana: z.string().nullable(),
  emails: z.array(emailOut),
  phones: z.array(phoneOut),
  ...addressOut,
  birthday: z.string().nullable(),
  gender: z.string().nullable(),
  household: z.array(z.unknown()),
  preferences: z.string().nullable(),
  emailPermission: z.string(),
  dmPermission: z.string(),
  companyId: z.string().nullable(),
  company: ref,
  departmentId: z.string().nullable(),
  title: z.string().nullable(),
  ownerId: z.string().nullable(),
  teamId: z.string().nullable(),
  tags: z.array(z.string()),
  custom: z.record(z.string(), z.unknown()),
  notes: z.string().nullable(),
  ...stamps,
});
export type Person = z.infer<typeof personSchema>;

export const companySchema = z.object({
  id: z.string(),
  name: z.string(),
  nameKana: z.string().nullable(),
  corporateNumber: z.string().nullable(),
  industry: z.string().nullable(),
  employeeCount: z.number().nullable(),
  fiscalMonth: z.number().nullable(),
  website: z.string().nullable(),
  emails: z.array(emailOut),
  phones: z.array(phoneOut),
  ...addressOut,
  parentId: z.string().nullable(),
  parent: ref,
  ownerId: z.string().nullable(),
  teamId: z.string().nullable(),
  tags: z.array(z.string()),
  custom: z.record(z.string(), z.unknown()),
  notes: z.string().nullable(),
  ...stamps,
});
export type Company = z.infer<typeof companySchema>;

export const consentSchema = z.object({
  id: z.string(),
  channel: z.string(),
  status: z.string(),
  method: z.string(),
  purpose: z.string().nullable(),
  wording: z.string().nullable(),
  source: z.string().nullable(),
  recordedAt: z.string(),
  recordedBy: z.string().nullable(),
});

export const employmentSchema = z.object({
  id: z.string(),
  companyId: z.string(),
  companyName: z.string(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  title: z.string().nullable(),
  startedOn: z.string().nullable(),
  endedOn: z.string().nullable(),
});

export const customFieldSchema = z.object({
  id: z.string(),
  entityType: z.enum(['person', 'company']),
  key: z.string(),
  type: z.enum(customFieldTypes),
  labelJa: z.string(),
  labelEn: z.string(),
  helpJa: z.string().nullable(),
  helpEn: z.string().nullable(),
  required: z.boolean(),
  defaultValue: z.unknown(),
  options: z.array(customFieldOption),
  position: z.number(),
  archived: z.boolean(),
  version: z.number(),
});

export const postalResultSchema = z.object({
  postalCode: z.string(),
  prefecture: z.string(),
  prefectureKana: z.string().optional(),
  city: z.string(),
  cityKana: z.string().optional(),
  town: z.string(),
  townKana: z.string().optional(),
});
