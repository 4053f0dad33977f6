import { z } from 'zod';
import { currencyCode, money, stageSchema, stageTotalSchema } from './sales.js';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');
const fiscalYear = z.coerce.number().int().min(2000).max(2100);

// ---------- settings ----------

export const salesSettingsSchema = z.object({
  fiscalStartMonth: z.number().int(),
  /** a won or lost deal must give a reason (default: optional) */
  closeReasonRequired: z.boolean(),
  version: z.number(),
});
export type SalesSettings = z.infer<typeof salesSettingsSchema>;
export const salesSettingsPut = z.object({
  version: z.number().int(),
  fiscalStartMonth: z.number().int().min(1).max(12).optional(),
  closeReasonRequired: z.boolean().optional(),
});

// ---------- targets (目標) ----------

export const targetScopes = ['owner', 'team', 'workspace'] as const;
export const salesTargetSchema = z.object({
  id: z.string(),
  month: z.string(),
  ownerId: z.string().nullable(),
  teamId: z.string().nullable(),
  currency: z.string(),
  amount: z.number(),
  version: z.number(),
  updatedAt: z.string(),
});
export type SalesTarget = z.infer<typeof salesTargetSchema>;
export const salesTargetsQuery = z.object({ fiscalYear: fiscalYear.optional(), scope: z.enum(targetScopes).optional() });
export const salesTargetItem = z
  .object({
    month,
    /** an owner's target; with neither ownerId nor teamId, the workspace's */
    ownerId: z.uuid().nullish(),
    teamId: z.uuid().nullish(),
    currency: currencyCode.default('JPY'),
    /** null removes the target */
    amount: money.nullable(),
  })
  .refine((t) => !(t.ownerId && t.teamId), { message: 'either ownerId or teamId', path: ['teamId'] });
export type SalesTargetItem = z.infer<typeof salesTargetItem>;
export const salesTargetsPut = z.object({ items: z.array(salesTargetItem).min(1).max(500) });
export const salesTargetList = z.object({ fiscalYear: z.number(), fiscalStartMonth: z.number(), data: z.array(salesTargetSchema) });

// ---------- forecast ----------

export const forecastQuery = z.object({
  period: z.enum(['month', 'quarter']).default('month'),
  /** 2026 = 2026年度 (from the fiscal start month of 2026); the current one when left out */
  fiscalYear: fiscalYear.optional(),
  groupBy: z.enum(['owner', 'team', 'none']).default('none'),
  pipelineId: z.uuid().optional(),
});
export type ForecastQuery = z.infer<typeof forecastQuery>;

export const forecastCellSchema = z.object({
  currency: z.string(),
  openCount: z.number(),
  openAmount: z.number(),
  weightedAmount: z.number(),
  commit: z.number(),
  bestCase: z.number(),
  wonCount: z.number(),
  wonAmount: z.number(),
  lostCount: z.number(),
  winRateBp: z.number().nullable(),
  avgWonAmount: z.number().nullable(),
  avgCycleDays: z.number().nullable(),
  target: z.number().nullable(),
  attainmentBp: z.number().nullable(),
});
export type ForecastCellDto = z.infer<typeof forecastCellSchema>;
const periodSchema = z.object({ index: z.number(), key: z.string(), start: z.string(), end: z.string(), months: z.array(z.string()) });
export const forecastSchema = z.object({
  fiscalYear: z.number(),
  fiscalStartMonth: z.number(),
  period: z.enum(['month', 'quarter']),
  groupBy: z.enum(['owner', 'team', 'none']),
  /** the period containing today (workspace time zone), or null for another fiscal year */
  currentPeriod: z.number().nullable(),
  periods: z.array(periodSchema),
  groups: z.array(
    z.object({ groupId: z.string().nullable(), periods: z.array(z.array(forecastCellSchema)), total: z.array(forecastCellSchema) }),
  ),
  totals: z.object({ periods: z.array(z.array(forecastCellSchema)), total: z.array(forecastCellSchema) }),
});
export type Forecast = z.infer<typeof forecastSchema>;

// ---------- manager dashboard (営業ダッシュボード) ----------

export const dashboardQuery = z.object({ pipelineId: z.uuid().optional() });
export const dashboardSchema = z.object({
  pipeline: z.object({ id: z.string(), name: z.string() }),
  stages: z.array(z.object({ stage: stageSchema, totals: z.array(stageTotalSchema) })),
  fiscalYear: z.number(),
  fiscalStartMonth: z.number(),
  month: z.object({ key: z.string(), cells: z.array(forecastCellSchema) }),
  quarter: z.object({ key: z.string(), cells: z.array(forecastCellSchema) }),
  /** this month per owner (activities per rep come from the activities module: GET /activity-counts) */
  reps: z.array(z.object({ userId: z.string().nullable(), month: z.array(forecastCellSchema) })),
});
export type SalesDashboard = z.infer<typeof dashboardSchema>;
