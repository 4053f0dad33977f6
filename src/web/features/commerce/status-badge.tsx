import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { OrderStatus } from './commerce-api';

const colors: Record<OrderStatus, string> = {
  pending: 'gray',
  paid: 'blue',
  shipped: 'indigo',
  completed: 'green',
  cancelled: 'red',
  refunded: 'orange',
};

export function StatusBadge({ status }: { status: OrderStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={colors[status]} variant="light">
      {t(`commerce.statuses.${status}`)}
    </Badge>
  );
}
