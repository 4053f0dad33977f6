import { Anchor, Badge, Button, Table, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { http } from '../../app/api-client';
import { ErrorState } from '../../ui/error-state';
import { useMoney } from '../../ui/money';
import { PageLoader } from '../../ui/page-loader';
import { useUsers } from '../customers/customers-api';
import { type BoardScope, type Deal, salesKeys, scopeQuery } from './sales-api';

/** The board's deals as a table (same pipeline and filters), paged by cursor. */
export function DealsTable({ pipelineId, scope }: { pipelineId: string; scope: BoardScope }) {
  const { t } = useTranslation();
  const money = useMoney();
  const users = useUsers();
  const userName = (id: string | null) => users.data?.find((u) => u.id === id)?.name ?? '';
  const deals = useInfiniteQuery({
    queryKey: [...salesKeys.deals, pipelineId, scope],
    queryFn: ({ pageParam }) =>
      http.get<{ data: Deal[]; nextCursor: string | null }>('/api/v1/deals', {
        pipelineId,
        ...scopeQuery(scope),
        sort: '-updatedAt',
        limit: 50,
        cursor: pageParam,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (deals.isPending) return <PageLoader />;
  if (deals.error) return <ErrorState error={deals.error} onRetry={() => void deals.refetch()} />;
  const rows = deals.data.pages.flatMap((p) => p.data);
  return (
    <>
      <Table.ScrollContainer minWidth={800}>
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('sales.deals.col.title')}</Table.Th>
              <Table.Th>{t('sales.deals.col.stage')}</Table.Th>
              <Table.Th ta="right">{t('sales.deals.col.amount')}</Table.Th>
              <Table.Th ta="right">{t('sales.deals.col.weighted')}</Table.Th>
              <Table.Th>{t('sales.deals.col.closeDate')}</Table.Th>
              <Table.Th>{t('sales.deals.col.company')}</Table.Th>
              <Table.Th>{t('sales.deals.col.owner')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/deals/${d.id}`}>
                    {d.title}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={d.status === 'won' ? 'green' : d.status === 'lost' ? 'gray' : 'blue'}>
                    {d.stageName} {d.probability}%
                  </Badge>
                </Table.Td>
                <Table.Td ta="right">{money(d.amount, d.currency)}</Table.Td>
                <Table.Td ta="right">{money(d.weightedAmount, d.currency)}</Table.Td>
                <Table.Td>{d.expectedCloseDate ?? ''}</Table.Td>
                <Table.Td>{d.company?.name ?? ''}</Table.Td>
                <Table.Td>{userName(d.ownerId)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {rows.length === 0 && (
        <Text c="dimmed" ta="center" py="lg">
          {t('sales.deals.empty')}
        </Text>
      )}
      {deals.hasNextPage && (
        <Button variant="subtle" onClick={() => void deals.fetchNextPage()} loading={deals.isFetchingNextPage}>
          {t('sales.deals.loadMore')}
        </Button>
      )}
    </>
  );
}
