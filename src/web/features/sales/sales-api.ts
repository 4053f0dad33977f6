import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Board, Deal, DealDetail, Lead, Pipeline, Product, StageStay } from '../../../shared/contracts/sales';
import type { Filter } from '../../../shared/filter';
import { api, http } from '../../app/api-client';

export type { Board, Deal, DealDetail, Lead, Pipeline, Product, StageStay };

/** Query keys of the sales screens; realtime invalidates the whole ['sales'] tree on a sales event. */
export const salesKeys = {
  all: ['sales'] as const,
  pipelines: ['sales', 'pipelines'] as const,
  board: (pipelineId: string, scope: BoardScope) => ['sales', 'board', pipelineId, scope] as const,
  deals: ['sales', 'deals'] as const,
  deal: (id: string) => ['sales', 'deal', id] as const,
  history: (id: string) => ['sales', 'deal', id, 'history'] as const,
  products: ['sales', 'products'] as const,
  leads: ['sales', 'leads'] as const,
  lead: (id: string) => ['sales', 'lead', id] as const,
};

export interface BoardScope {
  ownerId?: string;
  teamId?: string;
  closeMonth?: string;
  title?: string;
  minAmount?: number;
}

/** The board's free filters in the shared filter language (the server compiles it like any list's filter). */
export function scopeFilter(scope: BoardScope): Filter | undefined {
  const and: Filter[] = [];
  if (scope.title) and.push({ field: 'title', op: 'contains', value: scope.title });
  if (scope.minAmount !== undefined) and.push({ field: 'amount', op: 'gte', value: scope.minAmount });
  return and.length ? { and } : undefined;
}

export function scopeQuery(scope: BoardScope) {
  const filter = scopeFilter(scope);
  return {
    ownerId: scope.ownerId,
    teamId: scope.teamId,
    closeMonth: scope.closeMonth,
    filter: filter ? JSON.stringify(filter) : undefined,
  };
}

export function usePipelines() {
  return useQuery({
    queryKey: salesKeys.pipelines,
    queryFn: () => http.get<{ data: Pipeline[] }>('/api/v1/pipelines'),
    select: (r) => r.data,
  });
}

export function useBoard(pipelineId: string | undefined, scope: BoardScope) {
  return useQuery({
    queryKey: salesKeys.board(pipelineId ?? '', scope),
    queryFn: () => http.get<Board>(`/api/v1/pipelines/${pipelineId}/board`, { ...scopeQuery(scope), limit: 20 }),
    enabled: !!pipelineId,
    placeholderData: keepPreviousData,
  });
}

export function useDeal(id: string) {
  return useQuery({ queryKey: salesKeys.deal(id), queryFn: () => http.get<DealDetail>(`/api/v1/deals/${id}`) });
}

export function useStageHistory(id: string) {
  return useQuery({
    queryKey: salesKeys.history(id),
    queryFn: () => http.get<{ data: StageStay[] }>(`/api/v1/deals/${id}/stage-history`),
    select: (r) => r.data,
  });
}

export function useProducts(options: { q?: string; active?: boolean } = {}) {
  return useQuery({
    queryKey: [...salesKeys.products, options],
    queryFn: () =>
      http.get<{ data: Product[]; nextCursor: string | null }>('/api/v1/products', {
        q: options.q,
        active: options.active === undefined ? undefined : String(options.active),
        limit: 200,
      }),
    placeholderData: keepPreviousData,
  });
}

export function useLead(id: string) {
  return useQuery({ queryKey: salesKeys.lead(id), queryFn: () => http.get<Lead>(`/api/v1/leads/${id}`) });
}

export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, { body });

/** Whole units typed by a person → minor units (1,234.56 USD → 123456; JPY has no minor unit). */
export function toMinor(value: number, digits: number): number {
  return Math.round(value * 10 ** digits);
}
export function fromMinor(value: number, digits: number): number {
  return value / 10 ** digits;
}
