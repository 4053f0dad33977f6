import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import type { User } from '../../../shared/contracts/accounts';
import { useSession } from '../../app/session';
import { ConfirmButton } from '../../ui/confirm-button';
import { useEndUserSessions, useResetUserTwoFactor, useUnlockUser } from './security-api';

/** An administrator's sign-in controls for one user: lift a lock, sign them out everywhere. */
export function UserSecurityActions({ user }: { user: User }) {
  const { t } = useTranslation();
  const unlock = useUnlockUser();
  const end = useEndUserSessions();
  const reset = useResetUserTwoFactor();
  const { user: me } = useSession();
  const failed = (err: Error) => notifications.show({ color: 'red', message: err.message });
  return (
    <>
      {user.lockedUntil && (
        <Button
          size="xs"
          variant="light"
          color="orange"
          loading={unlock.isPending}
          onClick={() =>
            unlock.mutate(user.id, {
              onSuccess: () => notifications.show({ color: 'teal', message: t('security.admin.unlocked', { name: user.name }) }),
              onError: failed,
            })
          }
        >
          {t('security.admin.unlock')}
        </Button>
      )}
      {user.twoFactorEnabled && user.id !== me.id && (
        <ConfirmButton
          variant="default"
          color="gray"
          message={t('security.admin.resetTwoFactorConfirm', { name: user.name })}
          confirmLabel={t('security.admin.resetTwoFactor')}
          onConfirm={() =>
            reset.mutate(user.id, {
              onSuccess: () => notifications.show({ color: 'teal', message: t('security.admin.twoFactorReset', { name: user.name }) }),
              onError: failed,
            })
          }
        >
          {t('security.admin.resetTwoFactor')}
        </ConfirmButton>
      )}
      <ConfirmButton
        variant="default"
        color="gray"
        message={t('security.admin.endSessionsConfirm', { name: user.name })}
        confirmLabel={t('security.admin.endSessions')}
        onConfirm={() =>
          end.mutate(user.id, {
            onSuccess: () => notifications.show({ color: 'teal', message: t('security.admin.sessionsEnded', { name: user.name }) }),
            onError: failed,
          })
        }
      >
        {t('security.admin.endSessions')}
      </ConfirmButton>
    </>
  );
}
