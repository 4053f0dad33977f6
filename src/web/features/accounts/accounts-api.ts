import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { User } from '../../../shared/contracts/accounts';
import type { Role } from '../../../shared/permissions';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';

export type { User };

export interface Team {
  id: string;
  name: string;
  memberIds: string[];
  version: number;
  createdAt: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  teamId: string | null;
  expiresAt: string;
  createdAt: string;
}

export function useUsers() {
  return useQuery({ queryKey: keys.users, queryFn: () => http.get<{ data: User[] }>('/api/v1/users'), select: (r) => r.data });
}

export function useTeams() {
  return useQuery({ queryKey: keys.teams, queryFn: () => http.get<{ data: Team[] }>('/api/v1/teams'), select: (r) => r.data });
}

export function useInvitations(enabled: boolean) {
  return useQuery({
    queryKey: keys.invitations,
    queryFn: () => http.get<{ data: Invitation[] }>('/api/v1/invitations'),
    select: (r) => r.data,
    enabled,
  });
}

/** Invalidate on settle as well as on success: after a 409 the list must show the current version. */
function useInvalidating<TVars, TResult>(fn: (vars: TVars) => Promise<TResult>, ...queryKeys: ReadonlyArray<readonly string[]>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => Promise.all(queryKeys.map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

export function useUpdateUser() {
  return useInvalidating(
    ({ id, ...body }: { id: string; version: number; role?: Role; status?: 'active' | 'disabled' }) =>
      http.patch<User>(`/api/v1/users/${id}`, body),
    keys.users,
  );
}

export function useCreateInvitation() {
  return useInvalidating(
    (body: { email: string; role: Role; teamId: string | null }) =>
      http.post<{ invitation: Invitation; url: string }>('/api/v1/invitations', body),
    keys.invitations,
  );
}

export function useRevokeInvitation() {
  return useInvalidating((id: string) => http.delete(`/api/v1/invitations/${id}`), keys.invitations);
}

export function useCreateTeam() {
  return useInvalidating((body: { name: string; memberIds: string[] }) => http.post<Team>('/api/v1/teams', body), keys.teams, keys.users);
}

export function useUpdateTeam() {
  return useInvalidating(
    ({ id, ...body }: { id: string; version: number; name?: string; memberIds?: string[] }) =>
      http.patch<Team>(`/api/v1/teams/${id}`, body),
    keys.teams,
    keys.users,
  );
}

export function useDeleteTeam() {
  return useInvalidating((id: string) => http.delete(`/api/v1/teams/${id}`), keys.teams, keys.users);
}
