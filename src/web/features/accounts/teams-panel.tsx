import { Button, Card, Group, MultiSelect, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { PageLoader } from '../../ui/page-loader';
import { type Team, useCreateTeam, useDeleteTeam, useTeams, useUpdateTeam, useUsers } from './accounts-api';

const showError = (err: Error) => notifications.show({ color: 'red', message: err.message });

export function TeamsPanel() {
  const { t } = useTranslation();
  const can = useCan();
  const teams = useTeams();
  const create = useCreateTeam();
  const [name, setName] = useState('');
  const canManage = can('teams.manage');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name, memberIds: [] }, { onSuccess: () => setName('') });
  };

  if (teams.isPending) return <PageLoader />;
  if (teams.isError) return <ErrorState error={teams.error} onRetry={() => void teams.refetch()} />;
  return (
    <Stack>
      {canManage && (
        <form onSubmit={submit} noValidate>
          <Stack gap="xs">
            <ErrorAlert error={create.error} />
            <Group align="flex-end">
              <TextInput
                label={t('teams.name')}
                required
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                style={{ flex: '1 1 220px' }}
                maw={360}
              />
              <Button type="submit" loading={create.isPending}>
                {t('teams.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {teams.data.length === 0 && <Text c="dimmed">{t('teams.empty')}</Text>}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {teams.data.map((team) => (
          <TeamCard key={team.id} team={team} canManage={canManage} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function TeamCard({ team, canManage }: { team: Team; canManage: boolean }) {
  const { t } = useTranslation();
  const users = useUsers();
  const update = useUpdateTeam();
  const remove = useDeleteTeam();
  const [name, setName] = useState(team.name);
  const userOptions = (users.data ?? []).map((u) => ({ value: u.id, label: u.name }));

  if (!canManage) {
    const names = team.memberIds.map((id) => users.data?.find((u) => u.id === id)?.name ?? '…');
    return (
      <Card withBorder>
        <Text fw={600}>{team.name}</Text>
        <Text size="sm" c="dimmed">
          {names.join('、') || t('teams.memberCount', { count: 0 })}
        </Text>
      </Card>
    );
  }
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Group align="flex-end" wrap="nowrap">
          <TextInput label={t('teams.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} style={{ flex: 1 }} />
          <Button
            variant="default"
            disabled={!name.trim() || name === team.name}
            onClick={() => update.mutate({ id: team.id, version: team.version, name }, { onError: showError })}
          >
            {t('common.rename')}
          </Button>
        </Group>
        <MultiSelect
          label={t('teams.membersOf', { name: team.name })}
          data={userOptions}
          value={team.memberIds}
          searchable
          onChange={(memberIds) => update.mutate({ id: team.id, version: team.version, memberIds }, { onError: showError })}
        />
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {t('teams.memberCount', { count: team.memberIds.length })}
          </Text>
          <ConfirmButton
            message={t('common.confirmDelete', { name: team.name })}
            confirmLabel={t('common.delete')}
            loading={remove.isPending}
            onConfirm={() =>
              remove.mutate(team.id, {
                onSuccess: () => notifications.show({ color: 'teal', message: t('teams.deleted') }),
                onError: showError,
              })
            }
          >
            {t('common.delete')}
          </ConfirmButton>
        </Group>
      </Stack>
    </Card>
  );
}
