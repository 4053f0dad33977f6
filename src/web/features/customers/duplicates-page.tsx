import { Button, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ErrorState } from '../../ui/error-state';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import type { EntityType } from './customers-api';
import { type DuplicatePair, DuplicatePairCard } from './duplicate-pair';

/** 重複チェック: the open suspected pairs, newest first. */
export function DuplicatesPage() {
  const { t } = useTranslation();
  const [entity, setEntity] = useState<EntityType>('person');
  const pairs = useInfiniteQuery({
    queryKey: [...keys.duplicates, entity, 'open', 'pages'],
    queryFn: ({ pageParam }) =>
      http.get<{ data: DuplicatePair[]; nextCursor: string | null }>('/api/v1/duplicates', {
        entityType: entity,
        status: 'open',
        cursor: pageParam,
        limit: 20,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = pairs.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <>
      <PageHeader title={t('customers.duplicates.title')}>
        <SegmentedControl
          value={entity}
          onChange={(v) => setEntity(v as EntityType)}
          data={[
            { value: 'person', label: t('customers.people') },
            { value: 'company', label: t('customers.companies') },
          ]}
        />
      </PageHeader>
      {pairs.isPending && <PageLoader />}
      {pairs.error && <ErrorState error={pairs.error} onRetry={() => void pairs.refetch()} />}
      {pairs.isSuccess && rows.length === 0 && <Text c="dimmed">{t('customers.record.noDuplicates')}</Text>}
      <Stack>
        {rows.map((pair) => (
          <DuplicatePairCard key={pair.id} pair={pair} />
        ))}
      </Stack>
      {pairs.hasNextPage && (
        <Group justify="center" p="sm">
          <Button variant="default" loading={pairs.isFetchingNextPage} onClick={() => void pairs.fetchNextPage()}>
            {t('common.loadMore')}
          </Button>
        </Group>
      )}
    </>
  );
}
