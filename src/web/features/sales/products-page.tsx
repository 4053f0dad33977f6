import { Badge, Button, Checkbox, Group, Modal, Select, SimpleGrid, Stack, Switch, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { CURRENCIES, MoneyInput, useMoney } from '../../ui/money';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import { type Product, salesKeys, useProducts } from './sales-api';

/** 商品: the catalogue used by deal line items; price and cost give the margin. */
export function ProductsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const money = useMoney();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [showInactive, setShowInactive] = useState(false);
  const [editing, setEditing] = useState<Product | 'new' | null>(null);
  const products = useProducts({ q: q || undefined, active: showInactive ? undefined : true });
  return (
    <Stack>
      <PageHeader title={t('sales.products.title')}>
        {can('records.write') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            {t('sales.products.new')}
          </Button>
        )}
      </PageHeader>
      <Group>
        <TextInput
          aria-label={t('sales.products.search')}
          placeholder={t('sales.products.search')}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={300}
        />
        <Checkbox
          label={t('sales.products.showInactive')}
          checked={showInactive}
          onChange={(e) => setShowInactive(e.currentTarget.checked)}
        />
      </Group>
      {products.isPending ? (
        <PageLoader />
      ) : products.error ? (
        <ErrorState error={products.error} onRetry={() => void products.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('sales.products.field.sku')}</Table.Th>
                <Table.Th>{t('sales.products.field.name')}</Table.Th>
                <Table.Th>{t('sales.products.field.category')}</Table.Th>
                <Table.Th ta="right">{t('sales.products.field.unitPrice')}</Table.Th>
                <Table.Th ta="right">{t('sales.products.field.cost')}</Table.Th>
                <Table.Th ta="right">{t('sales.products.field.margin')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {products.data.data.map((p) => (
                <Table.Tr
                  key={p.id}
                  style={{ cursor: can('records.write') ? 'pointer' : undefined }}
                  onClick={() => can('records.write') && setEditing(p)}
                >
                  <Table.Td>{p.sku}</Table.Td>
                  <Table.Td>
                    {p.name}{' '}
                    {!p.active && (
                      <Badge color="gray" variant="light">
                        {t('sales.products.inactive')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{p.category ?? ''}</Table.Td>
                  <Table.Td ta="right">{money(p.unitPrice, p.currency)}</Table.Td>
                  <Table.Td ta="right">{p.cost === null ? '' : money(p.cost, p.currency)}</Table.Td>
                  <Table.Td ta="right">{p.margin === null ? '' : money(p.margin, p.currency)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {products.data.data.length === 0 && (
            <Text c="dimmed" ta="center" py="md">
              {t('sales.products.empty')}
            </Text>
          )}
        </Table.ScrollContainer>
      )}
      {editing && <ProductModal product={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function ProductModal({ product, onClose }: { product: Product | null; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [sku, setSku] = useState(product?.sku ?? '');
  const [name, setName] = useState(product?.name ?? '');
  const [category, setCategory] = useState(product?.category ?? '');
  const [description, setDescription] = useState(product?.description ?? '');
  const [unitPrice, setUnitPrice] = useState<number | null>(product?.unitPrice ?? null);
  const [cost, setCost] = useState<number | null>(product?.cost ?? null);
  const [currency, setCurrency] = useState(product?.currency ?? 'JPY');
  const [active, setActive] = useState(product?.active ?? true);
  const save = useMutation({
    mutationFn: () => {
      const body = {
        sku,
        name,
        category: category || null,
        description: description || null,
        unitPrice: unitPrice ?? 0,
        cost,
        currency,
        active,
      };
      return product
        ? http.patch<Product>(`/api/v1/products/${product.id}`, { version: product.version, ...body })
        : http.post<Product>('/api/v1/products', body);
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: salesKeys.products });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t(product ? 'sales.products.edit' : 'sales.products.new')} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <SimpleGrid cols={2}>
            <TextInput
              label={t('sales.products.field.sku')}
              value={sku}
              onChange={(e) => setSku(e.currentTarget.value)}
              required
              data-autofocus
            />
            <TextInput label={t('sales.products.field.category')} value={category} onChange={(e) => setCategory(e.currentTarget.value)} />
          </SimpleGrid>
          <TextInput label={t('sales.products.field.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <SimpleGrid cols={3}>
            <MoneyInput
              label={t('sales.products.field.unitPrice')}
              value={unitPrice}
              onChange={setUnitPrice}
              currency={currency}
              required
            />
            <MoneyInput label={t('sales.products.field.cost')} value={cost} onChange={setCost} currency={currency} />
            <Select
              label={t('sales.products.field.currency')}
              data={CURRENCIES}
              value={currency}
              onChange={(v) => setCurrency(v ?? currency)}
              allowDeselect={false}
            />
          </SimpleGrid>
          <Textarea
            label={t('sales.products.field.description')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          <Switch label={t('sales.products.field.active')} checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
          <ErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
