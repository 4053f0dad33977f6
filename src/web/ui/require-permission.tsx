import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Permission } from '../../shared/permissions';
import { useCan } from '../app/session';
import { MessagePage } from './message-page';

/** Shows its children only with one of the permissions; the server enforces the same rule on every request. */
export function RequirePermission({ anyOf, children }: { anyOf: Permission[]; children: ReactNode }) {
  const { t } = useTranslation();
  const can = useCan();
  if (!anyOf.some(can)) return <MessagePage title={t('errors.forbiddenTitle')} message={t('errors.forbidden')} />;
  return children;
}
