/**
 * Forecast arithmetic and the fiscal calendar: pure functions shared by the server and the web app.
 * Money is integer minor units; sums and products run in BigInt, each figure is rounded once (half up).
 */
import { divRoundHalfUp } from './contracts/sales.js';

export type PeriodType = 'month' | 'quarter';

const pad = (n: number) => String(n).padStart(2, '0');
const monthKey = (ordinal: number) => `${Math.floor(ordinal / 12)}-${pad((ordinal % 12) + 1)}`;
const ordinalOf = (year: number, month: number) => year * 12 + (month - 1);

/** The fiscal year a calendar month belongs to, named by the calendar year it starts in (2026年度 = 2026-04..2027-03). */
export function fiscalYearOf(year: number, month: number, startMonth: number): number {
  return month >= startMonth ? year : year - 1;
}

/** Fiscal quarter (1–4) of a calendar month: FY from April → 2026-04..06 = FY2026 Q1, 2027-03 = FY2026 Q4. */
export function fiscalQuarterOf(year: number, month: number, startMonth: number): { fiscalYear: number; quarter: number } {
  const fiscalYear = fiscalYearOf(year, month, startMonth);
  const index = ordinalOf(year, month) - ordinalOf(fiscalYear, startMonth);
  return { fiscalYear, quarter: Math.floor(index / 3) + 1 };
}

/** The first day of the fiscal year and the first day after it (YYYY-MM-DD, end exclusive). */
export function fiscalYearRange(fiscalYear: number, startMonth: number): { start: string; end: string } {
  const first = ordinalOf(fiscalYear, startMonth);
  return { start: `${monthKey(first)}-01`, end: `${monthKey(first + 12)}-01` };
}

export interface FiscalPeriod {
  /** 0-based within the fiscal year */
  index: number;
  /** month: YYYY-MM; quarter: FY2026-Q1 */
  key: string;
  /** first day, and first day after (YYYY-MM-DD) */
  start: string;
  end: string;
  /** the calendar months (YYYY-MM) in the period */
  months: string[];
}

/** The 12 months or 4 quarters of a fiscal year. */
export function fiscalPeriods(fiscalYear: number, startMonth: number, period: PeriodType): FiscalPeriod[] {
  const first = ordinalOf(fiscalYear, startMonth);
  const size = period === 'month' ? 1 : 3;
  return Array.from({ length: 12 / size }, (_, index) => {
    const months = Array.from({ length: size }, (_, k) => monthKey(first + index * size + k));
    return {
      index,
      key: period === 'month' ? (months[0] as string) : `FY${fiscalYear}-Q${index + 1}`,
      start: `${months[0]}-01`,
      end: `${monthKey(first + (index + 1) * size)}-01`,
      months,
    };
  });
}

/** Index (0–11) of a YYYY-MM month in the fiscal year, or -1 outside it. */
export function fiscalMonthIndex(month: string, fiscalYear: number, startMonth: number): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = ordinalOf(y, m) - ordinalOf(fiscalYear, startMonth);
  return i >= 0 && i < 12 ? i : -1;
}

/** 令和 year of a Gregorian year from 2019 (令和元年 = 2019); null before. */
export function reiwaYear(year: number): number | null {
  return year >= 2019 ? year - 2018 : null;
}

// ---------- aggregation ----------

export type ForecastCategoryName = 'pipeline' | 'best_case' | 'commit' | 'omitted';
type Int = bigint | number | string;

/** One grouped row from the database: open deals by close month and category, or closed deals by close month. */
export interface ForecastInputRow {
  part: 'open' | 'won' | 'lost';
  /** YYYY-MM: expected close month (open) or close month in the workspace's time zone (won/lost) */
  month: string;
  groupId: string | null;
  currency: string;
  category: ForecastCategoryName | null;
  count: Int;
  amount: Int;
  /** Σ amount × stage probability (open rows) */
  weightedNumerator?: Int;
  /** Σ seconds from created to closed (won rows) */
  cycleSeconds?: Int;
}

export interface TargetInput {
  month: string;
  groupId: string | null;
  currency: string;
  amount: Int;
}

export interface ForecastCell {
  currency: string;
  openCount: number;
  /** Σ amount of open deals not omitted */
  openAmount: number;
  /** round half up (Σ amount × probability / 100), once per cell */
  weightedAmount: number;
  commit: number;
  /** commit + best case deals */
  bestCase: number;
  wonCount: number;
  wonAmount: number;
  lostCount: number;
  /** won / (won + lost) in basis points (6667 = 66.67 %); null without closed deals */
  winRateBp: number | null;
  avgWonAmount: number | null;
  /** average days from created to won, one decimal */
  avgCycleDays: number | null;
  target: number | null;
  /** won / target in basis points; null without a target above 0 */
  attainmentBp: number | null;
}

interface Acc {
  openCount: bigint;
  openAmount: bigint;
  weighted: bigint;
  commit: bigint;
  bestCaseOnly: bigint;
  wonCount: bigint;
  wonAmount: bigint;
  lostCount: bigint;
  cycle: bigint;
  target: bigint | null;
}

const big = (v: Int | undefined) => (v === undefined || v === null ? 0n : BigInt(typeof v === 'number' ? Math.trunc(v) : v));
const empty = (): Acc => ({
  openCount: 0n,
  openAmount: 0n,
  weighted: 0n,
  commit: 0n,
  bestCaseOnly: 0n,
  wonCount: 0n,
  wonAmount: 0n,
  lostCount: 0n,
  cycle: 0n,
  target: null,
});

function add(into: Acc, from: Acc) {
  into.openCount += from.openCount;
  into.openAmount += from.openAmount;
  into.weighted += from.weighted;
  into.commit += from.commit;
  into.bestCaseOnly += from.bestCaseOnly;
  into.wonCount += from.wonCount;
  into.wonAmount += from.wonAmount;
  into.lostCount += from.lostCount;
  into.cycle += from.cycle;
  if (from.target !== null) into.target = (into.target ?? 0n) + from.target;
}

function addRow(acc: Acc, r: ForecastInputRow) {
  const count = big(r.count);
  const amount = big(r.amount);
  if (r.part === 'won') {
    acc.wonCount += count;
    acc.wonAmount += amount;
    acc.cycle += big(r.cycleSeconds);
  } else if (r.part === 'lost') acc.lostCount += count;
  else if (r.category !== 'omitted') {
    acc.openCount += count;
    acc.openAmount += amount;
    acc.weighted += big(r.weightedNumerator);
    if (r.category === 'commit') acc.commit += amount;
    if (r.category === 'best_case') acc.bestCaseOnly += amount;
  }
}

export function finalizeCell(currency: string, a: Acc): ForecastCell {
  const closed = a.wonCount + a.lostCount;
  return {
    currency,
    openCount: Number(a.openCount),
    openAmount: Number(a.openAmount),
    weightedAmount: Number(divRoundHalfUp(a.weighted, 100n)),
    commit: Number(a.commit),
    bestCase: Number(a.commit + a.bestCaseOnly),
    wonCount: Number(a.wonCount),
    wonAmount: Number(a.wonAmount),
    lostCount: Number(a.lostCount),
    winRateBp: closed > 0n ? Number(divRoundHalfUp(a.wonCount * 10_000n, closed)) : null,
    avgWonAmount: a.wonCount > 0n ? Number(divRoundHalfUp(a.wonAmount, a.wonCount)) : null,
    avgCycleDays: a.wonCount > 0n ? Number(divRoundHalfUp(a.cycle * 10n, a.wonCount * 86_400n)) / 10 : null,
    target: a.target === null ? null : Number(a.target),
    attainmentBp: a.target !== null && a.target > 0n ? Number(divRoundHalfUp(a.wonAmount * 10_000n, a.target)) : null,
  };
}

/** Per-currency accumulators of one group and period. */
type Cells = Map<string, Acc>;
const cellOf = (cells: Cells, currency: string) => {
  let a = cells.get(currency);
  if (!a) {
    a = empty();
    cells.set(currency, a);
  }
  return a;
};
const present = (cells: Cells): ForecastCell[] =>
  [...cells.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, acc]) => finalizeCell(currency, acc));

export interface ForecastGroup {
  groupId: string | null;
  /** one list of per-currency cells per period */
  periods: ForecastCell[][];
  /** the whole fiscal year */
  total: ForecastCell[];
}

export interface ForecastTable {
  periods: FiscalPeriod[];
  groups: ForecastGroup[];
  totals: { periods: ForecastCell[][]; total: ForecastCell[] };
}

/**
 * Groups × periods × currencies. Every figure is summed in integers and rounded once per cell, so a
 * quarter equals its months only up to the rounding of the weighted amount (less than 1 minor unit per month).
 * Targets: a group's own; the totals row takes the workspace-wide target of a month and currency
 * (`totalTargets`) and, where there is none, the sum of the groups' targets.
 */
export function buildForecast(options: {
  fiscalYear: number;
  startMonth: number;
  period: PeriodType;
  rows: ForecastInputRow[];
  targets: TargetInput[];
  totalTargets?: TargetInput[];
}): ForecastTable {
  const { fiscalYear, startMonth, period } = options;
  const periods = fiscalPeriods(fiscalYear, startMonth, period);
  const size = period === 'month' ? 1 : 3;
  const periodOf = (month: string) => {
    const i = fiscalMonthIndex(month, fiscalYear, startMonth);
    return i < 0 ? -1 : Math.floor(i / size);
  };
  const groups = new Map<string, { groupId: string | null; periods: Cells[] }>();
  const groupOf = (id: string | null) => {
    const key = id ?? '';
    let g = groups.get(key);
    if (!g) {
      g = { groupId: id, periods: periods.map(() => new Map()) };
      groups.set(key, g);
    }
    return g;
  };
  for (const r of options.rows) {
    const p = periodOf(r.month);
    if (p >= 0) addRow(cellOf(groupOf(r.groupId).periods[p] as Cells, r.currency), r);
  }
  // targets by month first: the totals row decides per month whether a workspace target replaces the groups' sum
  const groupTargetsByMonth = new Map<string, bigint>();
  for (const t of options.targets) {
    const p = periodOf(t.month);
    if (p < 0) continue;
    const acc = cellOf(groupOf(t.groupId).periods[p] as Cells, t.currency);
    acc.target = (acc.target ?? 0n) + big(t.amount);
    const k = `${t.month}|${t.currency}`;
    groupTargetsByMonth.set(k, (groupTargetsByMonth.get(k) ?? 0n) + big(t.amount));
  }
  const totalByMonth = new Map(groupTargetsByMonth);
  for (const t of options.totalTargets ?? []) if (periodOf(t.month) >= 0) totalByMonth.set(`${t.month}|${t.currency}`, big(t.amount));

  const totals: Cells[] = periods.map(() => new Map());
  const list: ForecastGroup[] = [];
  for (const g of groups.values()) {
    const whole: Cells = new Map();
    g.periods.forEach((cells, p) => {
      for (const [currency, acc] of cells) {
        add(cellOf(whole, currency), acc);
        add(cellOf(totals[p] as Cells, currency), { ...acc, target: null });
      }
    });
    list.push({ groupId: g.groupId, periods: g.periods.map(present), total: present(whole) });
  }
  for (const [k, amount] of totalByMonth) {
    const [month, currency] = k.split('|') as [string, string];
    const acc = cellOf(totals[periodOf(month)] as Cells, currency);
    acc.target = (acc.target ?? 0n) + amount;
  }
  const yearTotal: Cells = new Map();
  for (const cells of totals) for (const [currency, acc] of cells) add(cellOf(yearTotal, currency), acc);
  list.sort((a, b) => (a.groupId ?? '\uffff').localeCompare(b.groupId ?? '\uffff'));
  return { periods, groups: list, totals: { periods: totals.map(present), total: present(yearTotal) } };
}
