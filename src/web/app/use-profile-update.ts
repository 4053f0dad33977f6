import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Session, User } from '../../shared/contracts/accounts';
import { http } from './api-client';
import { keys } from './query-client';

export interface ProfilePatch {
  name?: string;
  locale?: 'ja' | 'en' | null;
  theme?: 'auto' | 'light' | 'dark';
}

/** PATCH /me and put the result straight into the session, so language and theme switch at once. */
export function useProfileUpdate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: ProfilePatch) => http.patch<User>('/api/v1/me', patch),
    onSuccess: (user) => {
      queryClient.setQueryData<Session | null>(keys.session, (s) => (s ? { ...s, user } : s));
      void queryClient.invalidateQueries({ queryKey: keys.users });
    },
  });
}
