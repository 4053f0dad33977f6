import { Tabs } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useCan } from '../../app/session';
import { PageHeader } from '../../ui/page-header';
import { TasksSettingsCard } from '../activities/tasks-settings-card';
import { SecurityPanel } from '../security/security-panel';
import { ApiTokensPanel } from './api-tokens-panel';
import { PasswordForm } from './password-form';
import { ProfileForm } from './profile-form';
import { WorkspaceForm } from './workspace-form';

export function SettingsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const visible = [
    'profile',
    'password',
    'security',
    'notifications',
    ...(can('tokens.own') ? ['tokens'] : []),
    ...(can('workspace.manage') ? ['workspace'] : []),
  ];
  const requested = params.get('tab') ?? 'profile';
  const tab = visible.includes(requested) ? requested : 'profile';

  return (
    <>
      <PageHeader title={t('settings.title')} />
      <Tabs value={tab} onChange={(v) => setParams({ tab: v ?? 'profile' })} keepMounted={false}>
        <Tabs.List mb="md">
          {visible.map((v) => (
            <Tabs.Tab key={v} value={v}>
              {t(`settings.tabs.${v}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="profile">
          <ProfileForm />
        </Tabs.Panel>
        <Tabs.Panel value="password">
          <PasswordForm />
        </Tabs.Panel>
        <Tabs.Panel value="security">
          <SecurityPanel />
        </Tabs.Panel>
        <Tabs.Panel value="notifications">
          <TasksSettingsCard />
        </Tabs.Panel>
        {can('tokens.own') && (
          <Tabs.Panel value="tokens">
            <ApiTokensPanel />
          </Tabs.Panel>
        )}
        {can('workspace.manage') && (
          <Tabs.Panel value="workspace">
            <WorkspaceForm />
          </Tabs.Panel>
        )}
      </Tabs>
    </>
  );
}
