import { useQuery } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import type { Session } from '../../shared/contracts/accounts';
import type { Permission } from '../../shared/permissions';
import { ApiError, http, setCsrfToken } from './api-client';
import { keys } from './query-client';

export type { Session };

async function fetchSession(): Promise<Session | null> {
  try {
    const session = await http.get<Session>('/api/v1/auth/session');
    setCsrfToken(session.csrfToken);
    return session;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken('');
      return null;
    }
    throw err;
  }
}

/** The current session, or null when signed out. */
export function useSessionQuery() {
  return useQuery({ queryKey: keys.session, queryFn: fetchSession, staleTime: 60_000 });
}

export function useSetupQuery() {
  return useQuery({
    queryKey: keys.setup,
    queryFn: () => http.get<{ needsSetup: boolean }>('/api/v1/setup'),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in session; only used below the auth gate. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in area');
  return session;
}

export function useCan(): (permission: Permission) => boolean {
  const { permissions } = useSession();
  return (permission) => permissions.includes(permission);
}
