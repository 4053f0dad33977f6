import { Badge, Button, Group, Select, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconSearch } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { type Role, roles } from '../../../shared/permissions';
import { useCan, useSession } from '../../app/session';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { PageLoader } from '../../ui/page-loader';
import { UserSecurityActions } from '../security/user-security-actions';
import { type User, useTeams, useUpdateUser, useUsers } from './accounts-api';

const fold = (s: string) => s.normalize('NFKC').toLowerCase();

export function UsersTable() {
  const { t } = useTranslation();
  const can = useCan();
  const { user: me } = useSession();
  const users = useUsers();
  const teams = useTeams();
  const update = useUpdateUser();
  const formatDate = useFormatDateTime();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const canManage = can('users.manage');

  const change = (u: User, patch: { role?: Role; status?: 'active' | 'disabled' }) =>
    update.mutate(
      { id: u.id, version: u.version, ...patch },
      {
        onSuccess: (saved) => notifications.show({ color: 'teal', message: t('users.updated', { name: saved.name }) }),
        // 409: someone changed the user first; the server's message says so and the list reloads (onSettled).
        onError: (err) => notifications.show({ color: 'red', message: err.message }),
      },
    );

  if (users.isPending) return <PageLoader />;
  if (users.isError) return <ErrorState error={users.error} onRetry={() => void users.refetch()} />;
  const teamName = new Map((teams.data ?? []).map((tm) => [tm.id, tm.name]));
  const rows = users.data.filter((u) => !q || fold(u.name).includes(fold(q)) || fold(u.email).includes(fold(q)));
  const roleOptions = roles.map((r) => ({ value: r, label: t(`roles.${r}`) }));

  return (
    <>
      <TextInput
        mb="sm"
        maw={360}
        leftSection={<IconSearch size={16} />}
        placeholder={t('search.placeholder')}
        aria-label={t('search.placeholder')}
        value={q}
        onChange={(e) => {
          const v = e.currentTarget.value;
          setParams(
            (p) => {
              if (v) p.set('q', v);
              else p.delete('q');
              return p;
            },
            { replace: true },
          );
        }}
      />
      <Table.ScrollContainer minWidth={1280}>
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="users-table" style={{ whiteSpace: 'nowrap' }}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('users.columns.name')}</Table.Th>
              <Table.Th>{t('users.columns.email')}</Table.Th>
              <Table.Th>{t('users.columns.role')}</Table.Th>
              <Table.Th>{t('users.columns.teams')}</Table.Th>
              <Table.Th>{t('users.columns.status')}</Table.Th>
              <Table.Th>{t('security.admin.twoFactor')}</Table.Th>
              <Table.Th>{t('users.columns.lastLogin')}</Table.Th>
              {canManage && <Table.Th>{t('common.actions')}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={8}>
                  <Text c="dimmed">{q ? t('common.noResults') : t('users.empty')}</Text>
                </Table.Td>
              </Table.Tr>
            )}
            {rows.map((u) => (
              <Table.Tr key={u.id} data-user-email={u.email}>
                <Table.Td>
                  <Group gap={6} wrap="nowrap" miw="max-content">
                    <Text size="sm" fw={500}>
                      {u.name}
                    </Text>
                    {u.id === me.id && (
                      <Badge size="xs" variant="light" style={{ flexShrink: 0 }}>
                        {t('users.you')}
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>{u.email}</Table.Td>
                <Table.Td>
                  {canManage ? (
                    <Select
                      size="xs"
                      w={150}
                      data={roleOptions}
                      value={u.role}
                      allowDeselect={false}
                      aria-label={t('users.changeRole', { name: u.name })}
                      onChange={(v) => v && v !== u.role && change(u, { role: v as Role })}
                    />
                  ) : (
                    t(`roles.${u.role}`)
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {u.teamIds.map((id) => (
                      <Badge key={id} variant="outline" size="sm">
                        {teamName.get(id) ?? '…'}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Badge color={u.status === 'active' ? 'teal' : 'gray'} variant="light" miw="max-content">
                    {t(`status.${u.status}`)}
                  </Badge>
                  {u.lockedUntil && (
                    <Tooltip label={t('security.admin.lockedUntil', { time: formatDate(u.lockedUntil) })} multiline maw={320} withArrow>
                      <Badge ml={4} color="orange" variant="light" miw="max-content">
                        {t('security.admin.locked')}
                      </Badge>
                    </Tooltip>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color={u.twoFactorEnabled ? 'teal' : 'gray'} variant="dot" miw="max-content">
                    {u.twoFactorEnabled ? t('security.twoFactor.on') : t('security.twoFactor.off')}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                    {formatDate(u.lastLoginAt)}
                  </Text>
                </Table.Td>
                {canManage && (
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Button
                        size="xs"
                        variant="light"
                        color={u.status === 'active' ? 'red' : 'teal'}
                        onClick={() => change(u, { status: u.status === 'active' ? 'disabled' : 'active' })}
                      >
                        {u.status === 'active' ? t('users.disable') : t('users.enable')}
                      </Button>
                      <UserSecurityActions user={u} />
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
