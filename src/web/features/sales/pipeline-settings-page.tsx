import { ActionIcon, Button, Group, NumberInput, Paper, Select, Stack, Table, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { StageKind } from '../../../shared/contracts/sales';
import { http } from '../../app/api-client';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { PageHeader } from '../../ui/page-header';
import { PageLoader } from '../../ui/page-loader';
import { type Pipeline, put, salesKeys, usePipelines } from './sales-api';
import { SalesSettingsCard } from './sales-settings-card';

interface StageDraft {
  key: string;
  id?: string;
  name: string;
  probability: number;
  kind: StageKind;
}

/** パイプライン設定 (administrators): stage names, order, win probabilities and kinds. */
export function PipelineSettingsPage() {
  const { t } = useTranslation();
  const pipelines = usePipelines();
  const [params, setParams] = useSearchParams();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () =>
      http.post<Pipeline>('/api/v1/pipelines', {
        name: t('sales.pipelines.newPipeline'),
        stages: [
          { name: t('sales.pipelines.kinds.open'), probability: 10, kind: 'open' },
          { name: t('sales.pipelines.kinds.won'), probability: 100, kind: 'won' },
          { name: t('sales.pipelines.kinds.lost'), probability: 0, kind: 'lost' },
        ],
      }),
    onSuccess: (p) => {
      void queryClient.invalidateQueries({ queryKey: salesKeys.pipelines });
      setParams({ pipeline: p.id });
    },
  });
  if (pipelines.isPending) return <PageLoader />;
  if (pipelines.error) return <ErrorState error={pipelines.error} />;
  const pipeline = pipelines.data.find((p) => p.id === params.get('pipeline')) ?? pipelines.data[0];
  return (
    <Stack>
      <PageHeader title={t('sales.pipelines.title')}>
        <Group>
          <Select
            aria-label={t('sales.deals.pipeline')}
            data={pipelines.data.map((p) => ({ value: p.id, label: p.name }))}
            value={pipeline?.id ?? null}
            onChange={(v) => v && setParams({ pipeline: v })}
            allowDeselect={false}
          />
          <Button variant="default" leftSection={<IconPlus size={16} />} onClick={() => create.mutate()} loading={create.isPending}>
            {t('sales.pipelines.newPipeline')}
          </Button>
        </Group>
      </PageHeader>
      <ErrorAlert error={create.error} />
      {pipeline && <PipelineEditor key={`${pipeline.id}:${pipeline.version}`} pipeline={pipeline} />}
      <SalesSettingsCard />
    </Stack>
  );
}

function PipelineEditor({ pipeline }: { pipeline: Pipeline }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState(pipeline.name);
  const [rottingDays, setRottingDays] = useState<number | null>(pipeline.rottingDays);
  const [stages, setStages] = useState<StageDraft[]>(pipeline.stages.map((s) => ({ key: s.id, ...s })));
  const update = (key: string, patch: Partial<StageDraft>) => setStages((ss) => ss.map((s) => (s.key === key ? { ...s, ...patch } : s)));
  const swap = (i: number, j: number) =>
    setStages((ss) => {
      const next = [...ss];
      [next[i], next[j]] = [next[j] as StageDraft, next[i] as StageDraft];
      return next;
    });
  const save = useMutation({
    mutationFn: () =>
      put<Pipeline>(`/api/v1/pipelines/${pipeline.id}`, {
        version: pipeline.version,
        name,
        rottingDays,
        stages: stages.map((s) => ({ id: s.id, name: s.name, probability: s.probability, kind: s.kind })),
      }),
    onSuccess: () => {
      notifications.show({ message: t('sales.pipelines.saved'), color: 'green' });
      void queryClient.invalidateQueries({ queryKey: salesKeys.all });
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
          <TextInput label={t('sales.pipelines.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required maw={400} />
          <NumberInput
            label={t('sales.pipelines.rottingDays')}
            description={t('sales.pipelines.rottingHint')}
            value={rottingDays ?? ''}
            onChange={(v) => setRottingDays(v === '' ? null : Number(v))}
            min={1}
            max={3650}
            allowDecimal={false}
            allowNegative={false}
            maw={400}
          />
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('sales.pipelines.stageName')}</Table.Th>
                <Table.Th w={170}>{t('sales.pipelines.probability')}</Table.Th>
                <Table.Th w={140}>{t('sales.pipelines.kind')}</Table.Th>
                <Table.Th w={120} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {stages.map((s, i) => (
                <Table.Tr key={s.key}>
                  <Table.Td>
                    <TextInput
                      aria-label={t('sales.pipelines.stageName')}
                      value={s.name}
                      onChange={(e) => update(s.key, { name: e.currentTarget.value })}
                      required
                    />
                  </Table.Td>
                  <Table.Td>
                    <NumberInput
                      aria-label={`${s.name} ${t('sales.pipelines.probability')}`}
                      value={s.probability}
                      min={0}
                      max={100}
                      allowDecimal={false}
                      onChange={(v) => update(s.key, { probability: Math.min(100, Math.max(0, Math.trunc(Number(v) || 0))) })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={t('sales.pipelines.kind')}
                      data={(['open', 'won', 'lost'] as const).map((k) => ({ value: k, label: t(`sales.pipelines.kinds.${k}`) }))}
                      value={s.kind}
                      onChange={(k) => k && update(s.key, { kind: k as StageKind })}
                      allowDeselect={false}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <ActionIcon
                        variant="subtle"
                        aria-label={t('sales.pipelines.up', { name: s.name })}
                        disabled={i === 0}
                        onClick={() => swap(i, i - 1)}
                      >
                        <IconArrowUp size={16} />
                      </ActionIcon>
                      <ActionIcon
                        variant="subtle"
                        aria-label={t('sales.pipelines.down', { name: s.name })}
                        disabled={i === stages.length - 1}
                        onClick={() => swap(i, i + 1)}
                      >
                        <IconArrowDown size={16} />
                      </ActionIcon>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={t('sales.pipelines.remove', { name: s.name })}
                        onClick={() => setStages((ss) => ss.filter((x) => x.key !== s.key))}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between">
            <Button
              variant="default"
              leftSection={<IconPlus size={16} />}
              onClick={() => setStages((ss) => [...ss, { key: `new-${Date.now()}`, name: '', probability: 50, kind: 'open' }])}
            >
              {t('sales.pipelines.addStage')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
          <ErrorAlert error={save.error} />
        </Stack>
      </form>
    </Paper>
  );
}
