import {
  ActionIcon,
  Badge,
  Button,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowDown, IconArrowUp, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import { useTeams, useUsers } from '../accounts/accounts-api';
import {
  type AssignmentObjectType,
  type AssignmentRule,
  type AssignmentSettings,
  assignmentKeys,
  useAssignmentRules,
  useAssignmentSettings,
} from './assignment-api';
import { AssignmentRuleDialog } from './assignment-rule-dialog';
import { put } from './sales-api';

/** The form's label of each condition field (a deal's company fields share the lead's). */
const conditionLabels: Record<string, string> = {
  source: 'source',
  prefecture: 'prefecture',
  industry: 'industry',
  employeeCount: 'minEmployees',
  channel: 'channel',
  amount: 'minAmount',
};

/** 割り当てルール (administrators): the ordered rules of leads and deals, and the escalation of unanswered leads. */
export function AssignmentRulesPage() {
  const { t } = useTranslation();
  const [objectType, setObjectType] = useState<AssignmentObjectType>('lead');
  const [editing, setEditing] = useState<AssignmentRule | 'new' | null>(null);
  return (
    <Stack>
      <PageHeader title={t('assignment.title')}>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
          {t('assignment.newRule')}
        </Button>
      </PageHeader>
      <Text c="dimmed" size="sm">
        {t('assignment.intro')}
      </Text>
      <SegmentedControl
        w="fit-content"
        value={objectType}
        onChange={(v) => setObjectType(v as AssignmentObjectType)}
        data={(['lead', 'deal'] as const).map((o) => ({ value: o, label: t(`assignment.objects.${o}`) }))}
      />
      <RulesTable objectType={objectType} onEdit={setEditing} />
      {objectType === 'lead' && <EscalationSettings />}
      {editing && (
        <AssignmentRuleDialog objectType={objectType} rule={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />
      )}
    </Stack>
  );
}

function RulesTable({ objectType, onEdit }: { objectType: AssignmentObjectType; onEdit: (r: AssignmentRule) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const rules = useAssignmentRules(objectType);
  const users = useUsers();
  const teams = useTeams();
  const reorder = useMutation({
    mutationFn: (ids: string[]) => put('/api/v1/assignment-rules/order', { objectType, ids }),
    onSuccess: () => {
      notifications.show({ message: t('assignment.reordered'), color: 'green' });
      void queryClient.invalidateQueries({ queryKey: assignmentKeys.all });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => http.delete(`/api/v1/assignment-rules/${id}`),
    onSuccess: () => {
      notifications.show({ message: t('assignment.removed'), color: 'green' });
      void queryClient.invalidateQueries({ queryKey: assignmentKeys.all });
    },
  });
  if (rules.isPending) return <PageLoader />;
  if (rules.error) return <ErrorState error={rules.error} />;
  const list = rules.data;
  const move = (i: number, j: number) => {
    const ids = list.map((r) => r.id);
    [ids[i], ids[j]] = [ids[j] as string, ids[i] as string];
    reorder.mutate(ids);
  };
  const userName = (id: string | null) => users.data?.find((u) => u.id === id)?.name ?? '—';
  const teamName = (id: string | null) => teams.data?.find((x) => x.id === id)?.name ?? '—';
  const methodText = (r: AssignmentRule) =>
    t(`assignment.describe.${r.method}`, { team: teamName(r.teamId), user: userName(r.userId), count: r.territories.length });
  const conditions = (r: AssignmentRule) => {
    const and = (r.conditions as { and?: { field: string; value?: unknown }[] } | null)?.and;
    if (!r.conditions) return t('assignment.everyRecord');
    if (!and) return JSON.stringify(r.conditions);
    return and
      .map((c) => {
        const key = conditionLabels[c.field.replace(/^company\./, '')];
        const value = Array.isArray(c.value) ? c.value.join('・') : String(c.value);
        return `${key ? t(`assignment.field.${key}`) : c.field}: ${c.field === 'source' ? t(`sales.leads.source.${value}`) : value}`;
      })
      .join(' / ');
  };
  if (!list.length)
    return (
      <Paper withBorder p="md">
        <Text c="dimmed">{t('assignment.empty')}</Text>
      </Paper>
    );
  return (
    <Paper withBorder>
      <ErrorAlert error={reorder.error ?? remove.error} />
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={70}>{t('assignment.col.order')}</Table.Th>
            <Table.Th>{t('assignment.col.name')}</Table.Th>
            <Table.Th>{t('assignment.col.conditions')}</Table.Th>
            <Table.Th>{t('assignment.col.method')}</Table.Th>
            <Table.Th w={200} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.map((r, i) => (
            <Table.Tr key={r.id} data-testid="assignment-rule-row">
              <Table.Td>{i + 1}</Table.Td>
              <Table.Td>
                <Group gap="xs">
                  <Text fw={500}>{r.name}</Text>
                  {!r.active && (
                    <Badge color="gray" variant="light">
                      {t('assignment.inactive')}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{conditions(r)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{t(`assignment.methods.${r.method}`)}</Text>
                <Text size="xs" c="dimmed">
                  {methodText(r)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap" justify="flex-end">
                  <ActionIcon
                    variant="subtle"
                    aria-label={t('assignment.up', { name: r.name })}
                    disabled={i === 0}
                    onClick={() => move(i, i - 1)}
                  >
                    <IconArrowUp size={16} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    aria-label={t('assignment.down', { name: r.name })}
                    disabled={i === list.length - 1}
                    onClick={() => move(i, i + 1)}
                  >
                    <IconArrowDown size={16} />
                  </ActionIcon>
                  <ActionIcon variant="subtle" aria-label={t('assignment.edit', { name: r.name })} onClick={() => onEdit(r)}>
                    <IconPencil size={16} />
                  </ActionIcon>
                  <ConfirmButton
                    variant="subtle"
                    aria-label={t('assignment.remove', { name: r.name })}
                    message={t('assignment.confirmRemove', { name: r.name })}
                    confirmLabel={t('common.delete')}
                    onConfirm={() => remove.mutate(r.id)}
                  >
                    <IconTrash size={16} />
                  </ConfirmButton>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

function EscalationSettings() {
  const settings = useAssignmentSettings();
  if (settings.isPending) return <PageLoader />;
  if (settings.error) return <ErrorState error={settings.error} />;
  return <EscalationForm key={settings.data.version} settings={settings.data} />;
}

function EscalationForm({ settings }: { settings: AssignmentSettings }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const inHours = settings.escalationAfterMinutes % 60 === 0;
  const [enabled, setEnabled] = useState(settings.escalationEnabled);
  const [unit, setUnit] = useState<'minutes' | 'hours'>(inHours ? 'hours' : 'minutes');
  const [amount, setAmount] = useState(inHours ? settings.escalationAfterMinutes / 60 : settings.escalationAfterMinutes);
  const [reassign, setReassign] = useState(settings.reassignOnEscalation);
  const save = useMutation({
    mutationFn: () =>
      put<AssignmentSettings>('/api/v1/assignment-settings', {
        version: settings.version,
        escalationEnabled: enabled,
        escalationAfterMinutes: unit === 'hours' ? amount * 60 : amount,
        reassignOnEscalation: reassign,
      }),
    onSuccess: () => {
      notifications.show({ message: t('assignment.settings.saved'), color: 'green' });
      void queryClient.invalidateQueries({ queryKey: assignmentKeys.settings });
    },
  });
  return (
    <Paper withBorder p="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <Title order={4}>{t('assignment.settings.title')}</Title>
          <Text size="sm" c="dimmed">
            {t('assignment.settings.hint')}
          </Text>
          <Switch label={t('assignment.settings.enabled')} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          <Group align="flex-end">
            <NumberInput
              label={t('assignment.settings.after')}
              value={amount}
              min={1}
              max={unit === 'hours' ? 720 : 43_200}
              allowDecimal={false}
              onChange={(v) => setAmount(Math.max(1, Math.trunc(Number(v) || 1)))}
              disabled={!enabled}
              w={160}
            />
            <Select
              aria-label={t('assignment.settings.unit')}
              data={(['minutes', 'hours'] as const).map((u) => ({ value: u, label: t(`assignment.settings.${u}`) }))}
              value={unit}
              onChange={(u) => u && setUnit(u as 'minutes' | 'hours')}
              allowDeselect={false}
              disabled={!enabled}
              w={120}
            />
          </Group>
          <Switch
            label={t('assignment.settings.reassign')}
            checked={reassign}
            onChange={(e) => setReassign(e.currentTarget.checked)}
            disabled={!enabled}
          />
          <ErrorAlert error={save.error} />
          <Group>
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
