import { z } from 'zod';
import { PREFECTURES } from '../prefectures.js';

const text = (max: number) => z.string().trim().max(max);
const optionalText = (max: number) =>
  text(max)
    .nullish()
    .transform((v) => (v === '' ? null : v));
const isoDate = z.iso.date();
/** Integer minor units (円 for JPY, cents for USD); at most 10^15 so sums stay exact in a JS number. */
export const money = z.number().int().min(0).max(1e15);
export const currencyCode = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 currency code (JPY, USD...)'));

// ---------- money arithmetic (integers only; shared by the server and the line-item editor) ----------

/** Digits after the decimal point of a currency (JPY 0, USD 2), or null when the code is not ISO 4217. */
export function currencyDigits(code: string): number | null {
  const supported = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('currency');
  if (supported && !supported.includes(code)) return null;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 0;
  } catch {
    return null;
  }
}

/** Round a non-negative rational n/d to the nearest integer, halves up (四捨五入), in exact integer arithmetic. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

export interface LineInput {
  quantity: number;
  unitPrice: number;
  discountType?: 'amount' | 'percent' | null;
  /** amount: minor units off the line; percent: basis points (1250 = 12.5 %). */
  discountValue?: number;
}

/**
 * Line total = quantity × unit price − discount, never below 0. A percent discount is rounded half up
 * to the currency's minor unit (1 円), once per line.
 */
export function lineTotal(line: LineInput): number {
  const gross = BigInt(line.quantity) * BigInt(line.unitPrice);
  const value = BigInt(line.discountValue ?? 0);
  let discount = 0n;
  if (line.discountType === 'amount') discount = value;
  else if (line.discountType === 'percent') discount = divRoundHalfUp(gross * value, 10_000n);
  const net = gross - discount;
  return Number(net < 0n ? 0n : net);
}

/** Weighted amount = amount × probability / 100, rounded half up to the minor unit. */
export function weightedAmount(amount: number, probability: number): number {
  return Number(divRoundHalfUp(BigInt(amount) * BigInt(probability), 100n));
}

/** Shows minor units as money: 1234 JPY → ￥1,234; 1234 USD → $12.34. */
export function formatMoney(amount: number, currency: string, locale = 'ja-JP'): string {
  const digits = currencyDigits(currency) ?? 0;
  return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits }).format(amount / 10 ** digits);
}

// ---------- products ----------

export const productFields = {
  sku: text(64).min(1),
  name: text(200).min(1),
  category: optionalText(100),
  description: optionalText(2000),
  unitPrice: money,
  cost: money.nullish(),
  currency: currencyCode,
  active: z.boolean(),
};
export const productCreate = z.object({ ...productFields, active: z.boolean().default(true) });
export type ProductCreate = z.infer<typeof productCreate>;
export const productPatch = z.object({ version: z.number().int() }).extend(z.object(productFields).partial().shape);
export type ProductPatch = z.infer<typeof productPatch>;
export const productSchema = z.object({
  id: z.string(),
  sku: z.string(),
  name: z.string(),
  category: z.string().nullable(),
  description: z.string().nullable(),
  unitPrice: z.number(),
  cost: z.number().nullable(),
  /** unit price − cost, when the cost is known */
  margin: z.number().nullable(),
  currency: z.string(),
  active: z.boolean(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
});
export type Product = z.infer<typeof productSchema>;

// ---------- pipelines ----------

export const stageKinds = ['open', 'won', 'lost'] as const;
export type StageKind = (typeof stageKinds)[number];
export const stageSchema = z.object({
  id: z.string(),
  name: z.string(),
  position: z.number(),
  probability: z.number(),
  kind: z.enum(stageKinds),
});
export type Stage = z.infer<typeof stageSchema>;
export const pipelineSchema = z.object({
  id: z.string(),
  name: z.string(),
  position: z.number(),
  isDefault: z.boolean(),
  /** 停滞: an open deal with no activity and no stage change for this many days is marked rotting; null = never */
  rottingDays: z.number().nullable(),
  version: z.number(),
  stages: z.array(stageSchema),
});
export type Pipeline = z.infer<typeof pipelineSchema>;
const stageInput = z.object({
  /** an existing stage keeps its id (and its deals); a stage without id is new */
  id: z.uuid().optional(),
  name: text(100).min(1),
  probability: z.number().int().min(0).max(100),
  kind: z.enum(stageKinds),
});
export const pipelineCreate = z.object({
  name: text(100).min(1),
  stages: z.array(stageInput).min(2).max(30),
  rottingDays: z.number().int().min(1).max(3650).nullish(),
});
export type PipelineCreate = z.infer<typeof pipelineCreate>;
/** Stages in their new order; a stage left out is removed (refused while deals are in it). */
export const pipelineUpdate = pipelineCreate.extend({ version: z.number().int() });
export type PipelineUpdate = z.infer<typeof pipelineUpdate>;

// ---------- deals ----------

export const dealStatuses = ['open', 'won', 'lost'] as const;
/** 予測区分: omitted deals stay out of the forecast; commit ⊂ best case (see docs/sales.md). */
export const forecastCategories = ['pipeline', 'best_case', 'commit', 'omitted'] as const;
export type ForecastCategory = (typeof forecastCategories)[number];
export const lineItemInput = z.object({
  productId: z.uuid().nullish(),
  /** defaults to the product's name */
  name: text(200).optional(),
  quantity: z.number().int().min(1).max(1_000_000),
  /** defaults to the product's price */
  unitPrice: money.optional(),
  discountType: z.enum(['amount', 'percent']).nullish(),
  discountValue: z.number().int().min(0).max(1e15).default(0),
});
export type LineItemInput = z.infer<typeof lineItemInput>;
export const lineItemSchema = z.object({
  id: z.string(),
  productId: z.string().nullable(),
  sku: z.string().nullable(),
  name: z.string(),
  quantity: z.number(),
  unitPrice: z.number(),
  discountType: z.enum(['amount', 'percent']).nullable(),
  discountValue: z.number(),
  lineTotal: z.number(),
  unitCost: z.number().nullable(),
});
export type LineItem = z.infer<typeof lineItemSchema>;

const dealFields = {
  title: text(200).min(1),
  pipelineId: z.uuid(),
  stageId: z.uuid(),
  amount: money,
  currency: currencyCode,
  expectedCloseDate: isoDate.nullish(),
  personId: z.uuid().nullish(),
  companyId: z.uuid().nullish(),
  ownerId: z.uuid().nullish(),
  teamId: z.uuid().nullish(),
  nextStep: optionalText(500),
  forecastCategory: z.enum(forecastCategories),
};
export const dealCreate = z.object({
  ...dealFields,
  /** the default pipeline when left out */
  pipelineId: z.uuid().optional(),
  /** the pipeline's first open stage when left out */
  stageId: z.uuid().optional(),
  amount: money.default(0),
  currency: currencyCode.optional(),
  forecastCategory: z.enum(forecastCategories).default('pipeline'),
  lineItems: z.array(lineItemInput).max(200).optional(),
  closeReason: optionalText(500),
  competitor: optionalText(200),
});
export type DealCreate = z.infer<typeof dealCreate>;
export const dealPatch = z
  .object({ version: z.number().int(), closeReason: optionalText(500), competitor: optionalText(200) })
  .extend(z.object(dealFields).partial().shape);
export type DealPatch = z.infer<typeof dealPatch>;
export const dealMove = z.object({
  version: z.number().int(),
  stageId: z.uuid(),
  /** asked for won and lost stages; required when the sales settings say so (closeReasonRequired) */
  closeReason: optionalText(500),
  competitor: optionalText(200),
});
export type DealMove = z.infer<typeof dealMove>;
export const lineItemsPut = z.object({ version: z.number().int(), items: z.array(lineItemInput).max(200) });

export const dealSchema = z.object({
  id: z.string(),
  title: z.string(),
  pipelineId: z.string(),
  stageId: z.string(),
  stageName: z.string(),
  probability: z.number(),
  status: z.enum(dealStatuses),
  amount: z.number(),
  weightedAmount: z.number(),
  currency: z.string(),
  expectedCloseDate: z.string().nullable(),
  person: z.object({ id: z.string(), name: z.string() }).nullable(),
  company: z.object({ id: z.string(), name: z.string() }).nullable(),
  leadId: z.string().nullable(),
  ownerId: z.string().nullable(),
  teamId: z.string().nullable(),
  nextStep: z.string().nullable(),
  forecastCategory: z.enum(forecastCategories),
  closeReason: z.string().nullable(),
  competitor: z.string().nullable(),
  closedAt: z.string().nullable(),
  stageEnteredAt: z.string(),
  /** the later of the last stage change and the last activity logged on the deal */
  idleSince: z.string(),
  /** open and idle for longer than its pipeline's rottingDays */
  rotting: z.boolean(),
  hasLineItems: z.boolean(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
});
export type Deal = z.infer<typeof dealSchema>;

const DAY_MS = 86_400_000;

/**
 * 停滞: an open deal idle (no activity, no stage change) for longer than its pipeline's threshold. One rule for the
 * server's `rotting` and the board's marker (which uses the browser's clock, so a board left open stays right).
 */
export function isRotting(deal: { status: string; idleSince: string }, rottingDays: number | null, now = Date.now()): boolean {
  return deal.status === 'open' && rottingDays !== null && now - Date.parse(deal.idleSince) > rottingDays * DAY_MS;
}

/** Whole days since the deal was last touched. */
export const idleDays = (idleSince: string, now = Date.now()) => Math.floor((now - Date.parse(idleSince)) / DAY_MS);
export const dealDetailSchema = dealSchema.extend({ lineItems: z.array(lineItemSchema) });
export type DealDetail = z.infer<typeof dealDetailSchema>;

export const stageStaySchema = z.object({
  id: z.string(),
  stageId: z.string(),
  stageName: z.string(),
  enteredAt: z.string(),
  leftAt: z.string().nullable(),
  durationSeconds: z.number(),
});
export type StageStay = z.infer<typeof stageStaySchema>;

export const stageTotalSchema = z.object({ currency: z.string(), count: z.number(), amount: z.number(), weightedAmount: z.number() });
export type StageTotal = z.infer<typeof stageTotalSchema>;
export const boardColumnSchema = z.object({
  stage: stageSchema,
  deals: z.array(dealSchema),
  nextCursor: z.string().nullable(),
  totals: z.array(stageTotalSchema),
});
export const boardSchema = z.object({ pipeline: pipelineSchema, columns: z.array(boardColumnSchema) });
export type Board = z.infer<typeof boardSchema>;
export type BoardColumn = z.infer<typeof boardColumnSchema>;

// ---------- leads ----------

export const leadStatuses = ['new', 'working', 'qualified', 'disqualified', 'converted'] as const;
export type LeadStatus = (typeof leadStatuses)[number];
/** 獲得元: where the lead came from. The channel is free text (e.g. 「Google 広告」「展示会 2026」). */
export const leadSources = [
  'manual',
  'web_form',
  'seminar',
  'exhibition',
  'referral',
  'advertising',
  'email',
  'phone',
  'partner',
  'other',
] as const;
const leadFields = {
  familyName: text(100).min(1),
  givenName: optionalText(100),
  familyNameKana: optionalText(100),
  givenNameKana: optionalText(100),
  companyName: optionalText(200),
  title: optionalText(100),
  email: optionalText(254).refine((v) => !v || z.email().safeParse(v).success, { message: 'email address' }),
  phone: optionalText(40),
  source: z.enum(leadSources),
  channel: optionalText(200),
  /** 都道府県 by name (東京都), for territory rules */
  prefecture: optionalText(10).refine((v) => !v || PREFECTURES.some((p) => p.name === v), { message: 'prefecture' }),
  industry: optionalText(100),
  employeeCount: z.number().int().min(0).max(10_000_000).nullish(),
  /** converted is set by the conversion, never by an edit */
  status: z.enum(['new', 'working', 'qualified', 'disqualified']),
  disqualifiedReason: optionalText(500),
  notes: optionalText(10_000),
  ownerId: z.uuid().nullish(),
  teamId: z.uuid().nullish(),
};
export const leadCreate = z.object({
  ...leadFields,
  source: leadFields.source.default('manual'),
  status: leadFields.status.default('new'),
});
export type LeadCreate = z.infer<typeof leadCreate>;
export const leadPatch = z.object({ version: z.number().int() }).extend(z.object(leadFields).partial().shape);
export type LeadPatch = z.infer<typeof leadPatch>;
export const leadSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  familyName: z.string(),
  givenName: z.string().nullable(),
  familyNameKana: z.string().nullable(),
  givenNameKana: z.string().nullable(),
  companyName: z.string().nullable(),
  title: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  source: z.string(),
  channel: z.string().nullable(),
  prefecture: z.string().nullable(),
  industry: z.string().nullable(),
  employeeCount: z.number().nullable(),
  status: z.enum(leadStatuses),
  disqualifiedReason: z.string().nullable(),
  notes: z.string().nullable(),
  ownerId: z.string().nullable(),
  teamId: z.string().nullable(),
  convertedAt: z.string().nullable(),
  convertedPersonId: z.string().nullable(),
  convertedCompanyId: z.string().nullable(),
  convertedDealId: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
});
export type Lead = z.infer<typeof leadSchema>;

export const leadConvert = z.object({
  version: z.number().int(),
  /** new: a person made from the lead; existing: link the lead to a person already in the CRM */
  person: z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('new'), ignoreDuplicates: z.boolean().default(false) }),
    z.object({ mode: z.literal('existing'), id: z.uuid() }),
  ]),
  company: z
    .discriminatedUnion('mode', [
      z.object({ mode: z.literal('new'), name: text(200).min(1).optional(), ignoreDuplicates: z.boolean().default(false) }),
      z.object({ mode: z.literal('existing'), id: z.uuid() }),
      z.object({ mode: z.literal('none') }),
    ])
    .default({ mode: 'none' }),
  /** null: no deal */
  deal: z
    .object({
      title: text(200).min(1),
      pipelineId: z.uuid().optional(),
      stageId: z.uuid().optional(),
      amount: money.default(0),
      currency: currencyCode.optional(),
      expectedCloseDate: isoDate.nullish(),
    })
    .nullable()
    .default(null),
});
export type LeadConvert = z.infer<typeof leadConvert>;
export const leadConversionSchema = z.object({
  lead: leadSchema,
  personId: z.string(),
  companyId: z.string().nullable(),
  dealId: z.string().nullable(),
});
