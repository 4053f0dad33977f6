import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-client';

export const queryClient = new QueryClient({
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
};
