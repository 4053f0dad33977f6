import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Forecast, SalesDashboard, SalesSettings, SalesTarget } from '../../../shared/contracts/forecast';
import { http } from '../../app/api-client';

export type { Forecast, SalesDashboard, SalesSettings, SalesTarget };

export interface ForecastScope {
  period: 'month' | 'quarter';
  fiscalYear?: number;
  groupBy: 'owner' | 'team' | 'none';
  pipelineId?: string;
}

export interface ActivityCounts {
  weekStart: string;
  monthStart: string;
  data: {
    userId: string;
    week: { total: number; call: number; meeting: number };
    month: { total: number; call: number; meeting: number };
  }[];
}

/** Under ['sales']: realtime refreshes them whenever a deal, a target or the fiscal setting changes. */
export const forecastKeys = {
  settings: ['sales', 'settings'] as const,
  forecast: (scope: ForecastScope) => ['sales', 'forecast', scope] as const,
  targets: (fiscalYear: number | undefined) => ['sales', 'targets', fiscalYear ?? 'current'] as const,
  dashboard: (pipelineId: string | undefined) => ['sales', 'dashboard', pipelineId ?? 'default'] as const,
  activityCounts: ['sales', 'activity-counts'] as const,
};

export function useSalesSettings() {
  return useQuery({ queryKey: forecastKeys.settings, queryFn: () => http.get<SalesSettings>('/api/v1/sales-settings') });
}

export function useForecast(scope: ForecastScope) {
  return useQuery({
    queryKey: forecastKeys.forecast(scope),
    queryFn: () =>
      http.get<Forecast>('/api/v1/forecast', { ...scope, fiscalYear: scope.fiscalYear ? String(scope.fiscalYear) : undefined }),
    placeholderData: keepPreviousData,
  });
}

export function useSalesTargets(fiscalYear: number | undefined) {
  return useQuery({
    queryKey: forecastKeys.targets(fiscalYear),
    queryFn: () =>
      http.get<{ fiscalYear: number; fiscalStartMonth: number; data: SalesTarget[] }>('/api/v1/sales-targets', {
        fiscalYear: fiscalYear ? String(fiscalYear) : undefined,
      }),
  });
}

export function useSalesDashboard(pipelineId: string | undefined) {
  return useQuery({
    queryKey: forecastKeys.dashboard(pipelineId),
    queryFn: () => http.get<SalesDashboard>('/api/v1/sales-dashboard', { pipelineId }),
    placeholderData: keepPreviousData,
  });
}

/** Activities are not sales events: besides deal changes, refresh every minute. */
export function useActivityCounts() {
  return useQuery({
    queryKey: forecastKeys.activityCounts,
    queryFn: () => http.get<ActivityCounts>('/api/v1/activity-counts'),
    refetchInterval: 60_000,
  });
}
