import { Anchor, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCan, useSession } from '../../app/session';
import { useFormatDateTime } from '../../ui/format';
import { actionKey, useRecentChanges } from '../audit/audit-api';

export function HomePage() {
  const { t } = useTranslation();
  const { user, workspace } = useSession();
  const can = useCan();
  const canAudit = can('audit.read');
  const recent = useRecentChanges(canAudit);
  const formatDate = useFormatDateTime();
  const facts: Array<[string, string]> = [
    [t('home.facts.name'), workspace.name],
    [t('home.facts.timeZone'), workspace.timeZone],
    [t('home.facts.currency'), workspace.currency],
    [t('home.facts.language'), t(`language.${workspace.locale}`)],
    [t('home.facts.role'), t(`roles.${user.role}`)],
  ];

  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        {t('home.greeting', { name: user.name })}
      </Title>
      <SimpleGrid cols={{ base: 1, md: canAudit ? 2 : 1 }} spacing="lg">
        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            {t('home.workspace')}
          </Title>
          <Table variant="vertical" layout="fixed" withRowBorders={false} verticalSpacing={4}>
            <Table.Tbody>
              {facts.map(([label, value]) => (
                <Table.Tr key={label}>
                  <Table.Th w="40%">{label}</Table.Th>
                  <Table.Td>{value}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
        {canAudit && (
          <Card withBorder>
            <Group justify="space-between" mb="sm">
              <Title order={2} size="h4">
                {t('home.recent')}
              </Title>
              <Anchor component={Link} to="/audit" size="sm">
                {t('home.seeAll')}
              </Anchor>
            </Group>
            {recent.data?.length === 0 && <Text c="dimmed">{t('home.recentEmpty')}</Text>}
            <Stack gap={6} data-testid="recent-changes">
              {recent.data?.map((e) => (
                <Group key={e.id} gap={0} style={{ columnGap: 8 }} wrap="wrap" justify="space-between">
                  <Text size="sm">
                    <b>{e.actorName ?? t('audit.system')}</b> · {t(actionKey(e.action), { defaultValue: e.action })}
                  </Text>
                  <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                    {formatDate(e.createdAt)}
                  </Text>
                </Group>
              ))}
            </Stack>
          </Card>
        )}
      </SimpleGrid>
    </Stack>
  );
}
