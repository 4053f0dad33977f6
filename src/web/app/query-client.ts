import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-client';

/** A session that ended elsewhere (sign-out in another tab, expiry, password change): show the login screen. */
function onError(err: unknown): void {
  if (err instanceof ApiError && err.code === 'unauthenticated' && queryClient.getQueryData(keys.session)) {
    queryClient.setQueryData(keys.session, null);
  }
}

export const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A 4xx will not get better by asking again; network blips and 5xx may.
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
    },
  },
});

/** Query keys in one place, so realtime invalidation and screens agree. */
export const keys = {
  setup: ['setup'] as const,
  session: ['session'] as const,
  users: ['users'] as const,
  teams: ['teams'] as const,
  invitations: ['invitations'] as const,
  tokens: ['tokens'] as const,
  audit: ['audit'] as const,
  workspace: ['workspace'] as const,
  people: ['people'] as const,
  companies: ['companies'] as const,
  customFields: ['custom-fields'] as const,
  views: ['views'] as const,
  duplicates: ['duplicates'] as const,
  timeline: ['timeline'] as const,
  feed: ['feed'] as const,
  notifications: ['notifications'] as const,
  // Import jobs of every kind and the lists of recent imports (src/web/ui/imports/).
  imports: ['imports'] as const,
};
