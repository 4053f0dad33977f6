import { Badge, Button, Group, Paper, ScrollArea, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconTarget } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ForecastCellDto } from '../../../shared/contracts/forecast';
import { fiscalYearOf } from '../../../shared/forecast-math';
import { api } from '../../app/api-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import { useTeams } from '../accounts/accounts-api';
import { useUsers } from '../customers/customers-api';
import { type Forecast, type ForecastScope, type SalesSettings, useForecast, useSalesSettings } from './forecast-api';
import { cellFor, currenciesOf, useForecastFormat } from './forecast-format';
import { TargetsEditor } from './forecast-targets';
import { usePipelines } from './sales-api';

type Metric = { key: string; value: (c: ForecastCellDto | undefined, currency: string) => string };

/** The rows of the period table and the columns of the group table, in one order. */
function useMetrics(): Metric[] {
  const f = useForecastFormat();
  const m = (key: string, pick: (c: ForecastCellDto) => string): Metric => ({ key, value: (c) => (c ? pick(c) : '—') });
  return [
    { key: 'target', value: (c, cur) => f.amount(c?.target ?? null, cur) },
    m('won', (c) => f.money(c.wonAmount, c.currency)),
    m('attainment', (c) => f.bp(c.attainmentBp)),
    m('commit', (c) => f.money(c.commit, c.currency)),
    m('bestCase', (c) => f.money(c.bestCase, c.currency)),
    m('weighted', (c) => f.money(c.weightedAmount, c.currency)),
    m('openCount', (c) => String(c.openCount)),
    m('wonCount', (c) => String(c.wonCount)),
    m('winRate', (c) => f.bp(c.winRateBp)),
    m('avgWon', (c) => f.amount(c.avgWonAmount, c.currency)),
    m('cycle', (c) => f.days(c.avgCycleDays)),
  ];
}

/** 売上予測: per month or fiscal quarter, in total or by owner/team; targets editor for sales managers. */
export function ForecastPage() {
  const { t } = useTranslation();
  const can = useCan();
  const f = useForecastFormat();
  const settings = useSalesSettings();
  const pipelines = usePipelines();
  const [scope, setScope] = useState<ForecastScope>({ period: 'month', groupBy: 'none' });
  const [currency, setCurrency] = useState('JPY');
  const [editing, setEditing] = useState(false);
  const forecast = useForecast(scope);

  if (forecast.isPending || settings.isPending) return <PageLoader />;
  if (forecast.error) return <ErrorState error={forecast.error} onRetry={() => void forecast.refetch()} />;
  const data = forecast.data;
  const today = new Date();
  const currentFY = fiscalYearOf(today.getFullYear(), today.getMonth() + 1, data.fiscalStartMonth);
  const years = [currentFY - 2, currentFY - 1, currentFY, currentFY + 1];
  const currencies = currenciesOf([data.totals.total, ...data.totals.periods]);

  return (
    <Stack>
      <PageHeader title={t('sales.forecast.title')}>
        <Group>
          {can('workspace.manage') && settings.data && <FiscalStartSelect settings={settings.data} />}
          {can('sales.manage') && (
            <Button leftSection={<IconTarget size={16} />} onClick={() => setEditing(true)}>
              {t('sales.forecast.targets.edit')}
            </Button>
          )}
        </Group>
      </PageHeader>
      <Group align="flex-end">
        <SegmentedControl
          aria-label={t('sales.forecast.periodLabel')}
          value={scope.period}
          onChange={(v) => setScope((s) => ({ ...s, period: v as ForecastScope['period'] }))}
          data={[
            { value: 'month', label: t('sales.forecast.period.month') },
            { value: 'quarter', label: t('sales.forecast.period.quarter') },
          ]}
        />
        <Select
          label={t('sales.forecast.fiscalYear')}
          data={years.map((y) => ({ value: String(y), label: f.fiscalYear(y) }))}
          value={String(data.fiscalYear)}
          onChange={(v) => v && setScope((s) => ({ ...s, fiscalYear: Number(v) }))}
          allowDeselect={false}
          w={230}
        />
        <Select
          label={t('sales.forecast.groupBy.label')}
          data={(['none', 'owner', 'team'] as const).map((g) => ({ value: g, label: t(`sales.forecast.groupBy.${g}`) }))}
          value={scope.groupBy}
          onChange={(v) => v && setScope((s) => ({ ...s, groupBy: v as ForecastScope['groupBy'] }))}
          allowDeselect={false}
          w={150}
        />
        <Select
          label={t('sales.forecast.pipeline')}
          data={[
            { value: '', label: t('sales.forecast.allPipelines') },
            ...(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name })),
          ]}
          value={scope.pipelineId ?? ''}
          onChange={(v) => setScope((s) => ({ ...s, pipelineId: v || undefined }))}
          allowDeselect={false}
          w={220}
        />
        {currencies.length > 1 && (
          <Select
            label={t('sales.forecast.currency')}
            data={currencies}
            value={currency}
            onChange={(v) => v && setCurrency(v)}
            allowDeselect={false}
            w={110}
          />
        )}
      </Group>
      <PeriodTable data={data} currency={currency} />
      {data.groupBy !== 'none' && <GroupTable data={data} currency={currency} />}
      {editing && <TargetsEditor fiscalYear={data.fiscalYear} startMonth={data.fiscalStartMonth} onClose={() => setEditing(false)} />}
    </Stack>
  );
}

function FiscalStartSelect({ settings }: { settings: SalesSettings }) {
  const { t } = useTranslation();
  const f = useForecastFormat();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (month: number) =>
      api<SalesSettings>('PUT', '/api/v1/sales-settings', { body: { version: settings.version, fiscalStartMonth: month } }),
    onSuccess: (s) => {
      notifications.show({ message: t('sales.forecast.fiscalStart.saved', { month: f.monthName(s.fiscalStartMonth) }), color: 'green' });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['sales'] }),
  });
  return (
    <Stack gap={4}>
      <Select
        aria-label={t('sales.forecast.fiscalStart.label')}
        data={Array.from({ length: 12 }, (_, i) => ({
          value: String(i + 1),
          label: t('sales.forecast.fiscalStart.month', { month: f.monthName(i + 1) }),
        }))}
        value={String(settings.fiscalStartMonth)}
        onChange={(v) => v && save.mutate(Number(v))}
        allowDeselect={false}
        w={170}
      />
      {save.error && <ErrorAlert error={save.error} />}
    </Stack>
  );
}

function PeriodTable({ data, currency }: { data: Forecast; currency: string }) {
  const { t } = useTranslation();
  const f = useForecastFormat();
  const metrics = useMetrics();
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="sm">
        {t('sales.forecast.summary')} — {f.fiscalYear(data.fiscalYear)}
      </Title>
      <ScrollArea>
        <Table striped highlightOnHover withColumnBorders miw={900} aria-label={t('sales.forecast.summary')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th />
              {data.periods.map((p) => (
                <Table.Th key={p.key} ta="right" style={{ whiteSpace: 'nowrap' }}>
                  {f.periodLabel(p.key)}
                  {data.currentPeriod === p.index && (
                    <Badge ml={4} size="xs" variant="light">
                      {t('sales.forecast.current')}
                    </Badge>
                  )}
                </Table.Th>
              ))}
              <Table.Th ta="right">{t('sales.forecast.yearTotal')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {metrics.map((m) => (
              <Table.Tr key={m.key}>
                <Table.Th scope="row" style={{ whiteSpace: 'nowrap' }}>
                  {t(`sales.forecast.metric.${m.key}` as 'sales.forecast.metric.won')}
                </Table.Th>
                {data.totals.periods.map((cells, i) => (
                  <Table.Td key={data.periods[i]?.key} ta="right" style={{ whiteSpace: 'nowrap' }}>
                    {m.value(cellFor(cells, currency), currency)}
                  </Table.Td>
                ))}
                <Table.Td ta="right" fw={600} style={{ whiteSpace: 'nowrap' }}>
                  {m.value(cellFor(data.totals.total, currency), currency)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
    </Paper>
  );
}

function GroupTable({ data, currency }: { data: Forecast; currency: string }) {
  const { t } = useTranslation();
  const f = useForecastFormat();
  const metrics = useMetrics();
  const users = useUsers();
  const teams = useTeams();
  const [shown, setShown] = useState<string>(data.currentPeriod === null ? 'year' : String(data.currentPeriod));
  const index = shown === 'year' ? null : Number(shown);
  const pick = (g: { periods: ForecastCellDto[][]; total: ForecastCellDto[] }) =>
    cellFor(index === null ? g.total : g.periods[index], currency);
  const name = (id: string | null) => {
    if (data.groupBy === 'owner') return users.data?.find((u) => u.id === id)?.name ?? t('sales.forecast.noOwner');
    return teams.data?.find((x) => x.id === id)?.name ?? t('sales.forecast.noTeam');
  };
  const groupLabel = t(`sales.forecast.groupBy.${data.groupBy}` as 'sales.forecast.groupBy.owner');
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          {t('sales.forecast.byGroup', { group: groupLabel })}
        </Title>
        <Select
          aria-label={t('sales.forecast.byGroupPeriod')}
          data={[
            ...data.periods.map((p) => ({ value: String(p.index), label: f.periodLabel(p.key) })),
            { value: 'year', label: t('sales.forecast.yearTotal') },
          ]}
          value={shown}
          onChange={(v) => v && setShown(v)}
          allowDeselect={false}
          w={180}
        />
      </Group>
      {data.groups.length === 0 ? (
        <Text c="dimmed">{t('sales.forecast.empty')}</Text>
      ) : (
        <ScrollArea>
          <Table striped highlightOnHover miw={1000} aria-label={t('sales.forecast.byGroup', { group: groupLabel })}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{groupLabel}</Table.Th>
                {metrics.map((m) => (
                  <Table.Th key={m.key} ta="right" style={{ whiteSpace: 'nowrap' }}>
                    {t(`sales.forecast.metric.${m.key}` as 'sales.forecast.metric.won')}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.groups.map((g) => (
                <Table.Tr key={g.groupId ?? 'none'}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{name(g.groupId)}</Table.Td>
                  {metrics.map((m) => (
                    <Table.Td key={m.key} ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {m.value(pick(g), currency)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
              <Table.Tr fw={600}>
                <Table.Td>{t('sales.forecast.total')}</Table.Td>
                {metrics.map((m) => (
                  <Table.Td key={m.key} ta="right" style={{ whiteSpace: 'nowrap' }}>
                    {m.value(pick(data.totals), currency)}
                  </Table.Td>
                ))}
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </ScrollArea>
      )}
    </Paper>
  );
}
