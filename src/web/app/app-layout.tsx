import { AppShell, Burger, Group, NavLink, ScrollArea, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { NotificationsBell } from '../features/activities/notifications-bell';
import { CommandPalette } from './command-palette';
import { LiveIndicator } from './live-indicator';
import { visibleNavItems } from './nav-items';
import { useCan, useSession } from './session';
import { UserMenu } from './user-menu';

export function AppLayout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const can = useCan();
  const { workspace } = useSession();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);
  const items = visibleNavItems(can);
  const isActive = (path: string) => (path === '/' ? location.pathname === '/' : location.pathname.startsWith(path));

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="sm" gap="sm" wrap="nowrap">
          <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
          <Text fw={700} truncate="end" maw={{ base: 110, sm: 220 }} component={Link} to="/" title={workspace.name}>
            {workspace.name}
          </Text>
          <CommandPalette />
          <LiveIndicator />
          <NotificationsBell />
          <UserMenu />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('nav.main')}>
        <ScrollArea>
          <nav aria-label={t('nav.main')}>
            {items.map((item) => (
              <NavLink
                key={item.path}
                component={Link}
                to={item.path}
                label={t(item.label)}
                leftSection={<item.icon size={18} stroke={1.6} />}
                active={isActive(item.path)}
                aria-current={isActive(item.path) ? 'page' : undefined}
                onClick={close}
              />
            ))}
          </nav>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
