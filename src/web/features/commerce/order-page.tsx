import { Anchor, Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { type OrderStatus, orderStatuses } from '../../../shared/contracts/commerce';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useCan } from '../../app/session';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { MoneyInput, useMoney } from '../../ui/money';
import { PageLoader } from '../../ui/page-loader';
import { commerceKeys, type Order, useOrder } from './commerce-api';
import { StatusBadge } from './status-badge';

/** 注文詳細: lines and details; status and refund can change (the customer's metrics follow). */
export function OrderPage() {
  const { id = '' } = useParams();
  const order = useOrder(id);
  if (order.isPending) return <PageLoader />;
  if (order.error) return <ErrorState error={order.error} />;
  return <OrderView key={order.data.version} order={order.data} />;
}

function OrderView({ order: o }: { order: Order }) {
  const { t } = useTranslation();
  const can = useCan();
  const money = useMoney();
  const formatDate = useFormatDateTime();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<OrderStatus>(o.status);
  const [refunded, setRefunded] = useState<number | null>(o.refundedAmount);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: commerceKeys.all });
    void queryClient.invalidateQueries({ queryKey: keys.people });
    void queryClient.invalidateQueries({ queryKey: keys.companies });
  };
  const update = useMutation({
    mutationFn: () =>
      http.patch<Order>(`/api/v1/orders/${o.id}`, {
        version: o.version,
        status,
        refundedAmount: status === 'refunded' && refunded === o.refundedAmount ? undefined : (refunded ?? 0),
      }),
    onSuccess: (next) => {
      queryClient.setQueryData(commerceKeys.order(o.id), next);
      refresh();
      notifications.show({ message: t('commerce.order.updated'), color: 'green' });
    },
  });
  const remove = useMutation({
    mutationFn: () => http.delete(`/api/v1/orders/${o.id}`),
    onSuccess: () => {
      refresh();
      notifications.show({ message: t('commerce.order.deleted'), color: 'green' });
      navigate('/orders');
    },
  });
  const customerLink = o.personId ? `/people/${o.personId}` : `/companies/${o.companyId}`;
  const fact = (label: string, value: string | null) => (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text>{value || t('common.none')}</Text>
    </div>
  );
  return (
    <Stack>
      <Anchor component={Link} to="/orders" size="sm">
        ← {t('commerce.order.back')}
      </Anchor>
      <Group justify="space-between">
        <Group>
          <Title order={2}>{t('commerce.order.title', { number: o.orderNumber })}</Title>
          <StatusBadge status={o.status} />
        </Group>
        <Text fw={700} size="xl" data-testid="order-total">
          {money(o.total, o.currency)}
        </Text>
      </Group>
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <div>
            <Text size="xs" c="dimmed">
              {t('commerce.orders.columns.customer')}
            </Text>
            <Anchor component={Link} to={customerLink}>
              {o.customerName}
            </Anchor>
          </div>
          {fact(t('commerce.orders.columns.orderedAt'), formatDate(o.orderedAt))}
          {fact(t('commerce.form.paymentMethod'), o.paymentMethod)}
          {fact(t('commerce.form.channel'), o.channel)}
          {fact(t('commerce.form.store'), o.store)}
          {fact(t('commerce.order.source'), t(`commerce.sources.${o.source}`))}
          {fact(t('commerce.order.externalId'), o.externalId)}
          {fact(t('commerce.order.refundedAmount'), money(o.refundedAmount, o.currency))}
        </SimpleGrid>
        {o.note && <Text mt="sm">{o.note}</Text>}
      </Paper>
      <Table.ScrollContainer minWidth={600}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('commerce.form.sku')}</Table.Th>
              <Table.Th>{t('commerce.form.product')}</Table.Th>
              <Table.Th ta="right">{t('commerce.form.quantity')}</Table.Th>
              <Table.Th ta="right">{t('commerce.form.unitPrice')}</Table.Th>
              <Table.Th ta="right">{t('commerce.form.amount')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {o.lines?.map((l) => (
              <Table.Tr key={l.position}>
                <Table.Td>{l.sku}</Table.Td>
                <Table.Td>{l.name}</Table.Td>
                <Table.Td ta="right">{l.quantity}</Table.Td>
                <Table.Td ta="right">{money(l.unitPrice, o.currency)}</Table.Td>
                <Table.Td ta="right">{money(l.amount, o.currency)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {can('records.write') && (
        <Paper withBorder p="md">
          <Group align="flex-end">
            <Select
              label={t('commerce.form.status')}
              data={orderStatuses.map((s) => ({ value: s, label: t(`commerce.statuses.${s}`) }))}
              value={status}
              onChange={(v) => v && setStatus(v as OrderStatus)}
              allowDeselect={false}
            />
            <MoneyInput
              label={t('commerce.order.refundedAmount')}
              currency={o.currency}
              value={refunded}
              onChange={setRefunded}
              max={o.total}
            />
            <Button onClick={() => update.mutate()} loading={update.isPending}>
              {t('commerce.order.update')}
            </Button>
            {can('records.delete') && (
              <ConfirmButton
                message={t('commerce.order.confirmDelete', { number: o.orderNumber })}
                confirmLabel={t('commerce.order.delete')}
                onConfirm={() => remove.mutate()}
                loading={remove.isPending}
              >
                {t('commerce.order.delete')}
              </ConfirmButton>
            )}
          </Group>
          {update.error && <ErrorAlert error={update.error} />}
          {remove.error && <ErrorAlert error={remove.error} />}
        </Paper>
      )}
    </Stack>
  );
}
