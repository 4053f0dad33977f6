import { Button, Group, MultiSelect, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconHistory, IconPlus } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { timelineKinds } from '../../../shared/contracts/activities';
import { useCan } from '../../app/session';
import { EmptyState } from '../../ui/empty-state';
import { ErrorState } from '../../ui/error-state';
import { PageLoader } from '../../ui/page-loader';
import { useUsers } from '../customers/customers-api';
import { LOG_ACTIVITY_EVENT, type RecordType, type TimelineFilter, useTimeline } from './activities-api';
import { EditActivityModal } from './edit-activity-modal';
import { EmailComposeButton } from './email-compose';
import { LogActivityModal } from './log-activity-modal';
import { AddTaskButton, RecordTasks } from './tasks-record-panel';
import { TimelineEntryCard } from './timeline-entry';

/** The record page's timeline (newest first, filter by kind and member, live) with "記録する" to log an activity. */
export function RecordActivity({ entityType, entityId }: { entityType: RecordType; entityId: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const users = useUsers();
  const [filter, setFilter] = useState<TimelineFilter>({ kinds: [], actorId: null });
  const [opened, { open, close }] = useDisclosure(false);
  const [editing, setEditing] = useState<string | null>(null);
  const timeline = useTimeline(entityType, entityId, filter);
  const canWrite = can('records.write');
  // Tasks link people and companies; deals and leads show their timeline and take activities.
  const customer = entityType === 'person' || entityType === 'company';

  // The command palette's "記録する" on this record.
  useEffect(() => {
    const onLog = (e: Event) => {
      const detail = (e as CustomEvent<{ entityId?: string }>).detail;
      if (canWrite && detail?.entityId === entityId) open();
    };
    window.addEventListener(LOG_ACTIVITY_EVENT, onLog);
    return () => window.removeEventListener(LOG_ACTIVITY_EVENT, onLog);
  }, [entityId, open, canWrite]);

  const entries = timeline.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = filter.kinds.length > 0 || filter.actorId !== null;

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="timeline-title" data-testid="record-activity">
      <Stack>
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Title order={2} size="h4" id="timeline-title">
            {t('activities.timeline.title')}
          </Title>
          <Group gap="xs">
            {/* Colleagues add their buttons here: 「タスク追加」 (tasks) and 「メール作成」 (email). */}
            {customer && <AddTaskButton entityType={entityType} entityId={entityId} />}
            {canWrite && entityType === 'person' && <EmailComposeButton personId={entityId} />}
            {canWrite && (
              <Button leftSection={<IconPlus size={16} />} onClick={open} data-testid="log-activity">
                {t('activities.log.button')}
              </Button>
            )}
          </Group>
        </Group>
        {customer && <RecordTasks entityType={entityType} entityId={entityId} />}
        <Group gap="xs" grow preventGrowOverflow={false} wrap="wrap">
          <MultiSelect
            label={t('activities.timeline.kindsLabel')}
            placeholder={filter.kinds.length ? undefined : t('activities.timeline.allKinds')}
            data={timelineKinds.map((k) => ({ value: k, label: t(`activities.kinds.${k}`) }))}
            value={filter.kinds}
            onChange={(kinds) => setFilter((f) => ({ ...f, kinds }))}
            clearable
            miw={200}
          />
          <Select
            label={t('activities.timeline.actorLabel')}
            placeholder={t('activities.timeline.anyone')}
            data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
            value={filter.actorId}
            onChange={(actorId) => setFilter((f) => ({ ...f, actorId }))}
            clearable
            searchable
            miw={180}
          />
        </Group>
        {timeline.isPending ? (
          <PageLoader />
        ) : timeline.error ? (
          <ErrorState error={timeline.error} onRetry={() => void timeline.refetch()} />
        ) : entries.length === 0 && filtered ? (
          <Text c="dimmed">{t('activities.timeline.emptyFiltered')}</Text>
        ) : entries.length === 0 ? (
          <EmptyState message={t('activities.timeline.empty')} icon={<IconHistory size={24} />}>
            {canWrite && (
              <Button leftSection={<IconPlus size={16} />} onClick={open}>
                {t('activities.timeline.emptyLog')}
              </Button>
            )}
          </EmptyState>
        ) : (
          <Stack gap="xs" data-testid="timeline">
            {entries.map((e) => (
              <TimelineEntryCard key={e.id} entry={e} onEdit={canWrite ? setEditing : undefined} />
            ))}
            {timeline.hasNextPage && (
              <Button variant="subtle" onClick={() => void timeline.fetchNextPage()} loading={timeline.isFetchingNextPage}>
                {t('common.loadMore')}
              </Button>
            )}
          </Stack>
        )}
      </Stack>
      {canWrite && <EditActivityModal activityId={editing} onClose={() => setEditing(null)} />}
      {canWrite && <LogActivityModal opened={opened} onClose={close} entityType={entityType} entityId={entityId} />}
    </Paper>
  );
}
