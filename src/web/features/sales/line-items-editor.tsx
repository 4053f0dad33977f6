import { ActionIcon, Button, Group, NumberInput, Select, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type LineItem, lineTotal } from '../../../shared/contracts/sales';
import { ErrorAlert } from '../../ui/error-alert';
import { MoneyInput, useMoney } from '../../ui/money';
import { type DealDetail, put, salesKeys, useProducts } from './sales-api';

interface Row {
  key: number;
  productId: string | null;
  name: string;
  quantity: number;
  unitPrice: number | null;
  discountType: 'amount' | 'percent' | null;
  /** amount: minor units; percent: basis points */
  discountValue: number;
  unitCost: number | null;
}

let seq = 0;
const fromItem = (i: LineItem): Row => ({
  key: ++seq,
  productId: i.productId,
  name: i.name,
  quantity: i.quantity,
  unitPrice: i.unitPrice,
  discountType: i.discountType,
  discountValue: i.discountValue,
  unitCost: i.unitCost,
});

/** 商品明細: products or free lines, quantity, unit price, discount (amount or %); totals computed like the server does. */
export function LineItemsEditor({ deal, readOnly }: { deal: DealDetail; readOnly: boolean }) {
  const { t } = useTranslation();
  const money = useMoney();
  const queryClient = useQueryClient();
  const products = useProducts({ active: true });
  const [rows, setRows] = useState<Row[]>(() => deal.lineItems.map(fromItem));
  const catalogue = (products.data?.data ?? []).filter((p) => p.currency === deal.currency);
  const update = (key: number, patch: Partial<Row>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const total = rows.reduce((sum, r) => sum + lineTotal({ ...r, unitPrice: r.unitPrice ?? 0 }), 0);
  const cost = rows.every((r) => r.unitCost !== null) ? rows.reduce((sum, r) => sum + (r.unitCost ?? 0) * r.quantity, 0) : null;
  const save = useMutation({
    mutationFn: () =>
      put<DealDetail>(`/api/v1/deals/${deal.id}/line-items`, {
        version: deal.version,
        items: rows.map((r) => ({
          productId: r.productId,
          name: r.name || undefined,
          quantity: r.quantity,
          unitPrice: r.unitPrice ?? undefined,
          discountType: r.discountType,
          discountValue: r.discountType ? r.discountValue : 0,
        })),
      }),
    onSuccess: (d) => {
      queryClient.setQueryData(salesKeys.deal(deal.id), d);
      void queryClient.invalidateQueries({ queryKey: salesKeys.all });
      notifications.show({ message: t('common.saved'), color: 'green' });
    },
  });

  return (
    <>
      {rows.length === 0 && <Text c="dimmed">{t('sales.deals.lines.empty')}</Text>}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={900}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('sales.deals.lines.product')}</Table.Th>
                <Table.Th>{t('sales.deals.lines.name')}</Table.Th>
                <Table.Th w={90}>{t('sales.deals.lines.quantity')}</Table.Th>
                <Table.Th w={150}>{t('sales.deals.lines.unitPrice')}</Table.Th>
                <Table.Th w={230}>{t('sales.deals.lines.discount')}</Table.Th>
                <Table.Th ta="right">{t('sales.deals.lines.lineTotal')}</Table.Th>
                <Table.Th w={40} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r, i) => (
                <Table.Tr key={r.key}>
                  <Table.Td>
                    <Select
                      aria-label={t('sales.deals.lines.product')}
                      data={catalogue.map((p) => ({ value: p.id, label: `${p.sku} ${p.name}` }))}
                      value={r.productId}
                      searchable
                      clearable
                      disabled={readOnly}
                      onChange={(id) => {
                        const p = catalogue.find((x) => x.id === id);
                        update(r.key, {
                          productId: id,
                          name: p?.name ?? r.name,
                          unitPrice: p?.unitPrice ?? r.unitPrice,
                          unitCost: p?.cost ?? null,
                        });
                      }}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={t('sales.deals.lines.name')}
                      value={r.name}
                      disabled={readOnly}
                      onChange={(e) => update(r.key, { name: e.currentTarget.value })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <NumberInput
                      aria-label={t('sales.deals.lines.quantity')}
                      value={r.quantity}
                      min={1}
                      allowDecimal={false}
                      disabled={readOnly}
                      onChange={(v) => update(r.key, { quantity: Math.max(1, Math.trunc(Number(v) || 1)) })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <MoneyInput
                      aria-label={t('sales.deals.lines.unitPrice')}
                      value={r.unitPrice}
                      currency={deal.currency}
                      disabled={readOnly}
                      onChange={(v) => update(r.key, { unitPrice: v })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Select
                        aria-label={t('sales.deals.lines.discount')}
                        w={100}
                        data={[
                          { value: 'none', label: t('sales.deals.lines.discountNone') },
                          { value: 'amount', label: t('sales.deals.lines.discountAmount') },
                          { value: 'percent', label: t('sales.deals.lines.discountPercent') },
                        ]}
                        value={r.discountType ?? 'none'}
                        allowDeselect={false}
                        disabled={readOnly}
                        onChange={(v) =>
                          update(r.key, { discountType: v === 'none' ? null : (v as 'amount' | 'percent'), discountValue: 0 })
                        }
                      />
                      {r.discountType === 'percent' && (
                        <NumberInput
                          aria-label={t('sales.deals.lines.discountPercent')}
                          value={r.discountValue / 100}
                          min={0}
                          max={100}
                          decimalScale={2}
                          disabled={readOnly}
                          onChange={(v) => update(r.key, { discountValue: Math.round(Number(v || 0) * 100) })}
                        />
                      )}
                      {r.discountType === 'amount' && (
                        <MoneyInput
                          aria-label={t('sales.deals.lines.discountAmount')}
                          value={r.discountValue}
                          currency={deal.currency}
                          disabled={readOnly}
                          onChange={(v) => update(r.key, { discountValue: v ?? 0 })}
                        />
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right">{money(lineTotal({ ...r, unitPrice: r.unitPrice ?? 0 }), deal.currency)}</Table.Td>
                  <Table.Td>
                    {!readOnly && (
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={t('sales.deals.lines.remove', { n: i + 1 })}
                        onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Group justify="space-between" mt="sm">
        {!readOnly ? (
          <Button
            variant="default"
            leftSection={<IconPlus size={16} />}
            onClick={() =>
              setRows((rs) => [
                ...rs,
                {
                  key: ++seq,
                  productId: null,
                  name: '',
                  quantity: 1,
                  unitPrice: null,
                  discountType: null,
                  discountValue: 0,
                  unitCost: null,
                },
              ])
            }
          >
            {t('sales.deals.lines.add')}
          </Button>
        ) : (
          <span />
        )}
        <Group>
          {rows.length > 0 && (
            <Text fw={700}>
              {t('sales.deals.lines.total')} {money(total, deal.currency)}
            </Text>
          )}
          {cost !== null && rows.length > 0 && (
            <Text c="dimmed">
              {t('sales.deals.lines.profit')} {money(total - cost, deal.currency)}
            </Text>
          )}
          {!readOnly && (rows.length > 0 || deal.hasLineItems) && (
            <Button onClick={() => save.mutate()} loading={save.isPending}>
              {t('sales.deals.lines.save')}
            </Button>
          )}
        </Group>
      </Group>
      <ErrorAlert error={save.error} />
    </>
  );
}
