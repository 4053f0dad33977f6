import { useTranslation } from 'react-i18next';
import type { ForecastCellDto } from '../../../shared/contracts/forecast';
import { reiwaYear } from '../../../shared/forecast-math';
import { useMoney } from '../../ui/money';

/** Labels and figures of the forecast screens: 2026年度（令和8年度）, 第1四半期, 75.0 %, ¥1,234. */
export function useForecastFormat() {
  const { t, i18n } = useTranslation();
  const money = useMoney();
  const locale = i18n.resolvedLanguage === 'en' ? 'en-US' : 'ja-JP';
  const pct = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const fiscalYear = (year: number) => {
    const reiwa = reiwaYear(year);
    return reiwa ? t('sales.forecast.fiscalYearNameReiwa', { year, reiwa }) : t('sales.forecast.fiscalYearName', { year });
  };
  const monthName = (m: number) => t(`sales.forecast.months.m${m}` as 'sales.forecast.months.m1');
  const periodLabel = (key: string) => {
    const q = /^FY\d{4}-Q(\d)$/.exec(key);
    if (q) return t('sales.forecast.quarterName', { quarter: q[1] });
    const [y, m] = key.split('-').map(Number) as [number, number];
    return locale === 'ja-JP'
      ? `${y}年${m}月`
      : new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 1));
  };
  return {
    money,
    fiscalYear,
    monthName,
    periodLabel,
    /** basis points → 75.0 % */
    bp: (v: number | null) => (v === null ? '—' : pct.format(v / 10_000)),
    days: (v: number | null) => (v === null ? '—' : t('sales.forecast.days', { value: v.toFixed(1) })),
    amount: (v: number | null, currency: string) => (v === null ? '—' : money(v, currency)),
  };
}

export const cellFor = (cells: ForecastCellDto[] | undefined, currency: string) => cells?.find((c) => c.currency === currency);

/** Currencies that appear anywhere in the table, the workspace's (JPY) first. */
export function currenciesOf(lists: { currency: string }[][]): string[] {
  const set = new Set<string>(['JPY']);
  for (const cells of lists) for (const c of cells) set.add(c.currency);
  return [...set].sort((a, b) => (a === 'JPY' ? -1 : b === 'JPY' ? 1 : a.localeCompare(b)));
}
