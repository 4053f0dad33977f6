import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { CrossSell, CustomerMetrics, Order, OrderStatus } from '../../../shared/contracts/commerce';
import type { Product } from '../../../shared/contracts/sales';
import { http } from '../../app/api-client';

export type { CrossSell, CustomerMetrics, Order, OrderStatus };
export type CustomerKind = 'person' | 'company';

/** Query keys of the commerce screens: an order change invalidates the whole ['commerce'] tree. */
export const commerceKeys = {
  all: ['commerce'] as const,
  orders: (params: OrderListParams) => ['commerce', 'orders', params] as const,
  order: (id: string) => ['commerce', 'order', id] as const,
  metrics: (kind: CustomerKind, id: string) => ['commerce', 'metrics', kind, id] as const,
  crossSell: (kind: CustomerKind, id: string) => ['commerce', 'cross-sell', kind, id] as const,
  webhook: ['commerce', 'webhook'] as const,
};

export interface OrderListParams {
  personId?: string;
  companyId?: string;
  status?: OrderStatus;
  limit?: number;
}

const customerPath = (kind: CustomerKind) => (kind === 'person' ? 'people' : 'companies');

export function useOrders(params: OrderListParams) {
  return useInfiniteQuery({
    queryKey: commerceKeys.orders(params),
    queryFn: ({ pageParam }) =>
      http.get<{ data: Order[]; nextCursor: string | null }>('/api/v1/orders', {
        ...params,
        limit: params.limit ?? 50,
        cursor: pageParam ?? undefined,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useOrder(id: string) {
  return useQuery({ queryKey: commerceKeys.order(id), queryFn: () => http.get<Order>(`/api/v1/orders/${id}`) });
}

export function useCustomerMetrics(kind: CustomerKind, id: string) {
  return useQuery({
    queryKey: commerceKeys.metrics(kind, id),
    queryFn: () => http.get<CustomerMetrics>(`/api/v1/${customerPath(kind)}/${id}/metrics`),
  });
}

export function useCrossSell(kind: CustomerKind, id: string) {
  return useQuery({
    queryKey: commerceKeys.crossSell(kind, id),
    queryFn: () => http.get<CrossSell>(`/api/v1/${customerPath(kind)}/${id}/cross-sell`, { limit: 5 }),
    select: (r) => r.data,
  });
}

export interface WebhookStatus {
  configured: boolean;
  hint: string | null;
  rotatedAt: string | null;
  url: string;
  secret?: string;
}

export function useWebhookStatus(enabled: boolean) {
  return useQuery({ queryKey: commerceKeys.webhook, queryFn: () => http.get<WebhookStatus>('/api/v1/commerce/webhook-secret'), enabled });
}

/** The active products of the catalogue (sales module's API), for the order line picker. */
export function useActiveProducts() {
  return useQuery({
    queryKey: ['commerce', 'products'],
    queryFn: () => http.get<{ data: Product[]; nextCursor: string | null }>('/api/v1/products', { active: 'true', limit: 200 }),
    staleTime: 30_000,
  });
}
