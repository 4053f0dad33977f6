import { Alert, Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Role, roles } from '../../../shared/permissions';
import { CopyField } from '../../ui/copy-field';
import { ErrorAlert } from '../../ui/error-alert';
import { useFormatDateTime } from '../../ui/format';
import { useCreateInvitation, useInvitations, useRevokeInvitation, useTeams } from './accounts-api';

/** Invite by email (no mail is sent: the link is shown to copy) and the pending invitations. */
export function InvitationsPanel() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [teamId, setTeamId] = useState<string | null>(null);
  const [created, setCreated] = useState<{ email: string; url: string } | null>(null);
  const teams = useTeams();
  const invitations = useInvitations(true);
  const create = useCreateInvitation();
  const revoke = useRevokeInvitation();
  const formatDate = useFormatDateTime();
  const teamName = new Map((teams.data ?? []).map((tm) => [tm.id, tm.name]));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { email, role, teamId },
      {
        onSuccess: (r) => {
          setCreated({ email: r.invitation.email, url: r.url });
          setEmail('');
        },
      },
    );
  };

  return (
    <Stack gap="lg">
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          {t('users.invite')}
        </Title>
        <form onSubmit={submit} noValidate>
          <Stack>
            <ErrorAlert error={create.error} />
            <Group align="flex-end" wrap="wrap">
              <TextInput
                label={t('users.inviteEmail')}
                type="email"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                style={{ flex: '1 1 240px' }}
              />
              <Select
                label={t('users.inviteRole')}
                data={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
                value={role}
                allowDeselect={false}
                onChange={(v) => v && setRole(v as Role)}
                w={170}
              />
              <Select
                label={t('users.inviteTeam')}
                placeholder={t('users.noTeam')}
                data={(teams.data ?? []).map((tm) => ({ value: tm.id, label: tm.name }))}
                value={teamId}
                onChange={setTeamId}
                clearable
                w={200}
              />
              <Button type="submit" loading={create.isPending}>
                {t('users.inviteSubmit')}
              </Button>
            </Group>
            {created && (
              <Alert color="teal" variant="light">
                <CopyField
                  label={t('users.inviteLink')}
                  description={t('users.inviteLinkHint', { email: created.email })}
                  value={created.url}
                />
              </Alert>
            )}
          </Stack>
        </form>
      </Card>

      <div>
        <Title order={2} size="h4" mb="sm">
          {t('users.pending')}
        </Title>
        {invitations.data?.length === 0 && <Text c="dimmed">{t('users.pendingEmpty')}</Text>}
        {!!invitations.data?.length && (
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('users.columns.email')}</Table.Th>
                  <Table.Th>{t('users.columns.role')}</Table.Th>
                  <Table.Th>{t('users.inviteTeam')}</Table.Th>
                  <Table.Th>{t('users.expires')}</Table.Th>
                  <Table.Th>{t('common.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {invitations.data.map((inv) => (
                  <Table.Tr key={inv.id}>
                    <Table.Td>{inv.email}</Table.Td>
                    <Table.Td>{t(`roles.${inv.role}`)}</Table.Td>
                    <Table.Td>{inv.teamId ? (teamName.get(inv.teamId) ?? '…') : t('common.none')}</Table.Td>
                    <Table.Td>{formatDate(inv.expiresAt)}</Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="light"
                        color="red"
                        loading={revoke.isPending && revoke.variables === inv.id}
                        onClick={() =>
                          revoke.mutate(inv.id, {
                            onSuccess: () => notifications.show({ color: 'teal', message: t('users.revoked') }),
                            onError: (err) => notifications.show({ color: 'red', message: err.message }),
                          })
                        }
                      >
                        {t('common.revoke')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </div>
    </Stack>
  );
}
