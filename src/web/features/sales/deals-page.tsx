import { Button, Group, NumberInput, SegmentedControl, Select, Stack, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconBriefcase, IconPlus, IconSettings } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { http } from '../../app/api-client';
import { useCan } from '../../app/session';
import { EmptyState } from '../../ui/empty-state';
import { ErrorState } from '../../ui/error-state';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import { useTeams } from '../accounts/accounts-api';
import { useUsers } from '../customers/customers-api';
import { DealCreateModal } from './deal-create-modal';
import { DealsTable } from './deals-table';
import { PipelineBoard } from './pipeline-board';
import { type Deal, salesKeys, usePipelines } from './sales-api';

/** 商談: the pipeline as a board or a table, with the pipeline picker and filters (owner, team, close month, title, amount). */
export function DealsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const pipelines = usePipelines();
  const users = useUsers();
  const teams = useTeams();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const [ownerId, setOwnerId] = useState<string | null>(null);
  const [teamId, setTeamId] = useState<string | null>(null);
  const [closeMonth, setCloseMonth] = useState('');
  const [titleText, setTitleText] = useState('');
  const [minAmount, setMinAmount] = useState<number | ''>('');
  const [title] = useDebouncedValue(titleText.trim(), 300);

  if (pipelines.isPending) return <PageLoader />;
  if (pipelines.error) return <ErrorState error={pipelines.error} onRetry={() => void pipelines.refetch()} />;
  const pipeline = pipelines.data.find((p) => p.id === params.get('pipeline')) ?? pipelines.data[0];
  const view = params.get('view') === 'table' ? 'table' : 'board';
  const set = (k: string, v: string) =>
    setParams(
      (p) => {
        p.set(k, v);
        return p;
      },
      { replace: true },
    );
  if (!pipeline) return null;
  const scope = {
    ownerId: ownerId ?? undefined,
    teamId: teamId ?? undefined,
    closeMonth: /^\d{4}-\d{2}$/.test(closeMonth) ? closeMonth : undefined,
    title: title || undefined,
    minAmount: minAmount === '' ? undefined : Number(minAmount),
  };

  return (
    <Stack>
      <PageHeader title={t('sales.deals.title')}>
        <Group>
          <Select
            aria-label={t('sales.deals.pipeline')}
            data={pipelines.data.map((p) => ({ value: p.id, label: p.name }))}
            value={pipeline.id}
            onChange={(v) => v && set('pipeline', v)}
            allowDeselect={false}
            w={200}
          />
          <SegmentedControl
            value={view}
            onChange={(v) => set('view', v)}
            data={[
              { value: 'board', label: t('sales.deals.board') },
              { value: 'table', label: t('sales.deals.table') },
            ]}
          />
          {can('workspace.manage') && (
            <Button
              component={Link}
              to={`/deals/settings?pipeline=${pipeline.id}`}
              variant="default"
              leftSection={<IconSettings size={16} />}
            >
              {t('sales.deals.settings')}
            </Button>
          )}
          {can('records.write') && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              {t('sales.deals.new')}
            </Button>
          )}
        </Group>
      </PageHeader>
      <Group align="flex-end">
        <Select
          label={t('sales.deals.filters.owner')}
          placeholder={t('sales.deals.filters.anyOwner')}
          data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
          value={ownerId}
          onChange={setOwnerId}
          clearable
          searchable
          w={200}
        />
        <Select
          label={t('sales.deals.filters.team')}
          placeholder={t('sales.deals.filters.anyTeam')}
          data={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
          value={teamId}
          onChange={setTeamId}
          clearable
          w={180}
        />
        <TextInput
          type="month"
          label={t('sales.deals.filters.closeMonth')}
          value={closeMonth}
          onChange={(e) => setCloseMonth(e.currentTarget.value)}
          w={170}
        />
        <TextInput label={t('sales.deals.filters.title')} value={titleText} onChange={(e) => setTitleText(e.currentTarget.value)} w={200} />
        <NumberInput
          label={t('sales.deals.filters.minAmount')}
          value={minAmount}
          onChange={(v) => setMinAmount(v === '' ? '' : Number(v))}
          min={0}
          thousandSeparator=","
          w={160}
        />
        {(ownerId || teamId || closeMonth || titleText || minAmount !== '') && (
          <Button
            variant="subtle"
            onClick={() => {
              setOwnerId(null);
              setTeamId(null);
              setCloseMonth('');
              setTitleText('');
              setMinAmount('');
            }}
          >
            {t('sales.deals.filters.clear')}
          </Button>
        )}
      </Group>
      {!(ownerId || teamId || closeMonth || titleText || minAmount !== '') && (
        <NoDealsYet pipelineId={pipeline.id} onCreate={can('records.write') ? () => setCreating(true) : undefined} />
      )}
      {view === 'board' ? <PipelineBoard pipelineId={pipeline.id} scope={scope} /> : <DealsTable pipelineId={pipeline.id} scope={scope} />}
      {creating && <DealCreateModal pipeline={pipeline} onClose={() => setCreating(false)} />}
    </Stack>
  );
}

/** A pipeline without a single deal: the first step, above its empty board or table. */
function NoDealsYet({ pipelineId, onCreate }: { pipelineId: string; onCreate?: () => void }) {
  const { t } = useTranslation();
  const any = useQuery({
    queryKey: [...salesKeys.deals, pipelineId, 'any'],
    queryFn: () => http.get<{ data: Deal[] }>('/api/v1/deals', { pipelineId, limit: 1 }),
  });
  if (!any.data || any.data.data.length > 0) return null;
  return (
    <EmptyState message={t('sales.deals.emptyState')} icon={<IconBriefcase size={24} />}>
      {onCreate && (
        <Button leftSection={<IconPlus size={16} />} onClick={onCreate}>
          {t('sales.deals.emptyAdd')}
        </Button>
      )}
    </EmptyState>
  );
}
