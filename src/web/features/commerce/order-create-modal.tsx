import { ActionIcon, Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type OrderStatus, orderStatuses } from '../../../shared/contracts/commerce';
import { lineTotal } from '../../../shared/contracts/sales';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useSession } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { MoneyInput, useMoney } from '../../ui/money';
import { type CustomerKind, commerceKeys, type Order, useActiveProducts } from './commerce-api';

interface Line {
  key: number;
  productId: string | null;
  quantity: number;
  unitPrice: number | null;
}
let seq = 0;
const emptyLine = (): Line => ({ key: ++seq, productId: null, quantity: 1, unitPrice: null });
const localNow = () => {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
};

/** 注文の追加: a customer (fixed on a record page, else searched), line items from the product catalogue, status and details. */
export function OrderCreateModal({
  opened,
  onClose,
  customer,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  customer?: { kind: CustomerKind; id: string };
  onCreated?: (order: Order) => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={t('commerce.form.title')} size="xl">
      {opened && <OrderForm customer={customer} onClose={onClose} onCreated={onCreated} />}
    </Modal>
  );
}

function OrderForm({
  customer,
  onClose,
  onCreated,
}: {
  customer?: { kind: CustomerKind; id: string };
  onClose: () => void;
  onCreated?: (order: Order) => void;
}) {
  const { t } = useTranslation();
  const money = useMoney();
  const queryClient = useQueryClient();
  const { workspace } = useSession();
  const currency = workspace.currency;
  const products = useActiveProducts();
  const catalogue = (products.data?.data ?? []).filter((p) => p.currency === currency);
  const [picked, setPicked] = useState<string | null>(customer ? `${customer.kind}:${customer.id}` : null);
  const [lines, setLines] = useState<Line[]>(() => [emptyLine()]);
  const [status, setStatus] = useState<OrderStatus>('paid');
  const [orderedAt, setOrderedAt] = useState(localNow);
  const [details, setDetails] = useState({ orderNumber: '', paymentMethod: '', channel: '', store: '', note: '' });
  const update = (key: number, patch: Partial<Line>) => setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  const priceOf = (l: Line) => l.unitPrice ?? catalogue.find((p) => p.id === l.productId)?.unitPrice ?? 0;
  const total = lines.reduce((s, l) => s + (l.productId ? lineTotal({ quantity: l.quantity, unitPrice: priceOf(l) }) : 0), 0);

  const save = useMutation({
    mutationFn: () => {
      const [kind, id] = (picked ?? ':').split(':');
      return http.post<Order>('/api/v1/orders', {
        personId: kind === 'person' ? id : undefined,
        companyId: kind === 'company' ? id : undefined,
        currency,
        status,
        orderedAt: new Date(orderedAt).toISOString(),
        lines: lines.filter((l) => l.productId).map((l) => ({ productId: l.productId, quantity: l.quantity, unitPrice: priceOf(l) })),
        orderNumber: details.orderNumber.trim() || undefined,
        paymentMethod: details.paymentMethod,
        channel: details.channel,
        store: details.store,
        note: details.note,
      });
    },
    onSuccess: (order) => {
      void queryClient.invalidateQueries({ queryKey: commerceKeys.all });
      void queryClient.invalidateQueries({ queryKey: keys.people });
      void queryClient.invalidateQueries({ queryKey: keys.companies });
      notifications.show({ message: t('commerce.orders.created', { number: order.orderNumber }), color: 'green' });
      onCreated?.(order);
      onClose();
    },
  });

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack>
        {!customer && <CustomerPicker value={picked} onChange={setPicked} />}
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput
            type="datetime-local"
            label={t('commerce.form.orderedAt')}
            value={orderedAt}
            onChange={(e) => setOrderedAt(e.currentTarget.value)}
            required
          />
          <Select
            label={t('commerce.form.status')}
            data={orderStatuses.map((s) => ({ value: s, label: t(`commerce.statuses.${s}`) }))}
            value={status}
            onChange={(v) => v && setStatus(v as OrderStatus)}
            allowDeselect={false}
          />
          <TextInput
            label={t('commerce.form.orderNumber')}
            description={t('commerce.form.orderNumberHint')}
            value={details.orderNumber}
            onChange={(e) => setDetails({ ...details, orderNumber: e.currentTarget.value })}
          />
        </SimpleGrid>
        <Text fw={600}>{t('commerce.form.lines')}</Text>
        {products.isSuccess && catalogue.length === 0 && <Text c="dimmed">{t('commerce.form.noProducts', { currency })}</Text>}
        <Table.ScrollContainer minWidth={600}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('commerce.form.product')}</Table.Th>
                <Table.Th w={90}>{t('commerce.form.quantity')}</Table.Th>
                <Table.Th w={150}>{t('commerce.form.unitPrice')}</Table.Th>
                <Table.Th ta="right">{t('commerce.form.amount')}</Table.Th>
                <Table.Th w={40} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lines.map((l, i) => (
                <Table.Tr key={l.key} data-testid="order-line">
                  <Table.Td>
                    <Select
                      aria-label={`${t('commerce.form.product')} ${i + 1}`}
                      placeholder={t('commerce.form.productPlaceholder')}
                      searchable
                      data={catalogue.map((p) => ({ value: p.id, label: `${p.name} (${p.sku})` }))}
                      value={l.productId}
                      onChange={(v) => update(l.key, { productId: v, unitPrice: null })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <NumberInput
                      aria-label={`${t('commerce.form.quantity')} ${i + 1}`}
                      min={1}
                      allowDecimal={false}
                      allowNegative={false}
                      value={l.quantity}
                      onChange={(v) => update(l.key, { quantity: Math.max(1, Number(v) || 1) })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <MoneyInput
                      aria-label={`${t('commerce.form.unitPrice')} ${i + 1}`}
                      currency={currency}
                      value={l.productId ? priceOf(l) : null}
                      onChange={(v) => update(l.key, { unitPrice: v })}
                      disabled={!l.productId}
                    />
                  </Table.Td>
                  <Table.Td ta="right">
                    {l.productId ? money(lineTotal({ quantity: l.quantity, unitPrice: priceOf(l) }), currency) : ''}
                  </Table.Td>
                  <Table.Td>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={t('commerce.form.removeLine')}
                      disabled={lines.length === 1}
                      onClick={() => setLines((ls) => ls.filter((x) => x.key !== l.key))}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Group justify="space-between">
          <Button variant="subtle" leftSection={<IconPlus size={16} />} onClick={() => setLines((ls) => [...ls, emptyLine()])}>
            {t('commerce.form.addLine')}
          </Button>
          <Text fw={700} data-testid="order-form-total">
            {t('commerce.form.total')}: {money(total, currency)}
          </Text>
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput
            label={t('commerce.form.paymentMethod')}
            value={details.paymentMethod}
            onChange={(e) => setDetails({ ...details, paymentMethod: e.currentTarget.value })}
          />
          <TextInput
            label={t('commerce.form.channel')}
            value={details.channel}
            onChange={(e) => setDetails({ ...details, channel: e.currentTarget.value })}
          />
          <TextInput
            label={t('commerce.form.store')}
            value={details.store}
            onChange={(e) => setDetails({ ...details, store: e.currentTarget.value })}
          />
        </SimpleGrid>
        <TextInput
          label={t('commerce.form.note')}
          value={details.note}
          onChange={(e) => setDetails({ ...details, note: e.currentTarget.value })}
        />
        {save.error && <ErrorAlert error={save.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending} disabled={!picked || !lines.some((l) => l.productId)}>
            {t('commerce.form.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function CustomerPicker({ value, onChange }: { value: string | null; onChange: (v: string | null) => void }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const found = useQuery({
    queryKey: [...keys.people, 'order-customer-search', q],
    queryFn: () =>
      http.get<{ people: { id: string; displayName: string }[]; companies: { id: string; name: string }[] }>('/api/v1/search', {
        q,
        limit: 8,
      }),
    enabled: q.length >= 1,
  });
  const [labels, setLabels] = useState<Record<string, string>>({});
  const options = [
    ...(found.data?.people ?? []).map((p) => ({ value: `person:${p.id}`, label: p.displayName })),
    ...(found.data?.companies ?? []).map((c) => ({ value: `company:${c.id}`, label: c.name })),
  ];
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: labels[value] ?? value });
  return (
    <Select
      label={t('commerce.form.customer')}
      placeholder={t('commerce.form.customerSearch')}
      searchable
      required
      filter={({ options: o }) => o}
      data={options}
      value={value}
      searchValue={search}
      onSearchChange={setSearch}
      onChange={(v) => {
        const label = options.find((o) => o.value === v)?.label;
        if (v && label) setLabels((ls) => ({ ...ls, [v]: label }));
        onChange(v);
      }}
    />
  );
}
