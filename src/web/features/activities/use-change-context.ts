import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { useTeams } from '../accounts/accounts-api';
import { useCustomFields, useUsers } from '../customers/customers-api';
import type { ChangeContext } from './change-format';

/** The names, zone and currency that change values are shown with (users, teams, the record's custom fields). */
export function useChangeContext(entityType: string): ChangeContext {
  const { t, i18n } = useTranslation();
  const { workspace } = useSession();
  const users = useUsers();
  const teams = useTeams();
  const custom = useCustomFields(entityType === 'company' ? 'company' : 'person');
  return {
    t,
    lang: i18n.resolvedLanguage === 'en' ? 'en' : 'ja',
    timeZone: workspace.timeZone,
    currency: workspace.currency,
    userName: (id) => users.data?.find((u) => u.id === id)?.name,
    teamName: (id) => teams.data?.find((x) => x.id === id)?.name,
    customField: (key) => custom.data?.find((f) => f.key === key),
  };
}
