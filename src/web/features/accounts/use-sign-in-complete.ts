import { useQueryClient } from '@tanstack/react-query';
import { keys } from '../../app/query-client';

/** After set-up, login or accepting an invitation the cookie is set: load the session to enter the app. */
export function useSignInComplete() {
  const queryClient = useQueryClient();
  return async () => {
    queryClient.setQueryData(keys.setup, { needsSetup: false });
    await queryClient.invalidateQueries({ queryKey: keys.session });
  };
}
