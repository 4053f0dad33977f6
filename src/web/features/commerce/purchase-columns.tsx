import { Badge, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { useSession } from '../../app/session';
import { useMoney } from '../../ui/money';
import type { CustomerKind, CustomerMetrics } from './commerce-api';

/** A list column of the people/companies lists (the shape of the customers list's columns). */
interface ListColumn<T> {
  key: string;
  label: string;
  sort?: string;
  render: (row: T) => ReactNode;
  width?: number;
}

type MetricKey =
  | 'purchaseCount'
  | 'purchaseTotal'
  | 'averageOrderValue'
  | 'purchaseQuantity'
  | 'firstPurchaseAt'
  | 'lastPurchaseAt'
  | 'daysSinceLastPurchase'
  | 'repeatCustomer'
  | 'ltv';

/** Column keys are the list's metric fields (filter, sort and saved views use the same names). */
const METRIC_COLUMNS: { key: MetricKey; width: number }[] = [
  { key: 'purchaseCount', width: 110 },
  { key: 'purchaseTotal', width: 130 },
  { key: 'averageOrderValue', width: 130 },
  { key: 'purchaseQuantity', width: 110 },
  { key: 'firstPurchaseAt', width: 130 },
  { key: 'lastPurchaseAt', width: 130 },
  { key: 'daysSinceLastPurchase', width: 130 },
  { key: 'repeatCustomer', width: 110 },
  { key: 'ltv', width: 130 },
];

/**
 * The purchase metrics as optional list columns (hidden until chosen in the column menu), sortable by the
 * server's metric fields. Cells read the metrics of the rows in view, batched into one request.
 */
export function purchaseColumns<T extends { id: string }>(kind: CustomerKind): ListColumn<T>[] {
  return METRIC_COLUMNS.map(({ key, width }) => ({
    key,
    label: `commerce.fields.${key}`,
    sort: key,
    width,
    render: (row: T) => <MetricCell kind={kind} id={row.id} metric={key} />,
  }));
}

// Cells rendered in the same tick ask for their customers together: one GET per batch of up to 200 ids.
const MAX_IDS = 200;
const queues: Record<CustomerKind, Map<string, Array<(m: CustomerMetrics | null, err?: unknown) => void>>> = {
  person: new Map(),
  company: new Map(),
};
const scheduled: Record<CustomerKind, boolean> = { person: false, company: false };

function loadMetrics(kind: CustomerKind, id: string) {
  return new Promise<CustomerMetrics | null>((resolve, reject) => {
    const queue = queues[kind];
    const waiting = queue.get(id) ?? [];
    waiting.push((m, err) => (err ? reject(err) : resolve(m)));
    queue.set(id, waiting);
    if (scheduled[kind]) return;
    scheduled[kind] = true;
    setTimeout(() => {
      scheduled[kind] = false;
      const all = [...queue.entries()];
      queue.clear();
      for (let i = 0; i < all.length; i += MAX_IDS) {
        const part = all.slice(i, i + MAX_IDS);
        http
          .get<{ data: Record<string, CustomerMetrics> }>('/api/v1/commerce/metrics', {
            entityType: kind,
            ids: part.map(([k]) => k).join(','),
          })
          .then(
            (r) => {
              for (const [k, cbs] of part) for (const cb of cbs) cb(r.data[k] ?? null);
            },
            (err) => {
              for (const [, cbs] of part) for (const cb of cbs) cb(null, err);
            },
          );
      }
    }, 10);
  });
}

function MetricCell({ kind, id, metric }: { kind: CustomerKind; id: string; metric: MetricKey }) {
  const { t, i18n } = useTranslation();
  const { workspace } = useSession();
  const money = useMoney();
  // Under the ['commerce'] key: an order change anywhere refreshes the cells.
  const q = useQuery({ queryKey: ['commerce', 'list-metrics', kind, id], queryFn: () => loadMetrics(kind, id), staleTime: 30_000 });
  const m = q.data;
  if (!m) return null;
  const currency = m.currency ?? workspace.currency;
  const date = (iso: string | null) =>
    iso
      ? new Intl.DateTimeFormat(i18n.resolvedLanguage === 'en' ? 'en-US' : 'ja-JP', {
          timeZone: workspace.timeZone,
          dateStyle: 'medium',
        }).format(new Date(iso))
      : null;
  const num = (n: number) => n.toLocaleString(i18n.resolvedLanguage === 'en' ? 'en-US' : 'ja-JP');
  const text = (v: ReactNode) => (
    <Text size="sm" ta="right" data-testid={`metric-cell-${metric}`}>
      {v}
    </Text>
  );
  switch (metric) {
    case 'purchaseCount':
      return text(num(m.purchaseCount));
    case 'purchaseQuantity':
      return text(num(m.purchaseQuantity));
    case 'purchaseTotal':
      return text(money(m.purchaseTotal, currency));
    case 'averageOrderValue':
      return text(m.averageAmount === null ? null : money(m.averageAmount, currency));
    case 'ltv':
      return text(money(m.realisedValue, currency));
    case 'firstPurchaseAt':
      return text(date(m.firstPurchaseAt));
    case 'lastPurchaseAt':
      return text(date(m.lastPurchaseAt));
    case 'daysSinceLastPurchase':
      return text(m.daysSinceLastPurchase === null ? null : t('commerce.metrics.daysSince', { count: m.daysSinceLastPurchase }));
    case 'repeatCustomer':
      return m.repeatCustomer ? (
        <Badge size="sm" variant="light" color="teal" data-testid="metric-cell-repeatCustomer">
          {t('commerce.fields.repeatCustomer')}
        </Badge>
      ) : null;
  }
}
