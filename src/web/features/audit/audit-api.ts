import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';

export interface AuditEntry {
  id: string;
  actorId: string | null;
  actorType: string;
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  createdAt: string;
}

export interface AuditFilters {
  action?: string;
  entityType?: string;
  actorId?: string;
  /** ISO date-times */
  from?: string;
  to?: string;
}

interface AuditPage {
  data: AuditEntry[];
  nextCursor: string | null;
}

export function useAuditLog(filters: AuditFilters, pageSize = 50) {
  return useInfiniteQuery({
    queryKey: [...keys.audit, 'list', filters, pageSize],
    queryFn: ({ pageParam }) => http.get<AuditPage>('/api/v1/audit', { ...filters, cursor: pageParam, limit: pageSize }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useRecentChanges(enabled: boolean) {
  return useQuery({
    queryKey: [...keys.audit, 'recent'],
    queryFn: () => http.get<AuditPage>('/api/v1/audit', { limit: 10 }),
    select: (r) => r.data,
    enabled,
  });
}

export { actionKey, entityKey, knownActions, knownEntityTypes } from './audit-actions';

export interface AuditChainReport {
  rows: number;
  headSeq: string;
  intact: boolean;
  problems: { kind: 'changed' | 'missing' | 'head_mismatch' | 'unsealed'; seq?: string; id?: string; count?: number }[];
}

export function verifyAuditChain() {
  return http.get<AuditChainReport>('/api/v1/audit/verify');
}
