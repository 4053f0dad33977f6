import { Switch } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Session } from '../../../shared/contracts/accounts';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useSession } from '../../app/session';

/** The workspace setting "require two-step verification for everyone" (administrators). */
export function RequireTwoFactorSwitch() {
  const { t } = useTranslation();
  const { workspace } = useSession();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (requireTwoFactor: boolean) =>
      http.patch<Session['workspace']>('/api/v1/workspace', { version: workspace.version, requireTwoFactor }),
    onSuccess: () => notifications.show({ color: 'teal', message: t('security.admin.settingSaved') }),
    onError: (err) => notifications.show({ color: 'red', message: err.message }),
    onSettled: () => Promise.all([keys.session, keys.workspace].map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
  return (
    <Switch
      mb="md"
      label={t('security.admin.requireTwoFactor')}
      description={t('security.admin.requireTwoFactorHint')}
      checked={workspace.requireTwoFactor}
      disabled={save.isPending}
      onChange={(e) => save.mutate(e.currentTarget.checked)}
    />
  );
}
