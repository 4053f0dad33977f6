import { useTranslation } from 'react-i18next';
import { MessagePage } from './message-page';

export function NotFound() {
  const { t } = useTranslation();
  return <MessagePage title={t('errors.notFoundTitle')} message={t('errors.notFound')} />;
}
