import type { QueryClient, QueryKey } from '@tanstack/react-query';

/**
 * Marks the queries under `queryKey` stale (all of them without one), so open screens refetch. invalidateQueries
 * restarts a fetch under way only when the query already has data: a first fetch is kept as it is, yet it may have
 * read the database before this change committed (a job followed from its start finishing at once). Such a fetch
 * is read once more when it settles, or the screen would keep the older state until the next change.
 */
export function markStale(queryClient: QueryClient, queryKey?: QueryKey): void {
  void queryClient.invalidateQueries(queryKey ? { queryKey } : undefined);
  for (const query of queryClient.getQueryCache().findAll({ queryKey, fetchStatus: 'fetching' })) {
    if (query.state.data !== undefined) continue;
    void query.promise?.catch(() => undefined).then(() => queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true }));
  }
}
