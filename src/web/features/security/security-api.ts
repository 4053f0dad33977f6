import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SecurityStatus, SessionInfo } from '../../../shared/contracts/security';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';

export type { SecurityStatus, SessionInfo };

export interface TotpSetup {
  secret: string;
  uri: string;
  qrCode: string;
}

const securityKey = ['me', 'security'] as const;
const sessionsKey = ['me', 'sessions'] as const;

export function useSecurityStatus() {
  return useQuery({ queryKey: securityKey, queryFn: () => http.get<SecurityStatus>('/api/v1/me/security') });
}

export function useMySessions() {
  return useQuery({
    queryKey: sessionsKey,
    queryFn: () => http.get<{ data: SessionInfo[] }>('/api/v1/me/sessions'),
    select: (r) => r.data,
  });
}

function useRefreshing<TVars, TResult>(fn: (vars: TVars) => Promise<TResult>, ...queryKeys: ReadonlyArray<readonly string[]>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => Promise.all(queryKeys.map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

export function useStartTotpSetup() {
  return useMutation({ mutationFn: () => http.post<TotpSetup>('/api/v1/me/2fa/setup') });
}

export function useEnableTotp() {
  return useRefreshing(
    (code: string) => http.post<{ recoveryCodes: string[] }>('/api/v1/me/2fa/enable', { code }),
    securityKey,
    keys.users,
  );
}

export function useDisableTotp() {
  return useRefreshing(
    (body: { password: string; code?: string; recoveryCode?: string }) => http.post('/api/v1/me/2fa/disable', body),
    securityKey,
    keys.users,
  );
}

export function useRegenerateRecoveryCodes() {
  return useRefreshing(
    (body: { password: string; code: string }) => http.post<{ recoveryCodes: string[] }>('/api/v1/me/2fa/recovery-codes', body),
    securityKey,
  );
}

export function useRevokeSession() {
  return useRefreshing((id: string) => http.delete(`/api/v1/me/sessions/${id}`), sessionsKey);
}

export function useUnlockUser() {
  return useRefreshing((id: string) => http.post(`/api/v1/users/${id}/unlock`), keys.users);
}

export function useResetUserTwoFactor() {
  return useRefreshing((id: string) => http.post(`/api/v1/users/${id}/2fa/reset`), keys.users);
}

export function useEndUserSessions() {
  return useRefreshing((id: string) => http.post(`/api/v1/users/${id}/sessions/end`), keys.users);
}
