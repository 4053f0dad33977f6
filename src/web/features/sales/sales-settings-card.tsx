import { Paper, Stack, Switch, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { SalesSettings } from '../../../shared/contracts/forecast';
import { ErrorAlert } from '../../ui/error-alert';
import { useSalesSettings } from './forecast-api';
import { put } from './sales-api';

/** 営業の設定 (administrators): whether a won or lost deal must give its reason (optional by default). */
export function SalesSettingsCard() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const settings = useSalesSettings();
  const save = useMutation({
    mutationFn: (closeReasonRequired: boolean) =>
      put<SalesSettings>('/api/v1/sales-settings', { version: settings.data?.version, closeReasonRequired }),
    onSuccess: () => notifications.show({ message: t('sales.pipelines.settingsSaved'), color: 'green' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['sales'] }),
  });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="sales-settings-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="sales-settings-title">
          {t('sales.pipelines.salesSettings')}
        </Title>
        <Switch
          label={t('sales.pipelines.closeReasonRequired')}
          description={t('sales.pipelines.closeReasonHint')}
          checked={settings.data?.closeReasonRequired ?? false}
          disabled={!settings.data || save.isPending}
          onChange={(e) => save.mutate(e.currentTarget.checked)}
        />
        <ErrorAlert error={save.error} />
      </Stack>
    </Paper>
  );
}
