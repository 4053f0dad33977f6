import { useTranslation } from 'react-i18next';
import { useSession } from '../app/session';

/** Date-time in the user's language and the workspace's time zone (stored UTC, shown local). */
export function useFormatDateTime(): (iso: string | null | undefined) => string {
  const { i18n, t } = useTranslation();
  const { workspace } = useSession();
  const fmt = new Intl.DateTimeFormat(i18n.resolvedLanguage === 'en' ? 'en-US' : 'ja-JP', {
    timeZone: workspace.timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  return (iso) => (iso ? fmt.format(new Date(iso)) : t('common.none'));
}
