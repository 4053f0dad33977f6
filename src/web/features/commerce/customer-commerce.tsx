import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCan, useSession } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { useFormatDateTime } from '../../ui/format';
import { useMoney } from '../../ui/money';
import { type CustomerKind, type CustomerMetrics, useCrossSell, useCustomerMetrics, useOrders } from './commerce-api';
import { OrderCreateModal } from './order-create-modal';
import { StatusBadge } from './status-badge';

/** The purchase card and the cross-sell card of a person or company page. */
export function CustomerCommerce({ entityType, entityId }: { entityType: CustomerKind; entityId: string }) {
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <PurchaseCard kind={entityType} id={entityId} />
      <CrossSellCard kind={entityType} id={entityId} />
    </SimpleGrid>
  );
}

function Fact({ label, value, testId, sub }: { label: string; value: string; testId: string; sub?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600} data-testid={testId}>
        {value}
      </Text>
      {sub && (
        <Text size="xs" c="dimmed">
          {sub}
        </Text>
      )}
    </div>
  );
}

function PurchaseCard({ kind, id }: { kind: CustomerKind; id: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const money = useMoney();
  const { workspace } = useSession();
  const formatDate = useFormatDateTime();
  const [adding, setAdding] = useState(false);
  const metrics = useCustomerMetrics(kind, id);
  const orders = useOrders(kind === 'person' ? { personId: id, limit: 5 } : { companyId: id, limit: 5 });
  const m = metrics.data;
  const cur = m?.currency ?? workspace.currency;
  const recent = orders.data?.pages[0]?.data ?? [];
  return (
    <Paper withBorder p="md" data-testid="purchase-card">
      <Group justify="space-between" mb="sm">
        <Group gap="xs">
          <Title order={4}>{t('commerce.metrics.title')}</Title>
          {m?.repeatCustomer && <Badge color="teal">{t('commerce.metrics.repeat')}</Badge>}
        </Group>
        {can('records.write') && (
          <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setAdding(true)}>
            {t('commerce.orders.new')}
          </Button>
        )}
      </Group>
      {metrics.error && <ErrorAlert error={metrics.error} />}
      {m && <MetricsGrid m={m} currency={cur} money={money} formatDate={formatDate} />}
      {recent.length > 0 && (
        <Stack gap={4} mt="md">
          <Group justify="space-between">
            <Text size="sm" fw={600}>
              {t('commerce.metrics.recent')}
            </Text>
            <Anchor component={Link} to={`/orders?${kind === 'person' ? 'personId' : 'companyId'}=${id}`} size="sm">
              {t('commerce.metrics.allOrders')}
            </Anchor>
          </Group>
          <Table>
            <Table.Tbody>
              {recent.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/orders/${o.id}`} size="sm">
                      {o.orderNumber}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDate(o.orderedAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={o.status} />
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm">{money(o.total, o.currency)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
      <OrderCreateModal opened={adding} onClose={() => setAdding(false)} customer={{ kind, id }} />
    </Paper>
  );
}

function MetricsGrid({
  m,
  currency,
  money,
  formatDate,
}: {
  m: CustomerMetrics;
  currency: string;
  money: (amount: number, currency: string) => string;
  formatDate: (iso: string | null) => string;
}) {
  const { t } = useTranslation();
  if (m.purchaseCount === 0 && m.refundedTotal === 0) return <Text c="dimmed">{t('commerce.metrics.none')}</Text>;
  const since =
    m.daysSinceLastPurchase === null
      ? undefined
      : m.daysSinceLastPurchase === 0
        ? t('commerce.metrics.today')
        : t('commerce.metrics.daysSince', { count: m.daysSinceLastPurchase });
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
      <Fact label={t('commerce.metrics.count')} value={String(m.purchaseCount)} testId="metric-count" />
      <Fact label={t('commerce.metrics.total')} value={money(m.purchaseTotal, currency)} testId="metric-total" />
      <Fact
        label={t('commerce.metrics.average')}
        value={m.averageAmount === null ? t('common.none') : money(m.averageAmount, currency)}
        testId="metric-average"
      />
      <Fact
        label={t('commerce.metrics.quantity')}
        value={String(m.purchaseQuantity)}
        sub={m.averageQuantity === null ? undefined : t('commerce.metrics.averageQuantity', { value: m.averageQuantity })}
        testId="metric-quantity"
      />
      <Fact label={t('commerce.metrics.first')} value={formatDate(m.firstPurchaseAt)} testId="metric-first" />
      <Fact label={t('commerce.metrics.last')} value={formatDate(m.lastPurchaseAt)} sub={since} testId="metric-last" />
      <Fact
        label={t('commerce.metrics.ltv')}
        value={money(m.realisedValue, currency)}
        sub={m.refundedTotal ? t('commerce.metrics.refunded', { amount: money(m.refundedTotal, currency) }) : undefined}
        testId="metric-ltv"
      />
    </SimpleGrid>
  );
}

function CrossSellCard({ kind, id }: { kind: CustomerKind; id: string }) {
  const { t } = useTranslation();
  const money = useMoney();
  const suggestions = useCrossSell(kind, id);
  return (
    <Paper withBorder p="md" data-testid="cross-sell-card">
      <Title order={4}>{t('commerce.crossSell.title')}</Title>
      <Text size="xs" c="dimmed" mb="sm">
        {t('commerce.crossSell.hint')}
      </Text>
      {suggestions.error && <ErrorAlert error={suggestions.error} />}
      {suggestions.data?.length === 0 && <Text c="dimmed">{t('commerce.crossSell.empty')}</Text>}
      <Stack gap="xs">
        {suggestions.data?.map((s) => (
          <Group key={s.productId} justify="space-between" wrap="nowrap">
            <div>
              <Text size="sm" fw={600}>
                {s.name}
              </Text>
              <Text size="xs" c="dimmed">
                {s.sku} · {t('commerce.crossSell.score', { count: s.score })}
              </Text>
            </div>
            <Text size="sm">{money(s.unitPrice, s.currency)}</Text>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}
