import { Anchor, Badge, Group, Paper, Progress, ScrollArea, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { ForecastCellDto } from '../../../shared/contracts/forecast';
import { useRealtimeState } from '../../app/realtime';
import { ErrorState } from '../../ui/error-state';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import { useUsers } from '../customers/customers-api';
import { useActivityCounts, useSalesDashboard } from './forecast-api';
import { cellFor, currenciesOf, useForecastFormat } from './forecast-format';
import { usePipelines } from './sales-api';

/**
 * 営業ダッシュボード: pipeline by stage, this month and quarter against target, each rep's month and activities.
 * Plain Mantine bars (no chart library on the first load); live through the ['sales'] realtime invalidation.
 */
export function SalesDashboardPage() {
  const { t } = useTranslation();
  const f = useForecastFormat();
  const pipelines = usePipelines();
  const [pipelineId, setPipelineId] = useState<string | undefined>();
  const dashboard = useSalesDashboard(pipelineId);
  const activities = useActivityCounts();
  const users = useUsers();
  const live = useRealtimeState();
  const [currency, setCurrency] = useState('JPY');

  if (dashboard.isPending) return <PageLoader />;
  if (dashboard.error) return <ErrorState error={dashboard.error} onRetry={() => void dashboard.refetch()} />;
  const d = dashboard.data;
  const currencies = currenciesOf([d.month.cells, d.quarter.cells, ...d.stages.map((s) => s.totals)]);
  const stageRows = d.stages.map((s) => ({ stage: s.stage, total: s.totals.find((x) => x.currency === currency) }));
  const maxAmount = Math.max(1, ...stageRows.map((r) => r.total?.amount ?? 0));
  const userName = (id: string | null) => users.data?.find((u) => u.id === id)?.name ?? t('sales.forecast.noOwner');
  const repIds = [...new Set([...d.reps.map((r) => r.userId), ...(activities.data?.data ?? []).map((a) => a.userId)])];

  return (
    <Stack>
      <PageHeader title={t('sales.forecast.dashboard.title')}>
        <Group>
          <Badge variant="dot" color={live === 'live' ? 'green' : 'gray'}>
            {t('sales.forecast.dashboard.live')}
          </Badge>
          <Select
            aria-label={t('sales.forecast.pipeline')}
            data={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
            value={pipelineId ?? d.pipeline.id}
            onChange={(v) => setPipelineId(v ?? undefined)}
            allowDeselect={false}
            w={200}
          />
          {currencies.length > 1 && (
            <Select
              aria-label={t('sales.forecast.currency')}
              data={currencies}
              value={currency}
              onChange={(v) => v && setCurrency(v)}
              allowDeselect={false}
              w={100}
            />
          )}
          <Anchor component={Link} to="/forecast">
            {t('sales.forecast.dashboard.openForecast')}
          </Anchor>
        </Group>
      </PageHeader>

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <TargetCard
          title={t('sales.forecast.dashboard.thisMonth', { month: f.periodLabel(d.month.key) })}
          cell={cellFor(d.month.cells, currency)}
          currency={currency}
        />
        <TargetCard
          title={t('sales.forecast.dashboard.thisQuarter', { quarter: `${f.fiscalYear(d.fiscalYear)} ${f.periodLabel(d.quarter.key)}` })}
          cell={cellFor(d.quarter.cells, currency)}
          currency={currency}
        />
      </SimpleGrid>

      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">
          {t('sales.forecast.dashboard.pipelineByStage')} — {d.pipeline.name}
        </Title>
        <Stack gap="xs" aria-label={t('sales.forecast.dashboard.pipelineByStage')}>
          {stageRows.map(({ stage, total }) => (
            <div key={stage.id}>
              <Group justify="space-between" gap="xs">
                <Text size="sm" fw={500}>
                  {stage.name} ({stage.probability}%)
                </Text>
                <Text size="sm" c="dimmed">
                  {t('sales.deals.count', { count: total?.count ?? 0 })} · {f.money(total?.amount ?? 0, currency)} ·{' '}
                  {t('sales.forecast.dashboard.weighted')} {f.money(total?.weightedAmount ?? 0, currency)}
                </Text>
              </Group>
              <Progress.Root size="lg" aria-hidden>
                <Progress.Section value={((total?.weightedAmount ?? 0) / maxAmount) * 100} color="blue" />
                <Progress.Section value={(((total?.amount ?? 0) - (total?.weightedAmount ?? 0)) / maxAmount) * 100} color="blue.2" />
              </Progress.Root>
            </div>
          ))}
        </Stack>
      </Paper>

      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">
          {t('sales.forecast.dashboard.reps')}
        </Title>
        <ScrollArea>
          <Table striped miw={900} aria-label={t('sales.forecast.dashboard.reps')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('sales.forecast.dashboard.rep')}</Table.Th>
                <Table.Th ta="right">{t('sales.forecast.metric.won')}</Table.Th>
                <Table.Th ta="right">{t('sales.forecast.metric.target')}</Table.Th>
                <Table.Th ta="right">{t('sales.forecast.metric.attainment')}</Table.Th>
                <Table.Th ta="right">{t('sales.forecast.metric.commit')}</Table.Th>
                <Table.Th ta="right">{t('sales.forecast.metric.weighted')}</Table.Th>
                <Table.Th ta="right">{t('sales.forecast.dashboard.activitiesWeek')}</Table.Th>
                <Table.Th ta="right">{t('sales.forecast.dashboard.activitiesMonth')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {repIds.map((id) => {
                const c = cellFor(d.reps.find((r) => r.userId === id)?.month, currency);
                const a = activities.data?.data.find((x) => x.userId === id);
                return (
                  <Table.Tr key={id ?? 'none'}>
                    <Table.Td>{userName(id)}</Table.Td>
                    <Table.Td ta="right">{f.money(c?.wonAmount ?? 0, currency)}</Table.Td>
                    <Table.Td ta="right">{f.amount(c?.target ?? null, currency)}</Table.Td>
                    <Table.Td ta="right">{f.bp(c?.attainmentBp ?? null)}</Table.Td>
                    <Table.Td ta="right">{f.money(c?.commit ?? 0, currency)}</Table.Td>
                    <Table.Td ta="right">{f.money(c?.weightedAmount ?? 0, currency)}</Table.Td>
                    <Table.Td ta="right">{a ? t('sales.forecast.dashboard.activityBreakdown', a.week) : '—'}</Table.Td>
                    <Table.Td ta="right">{a ? t('sales.forecast.dashboard.activityBreakdown', a.month) : '—'}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      </Paper>
    </Stack>
  );
}

function TargetCard({ title, cell, currency }: { title: string; cell: ForecastCellDto | undefined; currency: string }) {
  const { t } = useTranslation();
  const f = useForecastFormat();
  const won = cell?.wonAmount ?? 0;
  const target = cell?.target ?? null;
  const pct = target ? Math.min(100, (won / target) * 100) : 0;
  return (
    <Paper withBorder p="md">
      <Text size="sm" c="dimmed">
        {title}
      </Text>
      <Group justify="space-between" align="baseline" mt={4}>
        <Text size="xl" fw={700}>
          {f.money(won, currency)}
        </Text>
        <Text size="lg" fw={600} c={cell?.attainmentBp && cell.attainmentBp >= 10_000 ? 'green' : undefined}>
          {f.bp(cell?.attainmentBp ?? null)}
        </Text>
      </Group>
      <Progress value={pct} mt="xs" aria-label={t('sales.forecast.metric.attainment')} />
      <Text size="sm" mt={4}>
        {target === null
          ? t('sales.forecast.dashboard.noTarget')
          : t('sales.forecast.dashboard.vsTarget', { won: f.money(won, currency), target: f.money(target, currency) })}
      </Text>
      <Group gap="lg" mt="xs">
        <Figure label={t('sales.forecast.metric.commit')} value={f.money(cell?.commit ?? 0, currency)} />
        <Figure label={t('sales.forecast.metric.bestCase')} value={f.money(cell?.bestCase ?? 0, currency)} />
        <Figure label={t('sales.forecast.metric.weighted')} value={f.money(cell?.weightedAmount ?? 0, currency)} />
        <Figure label={t('sales.forecast.metric.winRate')} value={f.bp(cell?.winRateBp ?? null)} />
      </Group>
    </Paper>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={500}>
        {value}
      </Text>
    </div>
  );
}
