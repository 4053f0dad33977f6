import { Button, Group, MultiSelect, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { timelineKinds } from '../../../shared/contracts/activities';
import { ErrorState } from '../../ui/error-state';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import { useUsers } from '../customers/customers-api';
import { type FeedEntry, type TimelineFilter, useFeed } from './activities-api';
import { TimelineEntryCard } from './timeline-entry';

const recordPath = (e: FeedEntry) =>
  e.entityType === 'person' ? `/people/${e.entityId}` : e.entityType === 'company' ? `/companies/${e.entityId}` : null;

/** チームフィード: the team's activity as it happens (realtime), by member and kind. */
export function FeedPage() {
  const { t } = useTranslation();
  const users = useUsers();
  const [filter, setFilter] = useState<TimelineFilter>({ kinds: [], actorId: null });
  const feed = useFeed(filter);
  const entries = feed.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Stack>
      <PageHeader title={t('activities.feed.title')} />
      <Text c="dimmed" size="sm" mt={-12}>
        {t('activities.feed.intro')}
      </Text>
      <Group gap="xs" wrap="wrap" align="flex-end">
        <Select
          label={t('activities.feed.member')}
          placeholder={t('activities.feed.anyone')}
          data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
          value={filter.actorId}
          onChange={(actorId) => setFilter((f) => ({ ...f, actorId }))}
          clearable
          searchable
          w={220}
          data-testid="feed-member"
        />
        <MultiSelect
          label={t('activities.feed.kinds')}
          data={timelineKinds.map((k) => ({ value: k, label: t(`activities.kinds.${k}`) }))}
          placeholder={filter.kinds.length ? undefined : t('activities.timeline.allKinds')}
          value={filter.kinds}
          onChange={(kinds) => setFilter((f) => ({ ...f, kinds }))}
          clearable
          miw={240}
          data-testid="feed-kinds"
        />
      </Group>
      {feed.isPending ? (
        <PageLoader />
      ) : feed.error ? (
        <ErrorState error={feed.error} onRetry={() => void feed.refetch()} />
      ) : entries.length === 0 ? (
        <Text c="dimmed">{t('activities.feed.empty')}</Text>
      ) : (
        <Stack gap="xs" data-testid="feed">
          {entries.map((e) => {
            const to = recordPath(e);
            return <TimelineEntryCard key={e.id} entry={e} recordLink={to ? { label: e.entityLabel ?? '…', to } : undefined} />;
          })}
          {feed.hasNextPage && (
            <Button variant="subtle" onClick={() => void feed.fetchNextPage()} loading={feed.isFetchingNextPage}>
              {t('common.loadMore')}
            </Button>
          )}
        </Stack>
      )}
    </Stack>
  );
}
