import type { Forecast, ForecastQuery, SalesDashboard, SalesSettings } from '../../../shared/contracts/forecast.js';
import { weightedAmount } from '../../../shared/contracts/sales.js';
import {
  buildForecast,
  type ForecastTable,
  fiscalMonthIndex,
  fiscalPeriods,
  fiscalYearOf,
  fiscalYearRange,
  type PeriodType,
} from '../../../shared/forecast-math.js';
import { localDate } from '../../../shared/zoned-time.js';
import type { Actor } from '../../platform/actor.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { stageTotals } from './deals.repository.js';
import * as repo from './forecast.repository.js';
import { loadPipeline, resolvePipeline } from './pipelines.service.js';
import type { SalesDb } from './sales.db.js';
import { targetInputs, visibleTargets } from './targets.service.js';

const DEFAULT_FISCAL_START = 4;

export async function getSalesSettings(options: { db: SalesDb; actor: Actor }): Promise<SalesSettings> {
  const row = await repo.settingsRow(options.db, options.actor.workspaceId);
  return {
    fiscalStartMonth: row?.fiscal_start_month ?? DEFAULT_FISCAL_START,
    closeReasonRequired: row?.close_reason_required ?? false,
    version: row?.version ?? 1,
  };
}

/** Changes the settings given (a setting left out keeps its value). */
export async function updateSalesSettings(options: {
  db: SalesDb;
  actor: Actor;
  version: number;
  fiscalStartMonth?: number;
  closeReasonRequired?: boolean;
}) {
  const { actor } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await repo.lockSettings(trx, actor.workspaceId);
    const current = {
      fiscalStartMonth: before.fiscal_start_month,
      closeReasonRequired: before.close_reason_required,
      version: before.version,
    };
    if (before.version !== options.version) throw new AppError('conflict', { current });
    await repo.updateSettings(
      trx,
      actor.workspaceId,
      { fiscal_start_month: options.fiscalStartMonth, close_reason_required: options.closeReasonRequired },
      actor.userId,
    );
    const after = await getSalesSettings({ db: trx, actor });
    await recordChange(trx, actor, {
      audit: { action: 'sales_settings.updated', entityType: 'sales_settings', before: current, after },
      event: { type: 'sales_settings.updated', entityType: 'sales_settings' },
    });
    return after;
  });
}

/** Today's fiscal position in the workspace's time zone. */
async function calendar(db: SalesDb, actor: Actor, now: Date) {
  const [settings, timeZone] = await Promise.all([getSalesSettings({ db, actor }), repo.workspaceTimeZone(db, actor.workspaceId)]);
  const today = localDate(now, timeZone);
  const [y, m] = today.split('-').map(Number) as [number, number];
  return {
    startMonth: settings.fiscalStartMonth,
    timeZone,
    month: today.slice(0, 7),
    currentFiscalYear: fiscalYearOf(y, m, settings.fiscalStartMonth),
  };
}

/** Rows + targets of one fiscal year in one grouped statement over the deals, then the integer arithmetic. */
async function forecastTable(
  db: SalesDb,
  actor: Actor,
  options: { fiscalYear: number; startMonth: number; timeZone: string; groupBy: repo.GroupBy; pipelineId?: string; periods: PeriodType[] },
): Promise<ForecastTable[]> {
  const range = fiscalYearRange(options.fiscalYear, options.startMonth);
  const [rows, targets] = await Promise.all([
    repo.forecastRows(db, actor, { ...range, timeZone: options.timeZone, groupBy: options.groupBy, pipelineId: options.pipelineId }),
    visibleTargets(db, actor, range),
  ]);
  const workspace = targets.filter((t) => !t.ownerId && !t.teamId);
  const own =
    options.groupBy === 'owner'
      ? targetInputs(
          targets.filter((t) => t.ownerId),
          (t) => t.ownerId,
        )
      : options.groupBy === 'team'
        ? targetInputs(
            targets.filter((t) => t.teamId),
            (t) => t.teamId,
          )
        : targetInputs(workspace, () => null);
  const totalTargets = options.groupBy === 'none' ? [] : targetInputs(workspace, () => null);
  return options.periods.map((period) =>
    buildForecast({ fiscalYear: options.fiscalYear, startMonth: options.startMonth, period, rows, targets: own, totalTargets }),
  );
}

export async function currentFiscalYear(options: { db: SalesDb; actor: Actor; now?: Date }): Promise<number> {
  return (await calendar(options.db, options.actor, options.now ?? new Date())).currentFiscalYear;
}

export async function getForecast(options: { db: SalesDb; actor: Actor; query: ForecastQuery; now?: Date }): Promise<Forecast> {
  const { db, actor, query } = options;
  if (query.pipelineId && !(await loadPipeline(db, actor.workspaceId, query.pipelineId))) throw new AppError('not_found');
  const cal = await calendar(db, actor, options.now ?? new Date());
  const fiscalYear = query.fiscalYear ?? cal.currentFiscalYear;
  const [table] = await forecastTable(db, actor, {
    fiscalYear,
    startMonth: cal.startMonth,
    timeZone: cal.timeZone,
    groupBy: query.groupBy,
    pipelineId: query.pipelineId,
    periods: [query.period],
  });
  const monthIndex = fiscalMonthIndex(cal.month, fiscalYear, cal.startMonth);
  return {
    fiscalYear,
    fiscalStartMonth: cal.startMonth,
    period: query.period,
    groupBy: query.groupBy,
    currentPeriod: monthIndex < 0 ? null : query.period === 'month' ? monthIndex : Math.floor(monthIndex / 3),
    ...(table as ForecastTable),
  };
}

/**
 * 営業ダッシュボード: the pipeline's stage totals (as on the board), this month's and this fiscal quarter's
 * forecast against target, and this month per owner. Activities per rep come from the activities module.
 */
export async function getDashboard(options: { db: SalesDb; actor: Actor; pipelineId?: string; now?: Date }): Promise<SalesDashboard> {
  const { db, actor } = options;
  const pipeline = options.pipelineId
    ? await loadPipeline(db, actor.workspaceId, options.pipelineId)
    : await resolvePipeline(db, actor, undefined);
  if (!pipeline) throw new AppError('not_found');
  const cal = await calendar(db, actor, options.now ?? new Date());
  const [totals, tables] = await Promise.all([
    stageTotals(db, actor, pipeline.id, {}),
    forecastTable(db, actor, {
      fiscalYear: cal.currentFiscalYear,
      startMonth: cal.startMonth,
      timeZone: cal.timeZone,
      groupBy: 'owner',
      pipelineId: options.pipelineId,
      periods: ['month', 'quarter'],
    }),
  ]);
  const [months, quarters] = tables as [ForecastTable, ForecastTable];
  const m = fiscalMonthIndex(cal.month, cal.currentFiscalYear, cal.startMonth);
  const q = Math.floor(m / 3);
  return {
    pipeline: { id: pipeline.id, name: pipeline.name },
    stages: pipeline.stages.map((stage) => ({
      stage,
      totals: totals
        .filter((t) => t.stageId === stage.id)
        .map((t) => ({
          currency: t.currency,
          count: t.count,
          amount: t.amount,
          weightedAmount: weightedAmount(t.amount, stage.probability),
        })),
    })),
    fiscalYear: cal.currentFiscalYear,
    fiscalStartMonth: cal.startMonth,
    month: { key: cal.month, cells: months.totals.periods[m] ?? [] },
    quarter: {
      key: fiscalPeriods(cal.currentFiscalYear, cal.startMonth, 'quarter')[q]?.key ?? '',
      cells: quarters.totals.periods[q] ?? [],
    },
    reps: months.groups.map((g) => ({ userId: g.groupId, month: g.periods[m] ?? [] })).filter((r) => r.month.length > 0),
  };
}
