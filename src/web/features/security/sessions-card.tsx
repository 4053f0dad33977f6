import { Badge, Card, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { PageLoader } from '../../ui/page-loader';
import { useMySessions, useRevokeSession } from './security-api';
import { describeUserAgent } from './user-agent';

/** Settings → Security: where the user is signed in, with a way to sign out any of them. */
export function SessionsCard() {
  const { t } = useTranslation();
  const formatDate = useFormatDateTime();
  const sessions = useMySessions();
  const revoke = useRevokeSession();

  if (sessions.isPending) return <PageLoader />;
  if (sessions.isError) return <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />;

  return (
    <Card withBorder maw={960}>
      <Stack>
        <Title order={2} size="h4">
          {t('security.sessions.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('security.sessions.intro')}
        </Text>
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="xs" data-testid="sessions-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('security.sessions.device')}</Table.Th>
                <Table.Th>{t('security.sessions.ip')}</Table.Th>
                <Table.Th>{t('security.sessions.lastSeen')}</Table.Th>
                <Table.Th>{t('security.sessions.started')}</Table.Th>
                <Table.Th>{t('common.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sessions.data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text c="dimmed">{t('security.sessions.empty')}</Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {sessions.data.map((s) => {
                const ua = describeUserAgent(s.userAgent);
                return (
                  <Table.Tr key={s.id} data-current={s.current || undefined}>
                    <Table.Td>
                      <Tooltip label={s.userAgent ?? t('security.sessions.unknownDevice')} multiline maw={420} withArrow>
                        <Text size="sm" span>
                          {ua ? t('security.sessions.on', ua) : t('security.sessions.unknownDevice')}
                        </Text>
                      </Tooltip>
                      {s.current && (
                        <Badge ml="xs" size="xs" variant="light" color="teal">
                          {t('security.sessions.current')}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {s.ip ?? t('common.none')}
                      </Text>
                    </Table.Td>
                    <Table.Td>{formatDate(s.lastSeenAt)}</Table.Td>
                    <Table.Td>{formatDate(s.createdAt)}</Table.Td>
                    <Table.Td>
                      {!s.current && (
                        <ConfirmButton
                          message={t('security.sessions.revokeConfirm')}
                          confirmLabel={t('security.sessions.revoke')}
                          onConfirm={() =>
                            revoke.mutate(s.id, {
                              onSuccess: () => notifications.show({ color: 'teal', message: t('security.sessions.revoked') }),
                              onError: (err) => notifications.show({ color: 'red', message: err.message }),
                            })
                          }
                        >
                          {t('security.sessions.revoke')}
                        </ConfirmButton>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Card>
  );
}
