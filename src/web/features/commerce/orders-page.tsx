import { Anchor, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { IconPlus, IconShoppingCart } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { type OrderStatus, orderStatuses } from '../../../shared/contracts/commerce';
import { useCan } from '../../app/session';
import { EmptyState } from '../../ui/empty-state';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { useMoney } from '../../ui/money';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import { useOrders } from './commerce-api';
import { OrderCreateModal } from './order-create-modal';
import { OrderImportButton } from './order-import';
import { StatusBadge } from './status-badge';
import { WebhookCard } from './webhook-card';

/** 注文一覧: newest first, keyset pages; ?personId= / ?companyId= narrow it to one customer. */
export function OrdersPage() {
  const { t } = useTranslation();
  const can = useCan();
  const money = useMoney();
  const formatDate = useFormatDateTime();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [adding, setAdding] = useState(false);
  const status = (params.get('status') as OrderStatus | null) ?? undefined;
  const orders = useOrders({ personId: params.get('personId') ?? undefined, companyId: params.get('companyId') ?? undefined, status });
  if (orders.isPending) return <PageLoader />;
  if (orders.error) return <ErrorState error={orders.error} />;
  const rows = orders.data.pages.flatMap((p) => p.data);
  return (
    <Stack>
      <PageHeader title={t('commerce.orders.title')}>
        {can('records.write') && (
          <Group>
            <OrderImportButton />
            <Button leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
              {t('commerce.orders.new')}
            </Button>
          </Group>
        )}
      </PageHeader>
      <Group>
        <Select
          aria-label={t('commerce.orders.columns.status')}
          placeholder={t('commerce.orders.anyStatus')}
          clearable
          data={orderStatuses.map((s) => ({ value: s, label: t(`commerce.statuses.${s}`) }))}
          value={status ?? null}
          onChange={(v) => {
            const next = new URLSearchParams(params);
            if (v) next.set('status', v);
            else next.delete('status');
            setParams(next);
          }}
        />
      </Group>
      {rows.length === 0 ? (
        status || params.get('personId') || params.get('companyId') ? (
          <Text c="dimmed">{t('commerce.orders.empty')}</Text>
        ) : (
          <EmptyState message={t('commerce.orders.emptyState')} icon={<IconShoppingCart size={24} />}>
            {can('records.write') && (
              <Button leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
                {t('commerce.orders.emptyAdd')}
              </Button>
            )}
          </EmptyState>
        )
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table striped highlightOnHover data-testid="orders-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('commerce.orders.columns.number')}</Table.Th>
                <Table.Th>{t('commerce.orders.columns.orderedAt')}</Table.Th>
                <Table.Th>{t('commerce.orders.columns.customer')}</Table.Th>
                <Table.Th>{t('commerce.orders.columns.status')}</Table.Th>
                <Table.Th ta="right">{t('commerce.orders.columns.total')}</Table.Th>
                <Table.Th ta="right">{t('commerce.orders.columns.quantity')}</Table.Th>
                <Table.Th>{t('commerce.orders.columns.channel')}</Table.Th>
                <Table.Th>{t('commerce.orders.columns.store')}</Table.Th>
                <Table.Th>{t('commerce.orders.columns.source')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/orders/${o.id}`}>
                      {o.orderNumber}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{formatDate(o.orderedAt)}</Table.Td>
                  <Table.Td>
                    {o.personId ? (
                      <Anchor component={Link} to={`/people/${o.personId}`}>
                        {o.customerName}
                      </Anchor>
                    ) : o.companyId ? (
                      <Anchor component={Link} to={`/companies/${o.companyId}`}>
                        {o.customerName}
                      </Anchor>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={o.status} />
                  </Table.Td>
                  <Table.Td ta="right">{money(o.total, o.currency)}</Table.Td>
                  <Table.Td ta="right">{o.quantity}</Table.Td>
                  <Table.Td>{o.channel}</Table.Td>
                  <Table.Td>{o.store}</Table.Td>
                  <Table.Td>{t(`commerce.sources.${o.source}`)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {orders.hasNextPage && (
        <Button variant="default" w="fit-content" loading={orders.isFetchingNextPage} onClick={() => void orders.fetchNextPage()}>
          {t('commerce.orders.loadMore')}
        </Button>
      )}
      {can('workspace.manage') && <WebhookCard />}
      <OrderCreateModal opened={adding} onClose={() => setAdding(false)} onCreated={(o) => navigate(`/orders/${o.id}`)} />
    </Stack>
  );
}
