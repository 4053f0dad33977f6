import { Button, PasswordInput, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { ErrorAlert } from '../../ui/error-alert';

export function PasswordForm() {
  const { t } = useTranslation();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: () => http.post('/api/v1/me/password', { currentPassword, newPassword }),
    onSuccess: () => {
      setCurrent('');
      setNew('');
      setConfirm('');
      notifications.show({ color: 'teal', message: t('settings.passwordChanged') });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMismatch(newPassword !== confirm);
    if (newPassword === confirm) change.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack maw={420}>
        <ErrorAlert error={change.error} />
        <PasswordInput
          label={t('settings.currentPassword')}
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(e) => setCurrent(e.currentTarget.value)}
        />
        <PasswordInput
          label={t('settings.newPassword')}
          description={t('setup.passwordHint')}
          autoComplete="new-password"
          required
          value={newPassword}
          onChange={(e) => setNew(e.currentTarget.value)}
        />
        <PasswordInput
          label={t('settings.confirmPassword')}
          autoComplete="new-password"
          required
          value={confirm}
          error={mismatch ? t('errors.passwordMismatch') : undefined}
          onChange={(e) => setConfirm(e.currentTarget.value)}
        />
        <Button type="submit" loading={change.isPending} w="fit-content">
          {t('settings.changePassword')}
        </Button>
      </Stack>
    </form>
  );
}
