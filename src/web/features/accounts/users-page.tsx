import { Tabs } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useCan } from '../../app/session';
import { PageHeader } from '../../ui/page-header';
import { RequireTwoFactorSwitch } from '../security/require-two-factor-switch';
import { InvitationsPanel } from './invitations-panel';
import { TeamsPanel } from './teams-panel';
import { UsersTable } from './users-table';

const tabs = ['users', 'invitations', 'teams'] as const;
type Tab = (typeof tabs)[number];

export function UsersPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const canManageUsers = can('users.manage');
  const visible = tabs.filter((tab) => tab !== 'invitations' || canManageUsers);
  const requested = params.get('tab') as Tab | null;
  const tab: Tab = requested && visible.includes(requested) ? requested : 'users';

  return (
    <>
      <PageHeader title={t('users.title')} />
      <Tabs
        value={tab}
        onChange={(v) =>
          setParams((p) => {
            p.set('tab', v ?? 'users');
            return p;
          })
        }
        keepMounted={false}
      >
        <Tabs.List mb="md">
          {visible.map((v) => (
            <Tabs.Tab key={v} value={v}>
              {t(`users.tabs.${v}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="users">
          {can('workspace.manage') && <RequireTwoFactorSwitch />}
          <UsersTable />
        </Tabs.Panel>
        {canManageUsers && (
          <Tabs.Panel value="invitations">
            <InvitationsPanel />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="teams">
          <TeamsPanel />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
