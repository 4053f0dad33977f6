import { Alert, Button, Divider, Group, Paper, Select, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCalendarShare } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { CopyField } from '../../ui/copy-field';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { PageLoader } from '../../ui/page-loader';
import { type Preferences, useCalendarFeed, usePreferences, useSavePreferences } from './tasks-api';

const zones = [
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Shanghai',
  'Asia/Singapore',
  'Asia/Bangkok',
  'Asia/Kolkata',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
  'UTC',
];

/** The signed-in user's digest, reminder e-mail and time zone, and their secret calendar feed URL. */
export function TasksSettingsCard() {
  const { t } = useTranslation();
  const { workspace } = useSession();
  const prefs = usePreferences();
  const save = useSavePreferences();
  const { regenerate, revoke } = useCalendarFeed();
  const formatDateTime = useFormatDateTime();
  const [feedUrl, setFeedUrl] = useState<string | null>(null);

  if (prefs.isPending) return <PageLoader />;
  if (prefs.error) return <ErrorState error={prefs.error} onRetry={() => void prefs.refetch()} />;
  const p = prefs.data;
  const update = (patch: Partial<Preferences>) =>
    save.mutate(
      { version: p.version, ...patch },
      {
        onSuccess: () => notifications.show({ color: 'teal', message: t('tasks.settings.saved') }),
        onError: (err) => {
          notifications.show({ color: 'red', message: (err as Error).message });
          void prefs.refetch();
        },
      },
    );

  return (
    <Paper withBorder p="md" maw={720} data-testid="tasks-settings">
      <Stack>
        <Title order={2} size="h4">
          {t('tasks.settings.title')}
        </Title>
        <Switch
          label={t('tasks.settings.digest')}
          description={t('tasks.settings.digestHint')}
          checked={p.digestEnabled}
          onChange={(e) => update({ digestEnabled: e.currentTarget.checked })}
          disabled={save.isPending}
        />
        <Select
          label={t('tasks.settings.digestHour')}
          w={160}
          data={Array.from({ length: 24 }, (_, h) => ({
            value: String(h),
            label: t('tasks.settings.hour', { hour: String(h).padStart(2, '0') }),
          }))}
          value={String(p.digestHour)}
          onChange={(v) => v !== null && update({ digestHour: Number(v) })}
          allowDeselect={false}
          disabled={!p.digestEnabled || save.isPending}
        />
        <Switch
          label={t('tasks.settings.reminderEmail')}
          checked={p.reminderEmail}
          onChange={(e) => update({ reminderEmail: e.currentTarget.checked })}
          disabled={save.isPending}
        />
        <Select
          label={t('tasks.settings.timeZone')}
          w={320}
          data={[
            { value: '', label: t('tasks.settings.timeZoneWorkspace', { tz: workspace.timeZone }) },
            ...zones.map((z) => ({ value: z, label: z })),
          ]}
          value={p.timeZone ?? ''}
          onChange={(v) => update({ timeZone: v ? v : null })}
          allowDeselect={false}
          disabled={save.isPending}
        />
        <Text size="xs" c="dimmed">
          {t('tasks.settings.mailNote')}
        </Text>
        <Divider />
        <Group gap="xs">
          <IconCalendarShare size={20} />
          <Text fw={600}>{t('tasks.settings.feedTitle')}</Text>
        </Group>
        <Text size="sm">{t('tasks.settings.feedHint')}</Text>
        {feedUrl ? (
          <Stack gap={4}>
            <CopyField label={t('tasks.settings.feedUrl')} value={feedUrl} />
            <Alert color="yellow" p="xs">
              {t('tasks.settings.feedShownOnce')}
            </Alert>
          </Stack>
        ) : (
          <Text size="sm" c="dimmed" data-testid="feed-status">
            {p.calendarFeed
              ? t('tasks.settings.feedActive', { date: formatDateTime(p.calendarTokenCreatedAt) })
              : t('tasks.settings.feedNone')}
          </Text>
        )}
        <Group gap="xs">
          <Button
            variant="light"
            loading={regenerate.isPending}
            onClick={() => regenerate.mutate(undefined, { onSuccess: (r) => setFeedUrl(r.url) })}
          >
            {p.calendarFeed ? t('tasks.settings.feedRegenerate') : t('tasks.settings.feedCreate')}
          </Button>
          {p.calendarFeed && (
            <Button
              variant="subtle"
              color="red"
              loading={revoke.isPending}
              onClick={() => revoke.mutate(undefined, { onSuccess: () => setFeedUrl(null) })}
            >
              {t('tasks.settings.feedRevoke')}
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
