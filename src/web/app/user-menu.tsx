import { Avatar, Menu, Text, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconLogout, IconUserCircle } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { http, setCsrfToken } from './api-client';
import { keys } from './query-client';
import { useSession } from './session';
import { useProfileUpdate } from './use-profile-update';

const languages = ['ja', 'en', null] as const;
const themes = ['auto', 'light', 'dark'] as const;

export function UserMenu() {
  const { t } = useTranslation();
  const { user } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const update = useProfileUpdate();
  const save = (patch: Parameters<typeof update.mutate>[0]) =>
    update.mutate(patch, { onError: (err) => notifications.show({ color: 'red', message: err.message }) });

  const signOut = async () => {
    try {
      await http.post('/api/v1/auth/logout');
    } finally {
      setCsrfToken('');
      navigate('/', { replace: true });
      queryClient.setQueryData(keys.session, null);
      // Nothing of the signed-out user's data stays in memory.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.session[0] && q.queryKey[0] !== keys.setup[0] });
    }
  };

  const check = (on: boolean) => (on ? <IconCheck size={14} /> : <span style={{ width: 14, display: 'inline-block' }} />);

  return (
    <Menu position="bottom-end" width={240} withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label={t('userMenu.open')} data-testid="user-menu" style={{ flexShrink: 0 }}>
          <Avatar color="indigo" radius="xl" size={34} alt={user.name}>
            {Array.from(user.name)[0]}
          </Avatar>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" fw={600} c="var(--mantine-color-text)" truncate="end">
            {user.name}
          </Text>
          <Text size="xs" truncate="end">
            {user.email}
          </Text>
        </Menu.Label>
        <Menu.Item component={Link} to="/settings" leftSection={<IconUserCircle size={16} />}>
          {t('userMenu.profile')}
        </Menu.Item>
        <Menu.Divider />
        <Menu.Label>{t('userMenu.language')}</Menu.Label>
        {languages.map((l) => (
          <Menu.Item key={l ?? 'browser'} leftSection={check(user.locale === l)} onClick={() => save({ locale: l })}>
            {t(`language.${l ?? 'browser'}`)}
          </Menu.Item>
        ))}
        <Menu.Divider />
        <Menu.Label>{t('userMenu.theme')}</Menu.Label>
        {themes.map((th) => (
          <Menu.Item key={th} leftSection={check(user.theme === th)} onClick={() => save({ theme: th })}>
            {t(`theme.${th}`)}
          </Menu.Item>
        ))}
        <Menu.Divider />
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => void signOut()}>
          {t('userMenu.signOut')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
