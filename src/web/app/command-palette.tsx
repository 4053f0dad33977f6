import { ActionIcon, Box, Group, Kbd, Modal, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue, useDisclosure, useHotkeys } from '@mantine/hooks';
import { IconAddressBook, IconBuilding, IconPencilPlus, IconSearch, IconUser } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, type ReactNode, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import type { User } from '../../shared/contracts/accounts';
import type { Company, Person } from '../../shared/contracts/customers';
import { LOG_ACTIVITY_EVENT } from '../features/activities/activities-api';
import { http } from './api-client';
import { visibleNavItems } from './nav-items';
import { keys } from './query-client';
import { useCan } from './session';

interface Result {
  id: string;
  /** i18n key of the group's name */
  group: string;
  label: string;
  hint?: string;
  icon: ReactNode;
  to: string;
  /** an action on the current screen instead of a page to open */
  run?: () => void;
}

const fold = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, '');

/** The header's search box: Ctrl+K or "/" opens it; finds pages, users, and customers (people and companies). */
export function CommandPalette() {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const location = useLocation();
  const [opened, { open, close }] = useDisclosure(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const canSeeUsers = can('users.manage') || can('teams.manage');
  const users = useQuery({
    queryKey: keys.users,
    queryFn: () => http.get<{ data: User[] }>('/api/v1/users'),
    enabled: opened && canSeeUsers,
  });

  const [customerQuery] = useDebouncedValue(query.trim(), 200);
  const customers = useQuery({
    queryKey: [...keys.people, 'search', customerQuery],
    queryFn: () => http.get<{ people: Person[]; companies: Company[] }>('/api/v1/search', { q: customerQuery, limit: 8 }),
    enabled: opened && can('records.read') && customerQuery.length >= 1,
    staleTime: 10_000,
  });

  useHotkeys([
    ['mod+K', open],
    ['/', open],
  ]);

  const results = useMemo<Result[]>(() => {
    const q = fold(query);
    const pages: Result[] = visibleNavItems(can)
      .map((item) => ({ id: item.path, group: 'search.pages', label: t(item.label), icon: <item.icon size={16} />, to: item.path }))
      .filter((r) => !q || fold(r.label).includes(q) || fold(r.to).includes(q));
    const people: Result[] = q
      ? (users.data?.data ?? [])
          .filter((u) => fold(u.name).includes(q) || fold(u.email).includes(q))
          .slice(0, 8)
          .map((u) => ({
            id: u.id,
            group: 'search.users',
            label: u.name,
            hint: u.email,
            icon: <IconUser size={16} />,
            to: `/users?q=${encodeURIComponent(u.email)}`,
          }))
      : [];
    const found = customerQuery.length >= 1 && fold(customerQuery) === q ? customers.data : undefined;
    const customerPeople: Result[] = (found?.people ?? []).map((p) => ({
      id: p.id,
      group: 'customers.search.people',
      label: p.displayName,
      hint: [p.company?.name, p.familyNameKana && `${p.familyNameKana}${p.givenNameKana ? ` ${p.givenNameKana}` : ''}`]
        .filter(Boolean)
        .join(' · '),
      icon: <IconAddressBook size={16} />,
      to: `/people/${p.id}`,
    }));
    const customerCompanies: Result[] = (found?.companies ?? []).map((c) => ({
      id: c.id,
      group: 'customers.search.companies',
      label: c.name,
      hint: c.nameKana ?? undefined,
      icon: <IconBuilding size={16} />,
      to: `/companies/${c.id}`,
    }));
    // 記録する: log an activity on the record page that is open.
    const record = /^\/(people|companies)\/([0-9a-f-]{36})$/.exec(location.pathname);
    const logLabel = t('activities.palette.log');
    const actions: Result[] =
      record &&
      can('records.write') &&
      (!q || fold(logLabel).includes(q) || fold(t('activities.log.button')).includes(q) || 'log'.includes(q))
        ? [
            {
              id: 'log-activity',
              group: 'activities.palette.group',
              label: logLabel,
              icon: <IconPencilPlus size={16} />,
              to: location.pathname,
              run: () => window.dispatchEvent(new CustomEvent(LOG_ACTIVITY_EVENT, { detail: { entityId: record[2] } })),
            },
          ]
        : [];
    return [...actions, ...pages, ...customerPeople, ...customerCompanies, ...people];
  }, [query, users.data, can, t, customerQuery, customers.data, location.pathname]);

  // Reopened, the palette starts empty whether it was left by a choice or by Escape.
  const dismiss = () => {
    close();
    setQuery('');
  };
  const choose = (r: Result | undefined) => {
    if (!r) return;
    dismiss();
    if (r.run) r.run();
    else navigate(r.to);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, results.length - 1));
    else if (e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
    else if (e.key === 'Enter') choose(results[active]);
    else return;
    e.preventDefault();
  };

  return (
    <>
      <UnstyledButton
        onClick={open}
        aria-label={t('search.label')}
        aria-keyshortcuts="Control+K /"
        visibleFrom="xs"
        style={{ flex: 1, maxWidth: 420 }}
        px="sm"
        py={6}
        bd="1px solid var(--mantine-color-default-border)"
        bdrs="md"
      >
        <Group gap="xs" wrap="nowrap">
          <IconSearch size={16} />
          <Text size="sm" c="dimmed" style={{ flex: 1 }}>
            {t('search.placeholder')}
          </Text>
          <Kbd size="xs">{t('search.shortcut')}</Kbd>
        </Group>
      </UnstyledButton>
      <Box hiddenFrom="xs" style={{ flex: 1 }} />
      <ActionIcon hiddenFrom="xs" variant="subtle" size="lg" onClick={open} aria-label={t('search.label')}>
        <IconSearch size={18} />
      </ActionIcon>
      <Modal opened={opened} onClose={dismiss} withCloseButton={false} padding="xs" size="lg" yOffset="10vh">
        <TextInput
          data-autofocus
          value={query}
          onChange={(e) => {
            setQuery(e.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          placeholder={t('search.hint')}
          aria-label={t('search.label')}
          role="combobox"
          aria-expanded
          aria-controls="command-palette-results"
          aria-activedescendant={results[active] ? `cp-${results[active].id}` : undefined}
          leftSection={<IconSearch size={16} />}
          size="md"
        />
        <Stack gap={2} mt="xs" id="command-palette-results" role="listbox" aria-label={t('search.label')}>
          {results.length === 0 && (
            <Text c="dimmed" size="sm" p="sm">
              {t('search.empty')}
            </Text>
          )}
          {results.map((r, i) => (
            <UnstyledButton
              key={r.id}
              id={`cp-${r.id}`}
              role="option"
              aria-selected={i === active}
              onClick={() => choose(r)}
              onMouseEnter={() => setActive(i)}
              p="xs"
              bdrs="sm"
              bg={i === active ? 'var(--mantine-primary-color-light)' : undefined}
              tabIndex={-1}
            >
              <Group gap="sm" wrap="nowrap">
                {r.icon}
                <Text size="sm" truncate="end">
                  {r.label}
                </Text>
                {r.hint && (
                  <Text size="xs" c="dimmed" truncate="end">
                    {r.hint}
                  </Text>
                )}
                <Text size="xs" c="dimmed" ml="auto">
                  {t(r.group)}
                </Text>
              </Group>
            </UnstyledButton>
          ))}
        </Stack>
      </Modal>
    </>
  );
}
