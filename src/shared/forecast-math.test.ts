import { describe, expect, it } from 'vitest';
import {
  buildForecast,
  type ForecastInputRow,
  fiscalMonthIndex,
  fiscalPeriods,
  fiscalQuarterOf,
  fiscalYearOf,
  fiscalYearRange,
  reiwaYear,
} from './forecast-math.js';

describe('fiscal calendar', () => {
  it('maps months to the fiscal year and quarter of a year starting in April (4月始まり)', () => {
    expect(fiscalQuarterOf(2026, 4, 4)).toEqual({ fiscalYear: 2026, quarter: 1 });
    expect(fiscalQuarterOf(2026, 6, 4)).toEqual({ fiscalYear: 2026, quarter: 1 });
    expect(fiscalQuarterOf(2026, 7, 4)).toEqual({ fiscalYear: 2026, quarter: 2 });
    expect(fiscalQuarterOf(2026, 12, 4)).toEqual({ fiscalYear: 2026, quarter: 3 });
    expect(fiscalQuarterOf(2027, 1, 4)).toEqual({ fiscalYear: 2026, quarter: 4 });
    expect(fiscalQuarterOf(2027, 3, 4)).toEqual({ fiscalYear: 2026, quarter: 4 });
    expect(fiscalQuarterOf(2026, 3, 4)).toEqual({ fiscalYear: 2025, quarter: 4 });
  });

  it('handles calendar-year and October fiscal years', () => {
    expect(fiscalQuarterOf(2026, 1, 1)).toEqual({ fiscalYear: 2026, quarter: 1 });
    expect(fiscalQuarterOf(2026, 12, 1)).toEqual({ fiscalYear: 2026, quarter: 4 });
    expect(fiscalYearOf(2026, 9, 10)).toBe(2025);
    expect(fiscalQuarterOf(2026, 10, 10)).toEqual({ fiscalYear: 2026, quarter: 1 });
    expect(fiscalYearRange(2026, 10)).toEqual({ start: '2026-10-01', end: '2027-10-01' });
    expect(fiscalYearRange(2026, 1)).toEqual({ start: '2026-01-01', end: '2027-01-01' });
  });

  it('lists the months and quarters of a fiscal year with exclusive ends', () => {
    const months = fiscalPeriods(2026, 4, 'month');
    expect(months).toHaveLength(12);
    expect(months[0]).toMatchObject({ key: '2026-04', start: '2026-04-01', end: '2026-05-01' });
    expect(months[11]).toMatchObject({ key: '2027-03', start: '2027-03-01', end: '2027-04-01' });
    const quarters = fiscalPeriods(2026, 4, 'quarter');
    expect(quarters.map((q) => q.key)).toEqual(['FY2026-Q1', 'FY2026-Q2', 'FY2026-Q3', 'FY2026-Q4']);
    expect(quarters[3]).toMatchObject({ start: '2027-01-01', end: '2027-04-01', months: ['2027-01', '2027-02', '2027-03'] });
    expect(fiscalMonthIndex('2027-03', 2026, 4)).toBe(11);
    expect(fiscalMonthIndex('2027-04', 2026, 4)).toBe(-1);
    expect(fiscalMonthIndex('2026-03', 2026, 4)).toBe(-1);
  });

  it('names 令和 years', () => {
    expect(reiwaYear(2019)).toBe(1);
    expect(reiwaYear(2026)).toBe(8);
    expect(reiwaYear(2018)).toBeNull();
  });
});

const open = (month: string, category: ForecastInputRow['category'], amount: number, probability: number, groupId: string | null = 'u1') =>
  ({
    part: 'open',
    month,
    groupId,
    currency: 'JPY',
    category,
    count: 1,
    amount,
    weightedNumerator: BigInt(amount) * BigInt(probability),
  }) satisfies ForecastInputRow;

describe('buildForecast', () => {
  it('computes weighted pipeline, commit, best case and closed figures per period in integers', () => {
    const table = buildForecast({
      fiscalYear: 2026,
      startMonth: 4,
      period: 'month',
      rows: [
        open('2026-04', 'commit', 1_000_001, 50),
        open('2026-04', 'best_case', 333, 10),
        open('2026-04', 'pipeline', 1_000, 25),
        open('2026-04', 'omitted', 9_999_999, 90),
        {
          part: 'won',
          month: '2026-04',
          groupId: 'u1',
          currency: 'JPY',
          category: null,
          count: 2,
          amount: '3000001',
          cycleSeconds: 86_400 * 15,
        },
        { part: 'lost', month: '2026-04', groupId: 'u1', currency: 'JPY', category: null, count: 1, amount: 50 },
      ],
      targets: [{ month: '2026-04', groupId: 'u1', currency: 'JPY', amount: 4_000_000 }],
    });
    const cell = table.groups[0]?.periods[0]?.[0];
    // (1,000,001 × 50 + 333 × 10 + 1,000 × 25) / 100 = 500,283.8 → 500,284 (omitted left out)
    expect(cell).toEqual({
      currency: 'JPY',
      openCount: 3,
      openAmount: 1_001_334,
      weightedAmount: 500_284,
      commit: 1_000_001,
      bestCase: 1_000_334,
      wonCount: 2,
      wonAmount: 3_000_001,
      lostCount: 1,
      winRateBp: 6_667,
      avgWonAmount: 1_500_001,
      avgCycleDays: 7.5,
      target: 4_000_000,
      attainmentBp: 7_500,
    });
    expect(table.groups[0]?.periods[1]).toEqual([]);
  });

  it('rounds halves up once per cell, so a quarter is not the sum of rounded months', () => {
    const rows = [open('2026-04', 'pipeline', 1, 50), open('2026-05', 'pipeline', 1, 50), open('2026-06', 'pipeline', 1, 50)];
    const months = buildForecast({ fiscalYear: 2026, startMonth: 4, period: 'month', rows, targets: [] });
    expect(months.groups[0]?.periods.slice(0, 3).map((p) => p[0]?.weightedAmount)).toEqual([1, 1, 1]);
    const quarters = buildForecast({ fiscalYear: 2026, startMonth: 4, period: 'quarter', rows, targets: [] });
    // 1.5 → 2, not 3
    expect(quarters.groups[0]?.periods[0]?.[0]?.weightedAmount).toBe(2);
    expect(quarters.totals.total[0]?.weightedAmount).toBe(2);
  });

  it('keeps exact sums beyond 2^53 intermediates and separates currencies', () => {
    const huge = 999_999_999_999_999;
    const table = buildForecast({
      fiscalYear: 2026,
      startMonth: 4,
      period: 'quarter',
      rows: [
        open('2026-04', 'commit', huge, 99),
        open('2026-04', 'commit', 1, 1),
        { ...open('2026-05', 'pipeline', 1_234, 50), currency: 'USD' },
      ],
      targets: [],
    });
    const [jpy, usd] = [
      table.totals.periods[0]?.find((c) => c.currency === 'JPY'),
      table.totals.periods[0]?.find((c) => c.currency === 'USD'),
    ];
    // (999,999,999,999,999 × 99 + 1) / 100 = 989,999,999,999,999.02 → 989,999,999,999,999
    expect(jpy?.weightedAmount).toBe(989_999_999_999_999);
    expect(jpy?.commit).toBe(huge + 1);
    expect(usd).toMatchObject({ openAmount: 1_234, weightedAmount: 617, commit: 0 });
  });

  it('puts rows outside the fiscal year nowhere and quarters Jan–Mar into Q4', () => {
    const table = buildForecast({
      fiscalYear: 2026,
      startMonth: 4,
      period: 'quarter',
      rows: [open('2027-03', 'commit', 100, 100), open('2026-03', 'commit', 7, 100), open('2027-04', 'commit', 7, 100)],
      targets: [],
    });
    expect(table.groups[0]?.periods.map((p) => p[0]?.commit ?? 0)).toEqual([0, 0, 0, 100]);
    expect(table.totals.total[0]?.commit).toBe(100);
  });

  it('gives the totals row the workspace target of a month where there is one, else the sum of the groups', () => {
    const table = buildForecast({
      fiscalYear: 2026,
      startMonth: 4,
      period: 'quarter',
      rows: [{ part: 'won', month: '2026-05', groupId: 'u2', currency: 'JPY', category: null, count: 1, amount: 600, cycleSeconds: 0 }],
      targets: [
        { month: '2026-04', groupId: 'u1', currency: 'JPY', amount: 100 },
        { month: '2026-04', groupId: 'u2', currency: 'JPY', amount: 200 },
        { month: '2026-05', groupId: 'u1', currency: 'JPY', amount: 300 },
      ],
      totalTargets: [{ month: '2026-05', groupId: null, currency: 'JPY', amount: 1_000 }],
    });
    expect(table.groups.map((g) => [g.groupId, g.total[0]?.target])).toEqual([
      ['u1', 400],
      ['u2', 200],
    ]);
    // April: 100 + 200 from the groups; May: the workspace's 1,000 replaces the groups' 300
    expect(table.totals.periods[0]?.[0]).toMatchObject({ target: 1_300, wonAmount: 600, attainmentBp: 4_615 });
    expect(table.totals.total[0]?.target).toBe(1_300);
    expect(table.groups.find((g) => g.groupId === 'u2')?.total[0]).toMatchObject({ attainmentBp: 30_000, winRateBp: 10_000 });
  });

  it('leaves rates empty without closed deals or a target', () => {
    const table = buildForecast({
      fiscalYear: 2026,
      startMonth: 4,
      period: 'month',
      rows: [open('2026-04', 'pipeline', 10, 10)],
      targets: [],
    });
    expect(table.groups[0]?.periods[0]?.[0]).toMatchObject({
      winRateBp: null,
      avgWonAmount: null,
      avgCycleDays: null,
      target: null,
      attainmentBp: null,
    });
  });
});
