import { ActionIcon, Button, Group, Modal, MultiSelect, NumberInput, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AssignmentMethod, assignmentMethods, escalationTargets } from '../../../shared/contracts/assignment';
import { leadSources } from '../../../shared/contracts/sales';
import type { Filter, FilterCondition } from '../../../shared/filter';
import { PREFECTURES } from '../../../shared/prefectures';
import { http } from '../../app/api-client';
import { ErrorAlert } from '../../ui/error-alert';
import { useTeams, useUsers } from '../accounts/accounts-api';
import { type AssignmentObjectType, type AssignmentRule, assignmentKeys } from './assignment-api';

let keySeq = 0;
const newKey = () => `territory-${++keySeq}`;

/** The simple conditions the form edits; anything else stays as the rule has it. */
interface Simple {
  source: string | null;
  prefectures: string[];
  industry: string;
  minEmployees: number | null;
  channel: string;
  minAmount: number | null;
}
const emptySimple: Simple = { source: null, prefectures: [], industry: '', minEmployees: null, channel: '', minAmount: null };

function fieldsOf(objectType: AssignmentObjectType) {
  const p = objectType === 'lead' ? '' : 'company.';
  return { prefecture: `${p}prefecture`, industry: `${p}industry`, employees: `${p}employeeCount` };
}

/** Parses `{ and: [...] }` of the form's own conditions; null when the rule holds something else (kept unchanged). */
function toSimple(objectType: AssignmentObjectType, conditions: unknown): Simple | null {
  if (!conditions) return { ...emptySimple };
  const list = (conditions as { and?: Filter[] }).and;
  if (!Array.isArray(list)) return null;
  const f = fieldsOf(objectType);
  const s: Simple = { ...emptySimple };
  for (const c of list as FilterCondition[]) {
    if (c.field === 'source' && c.op === 'eq') s.source = String(c.value);
    else if (c.field === f.prefecture && c.op === 'in' && Array.isArray(c.value)) s.prefectures = c.value.map(String);
    else if (c.field === f.industry && c.op === 'contains') s.industry = String(c.value);
    else if (c.field === f.employees && c.op === 'gte') s.minEmployees = Number(c.value);
    else if (c.field === 'channel' && c.op === 'contains') s.channel = String(c.value);
    else if (c.field === 'amount' && c.op === 'gte') s.minAmount = Number(c.value);
    else return null;
  }
  return s;
}

function fromSimple(objectType: AssignmentObjectType, s: Simple): Filter | null {
  const f = fieldsOf(objectType);
  const and: FilterCondition[] = [];
  if (objectType === 'lead' && s.source) and.push({ field: 'source', op: 'eq', value: s.source });
  if (s.prefectures.length) and.push({ field: f.prefecture, op: 'in', value: s.prefectures });
  if (s.industry.trim()) and.push({ field: f.industry, op: 'contains', value: s.industry.trim() });
  if (s.minEmployees !== null) and.push({ field: f.employees, op: 'gte', value: s.minEmployees });
  if (objectType === 'lead' && s.channel.trim()) and.push({ field: 'channel', op: 'contains', value: s.channel.trim() });
  if (objectType === 'deal' && s.minAmount !== null) and.push({ field: 'amount', op: 'gte', value: s.minAmount });
  return and.length ? { and } : null;
}

/** Create or edit one rule; an edit sends the version it started from (stale → 409 shown). */
export function AssignmentRuleDialog({
  objectType,
  rule,
  onClose,
}: {
  objectType: AssignmentObjectType;
  rule?: AssignmentRule;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const users = useUsers();
  const teams = useTeams();
  const [name, setName] = useState(rule?.name ?? '');
  const [active, setActive] = useState(rule?.active ?? true);
  const [method, setMethod] = useState<AssignmentMethod>(rule?.method ?? 'round_robin');
  const [teamId, setTeamId] = useState<string | null>(rule?.teamId ?? null);
  const [userId, setUserId] = useState<string | null>(rule?.userId ?? null);
  const [territories, setTerritories] = useState(() => (rule?.territories ?? []).map((x) => ({ ...x, key: newKey() })));
  const [escalationTarget, setEscalationTarget] = useState(rule?.escalationTarget ?? 'team_managers');
  const [escalationUserId, setEscalationUserId] = useState<string | null>(rule?.escalationUserId ?? null);
  const initial = toSimple(objectType, rule?.conditions ?? null);
  const [simple, setSimple] = useState<Simple>(initial ?? emptySimple);
  const userData = (users.data ?? []).filter((u) => u.status === 'active').map((u) => ({ value: u.id, label: u.name }));
  const prefectureData = PREFECTURES.map((p) => ({ value: p.name, label: i18n.language === 'ja' ? p.name : `${p.en} (${p.name})` }));
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name,
        active,
        method,
        teamId,
        userId: method === 'user' ? userId : null,
        territories: method === 'territory' ? territories.map(({ prefectures, userId }) => ({ prefectures, userId })) : [],
        escalationTarget,
        escalationUserId: escalationTarget === 'user' ? escalationUserId : null,
        ...(initial ? { conditions: fromSimple(objectType, simple) } : {}),
      };
      return rule
        ? http.patch<AssignmentRule>(`/api/v1/assignment-rules/${rule.id}`, { version: rule.version, ...body })
        : http.post<AssignmentRule>('/api/v1/assignment-rules', { objectType, ...body });
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: assignmentKeys.all });
      onClose();
    },
  });
  const f = (k: string) => t(`assignment.field.${k}`);
  return (
    <Modal opened onClose={onClose} title={t(rule ? 'assignment.editRule' : 'assignment.newRule')} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <TextInput label={f('name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus />
          <Switch label={f('active')} checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
          <Select
            label={f('method')}
            data={assignmentMethods.map((m) => ({ value: m, label: t(`assignment.methods.${m}`) }))}
            value={method}
            onChange={(m) => m && setMethod(m as AssignmentMethod)}
            allowDeselect={false}
          />
          <Select
            label={f('team')}
            data={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            value={teamId}
            onChange={setTeamId}
            required={method === 'round_robin' || method === 'least_loaded'}
            clearable
          />
          {method === 'user' && <Select label={f('user')} data={userData} value={userId} onChange={setUserId} searchable required />}
          {method === 'territory' && (
            <Stack gap="xs">
              {territories.map((tr, i) => (
                <Group key={tr.key} align="flex-end" wrap="nowrap">
                  <MultiSelect
                    label={f('prefectures')}
                    data={prefectureData}
                    value={tr.prefectures}
                    onChange={(v) => setTerritories((ts) => ts.map((x, j) => (j === i ? { ...x, prefectures: v } : x)))}
                    searchable
                    style={{ flex: 1 }}
                  />
                  <Select
                    label={f('territoryUser')}
                    data={userData}
                    value={tr.userId || null}
                    onChange={(v) => setTerritories((ts) => ts.map((x, j) => (j === i ? { ...x, userId: v ?? '' } : x)))}
                    searchable
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={f('removeTerritory')}
                    onClick={() => setTerritories((ts) => ts.filter((_, j) => j !== i))}
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
              ))}
              <Button
                variant="default"
                leftSection={<IconPlus size={16} />}
                onClick={() => setTerritories((ts) => [...ts, { prefectures: [], userId: '', key: newKey() }])}
              >
                {f('addTerritory')}
              </Button>
            </Stack>
          )}
          <Title order={5}>{f('conditionsTitle')}</Title>
          {initial ? (
            <Stack gap="xs">
              {objectType === 'lead' && (
                <Select
                  label={f('source')}
                  data={leadSources.map((s) => ({ value: s, label: t(`sales.leads.source.${s}`) }))}
                  value={simple.source}
                  onChange={(v) => setSimple((s) => ({ ...s, source: v }))}
                  placeholder={f('any')}
                  clearable
                />
              )}
              <MultiSelect
                label={f('prefecture')}
                data={prefectureData}
                value={simple.prefectures}
                onChange={(v) => setSimple((s) => ({ ...s, prefectures: v }))}
                placeholder={simple.prefectures.length ? undefined : f('any')}
                searchable
              />
              <Group grow>
                <TextInput
                  label={f('industry')}
                  value={simple.industry}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    setSimple((s) => ({ ...s, industry: v }));
                  }}
                />
                <NumberInput
                  label={f('minEmployees')}
                  value={simple.minEmployees ?? ''}
                  min={0}
                  allowDecimal={false}
                  onChange={(v) => setSimple((s) => ({ ...s, minEmployees: v === '' ? null : Number(v) }))}
                />
              </Group>
              {objectType === 'lead' ? (
                <TextInput
                  label={f('channel')}
                  value={simple.channel}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    setSimple((s) => ({ ...s, channel: v }));
                  }}
                />
              ) : (
                <NumberInput
                  label={f('minAmount')}
                  value={simple.minAmount ?? ''}
                  min={0}
                  allowDecimal={false}
                  onChange={(v) => setSimple((s) => ({ ...s, minAmount: v === '' ? null : Number(v) }))}
                />
              )}
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">
              {t('assignment.advancedConditions')}
            </Text>
          )}
          {objectType === 'lead' && (
            <Group grow align="flex-start">
              <Select
                label={f('escalationTarget')}
                data={escalationTargets.map((x) => ({ value: x, label: t(`assignment.escalationTargets.${x}`) }))}
                value={escalationTarget}
                onChange={(v) => v && setEscalationTarget(v as typeof escalationTarget)}
                allowDeselect={false}
              />
              {escalationTarget === 'user' && (
                <Select
                  label={f('escalationUser')}
                  data={userData}
                  value={escalationUserId}
                  onChange={setEscalationUserId}
                  searchable
                  required
                />
              )}
            </Group>
          )}
          <ErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t(rule ? 'common.save' : 'common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
