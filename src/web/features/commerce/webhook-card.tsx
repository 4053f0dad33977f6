import { Alert, Button, Paper, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { ConfirmButton } from '../../ui/confirm-button';
import { CopyField } from '../../ui/copy-field';
import { ErrorAlert } from '../../ui/error-alert';
import { useFormatDateTime } from '../../ui/format';
import { commerceKeys, useWebhookStatus, type WebhookStatus } from './commerce-api';

/** EC サイト連携: the signed webhook's URL and its secret (created or rotated here, shown once). Administrators only. */
export function WebhookCard() {
  const { t } = useTranslation();
  const formatDate = useFormatDateTime();
  const queryClient = useQueryClient();
  const status = useWebhookStatus(true);
  const [secret, setSecret] = useState<string | null>(null);
  const [shown, { open }] = useDisclosure(false);
  const rotate = useMutation({
    mutationFn: () => http.post<WebhookStatus>('/api/v1/commerce/webhook-secret/rotate'),
    onSuccess: (s) => {
      setSecret(s.secret ?? null);
      open();
      queryClient.setQueryData(commerceKeys.webhook, { ...s, secret: undefined });
    },
  });
  const s = status.data;
  return (
    <Paper withBorder p="md" data-testid="webhook-card">
      <Stack gap="sm">
        <Title order={4}>{t('commerce.webhook.title')}</Title>
        <Text size="sm" c="dimmed">
          {t('commerce.webhook.intro')}
        </Text>
        {status.error && <ErrorAlert error={status.error} />}
        {s && <CopyField label={t('commerce.webhook.url')} value={s.url} />}
        {s && (
          <Text size="sm" data-testid="webhook-state">
            {s.configured
              ? t('commerce.webhook.configured', { hint: s.hint, date: formatDate(s.rotatedAt) })
              : t('commerce.webhook.notConfigured')}
          </Text>
        )}
        {shown && secret && (
          <Alert color="yellow" title={t('commerce.webhook.secretHint')}>
            <CopyField label={t('commerce.webhook.secret')} value={secret} />
          </Alert>
        )}
        {rotate.error && <ErrorAlert error={rotate.error} />}
        {s &&
          (s.configured ? (
            <ConfirmButton
              w="fit-content"
              message={t('commerce.webhook.rotateConfirm')}
              confirmLabel={t('commerce.webhook.rotate')}
              onConfirm={() => rotate.mutate()}
              loading={rotate.isPending}
            >
              {t('commerce.webhook.rotate')}
            </ConfirmButton>
          ) : (
            <Button w="fit-content" size="xs" onClick={() => rotate.mutate()} loading={rotate.isPending}>
              {t('commerce.webhook.create')}
            </Button>
          ))}
      </Stack>
    </Paper>
  );
}
