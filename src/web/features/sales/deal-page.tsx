import { Anchor, Badge, Button, Group, Modal, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowLeft, IconPencil } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { type ForecastCategory, forecastCategories, type Stage } from '../../../shared/contracts/sales';
import { http } from '../../app/api-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { useFormatDateTime } from '../../ui/format';
import { CURRENCIES, MoneyInput, useMoney } from '../../ui/money';
import { PageLoader } from '../../ui/page-loader';
import { RecordActivity } from '../activities/record-activity';
import { CompanyPicker } from '../customers/company-picker';
import { useUsers } from '../customers/customers-api';
import { DealCloseDialog } from './deal-close-dialog';
import { LineItemsEditor } from './line-items-editor';
import { PersonPicker } from './person-picker';
import { type Deal, type DealDetail, salesKeys, useDeal, usePipelines, useStageHistory } from './sales-api';

/** 商談詳細: stage (move, won/lost with reason), details, line items, time spent in each stage. */
export function DealPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const can = useCan();
  const money = useMoney();
  const queryClient = useQueryClient();
  const deal = useDeal(id);
  const pipelines = usePipelines();
  const users = useUsers();
  const [editing, setEditing] = useState(false);
  const [closing, setClosing] = useState<Stage | null>(null);
  const move = useMutation({
    mutationFn: (v: { stageId: string; closeReason?: string | null; competitor?: string | null }) =>
      http.post<Deal>(`/api/v1/deals/${id}/move`, { version: deal.data?.version, ...v }),
    onSuccess: () => {
      setClosing(null);
      notifications.show({ message: t('common.saved'), color: 'green' });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: salesKeys.all }),
  });

  if (deal.isPending || pipelines.isPending) return <PageLoader />;
  if (deal.error) return <ErrorState error={deal.error} onRetry={() => void deal.refetch()} />;
  const d = deal.data;
  const pipeline = pipelines.data?.find((p) => p.id === d.pipelineId);
  const writable = can('records.write') && !d.deletedAt;
  const owner = users.data?.find((u) => u.id === d.ownerId)?.name ?? t('common.none');

  return (
    <Stack>
      <Anchor component={Link} to={`/deals?pipeline=${d.pipelineId}`} size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t('sales.deals.page.back')}
        </Group>
      </Anchor>
      <Group justify="space-between" wrap="wrap">
        <Group>
          <Title order={1} size="h2">
            {d.title}
          </Title>
          <Badge color={d.status === 'won' ? 'green' : d.status === 'lost' ? 'gray' : 'blue'}>{t(`sales.deals.status.${d.status}`)}</Badge>
        </Group>
        <Group>
          <Select
            aria-label={t('sales.deals.field.stage')}
            data={(pipeline?.stages ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.probability}%)` }))}
            value={d.stageId}
            disabled={!writable}
            allowDeselect={false}
            onChange={(stageId) => {
              const stage = pipeline?.stages.find((s) => s.id === stageId);
              if (!stage || stage.id === d.stageId) return;
              if (stage.kind === 'open') move.mutate({ stageId: stage.id });
              else setClosing(stage);
            }}
            w={220}
          />
          {writable && (
            <Button variant="default" leftSection={<IconPencil size={16} />} onClick={() => setEditing(true)}>
              {t('sales.deals.page.edit')}
            </Button>
          )}
        </Group>
      </Group>
      {move.error && !closing && <ErrorAlert error={move.error} />}

      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
          <Field label={t('sales.deals.field.amount')}>{money(d.amount, d.currency)}</Field>
          <Field label={t('sales.deals.col.weighted')}>
            {money(d.weightedAmount, d.currency)} ({d.probability}%)
          </Field>
          <Field label={t('sales.deals.field.closeDate')}>{d.expectedCloseDate ?? t('common.none')}</Field>
          <Field label={t('sales.deals.field.owner')}>{owner}</Field>
          <Field label={t('sales.deals.field.company')}>
            {d.company ? (
              <Anchor component={Link} to={`/companies/${d.company.id}`}>
                {d.company.name}
              </Anchor>
            ) : (
              t('common.none')
            )}
          </Field>
          <Field label={t('sales.deals.field.person')}>
            {d.person ? (
              <Anchor component={Link} to={`/people/${d.person.id}`}>
                {d.person.name}
              </Anchor>
            ) : (
              t('common.none')
            )}
          </Field>
          <Field label={t('sales.deals.field.nextStep')}>{d.nextStep ?? t('common.none')}</Field>
          <Field label={t('sales.forecast.category.label')}>{t(`sales.forecast.category.${d.forecastCategory}`)}</Field>
          {d.status !== 'open' && <Field label={t('sales.deals.field.reason')}>{d.closeReason ?? t('common.none')}</Field>}
          {d.status !== 'open' && <Field label={t('sales.deals.field.competitor')}>{d.competitor ?? t('common.none')}</Field>}
          {d.leadId && (
            <Field label={t('sales.deals.page.fromLead')}>
              <Anchor component={Link} to={`/leads/${d.leadId}`}>
                {t('sales.leads.title')}
              </Anchor>
            </Field>
          )}
        </SimpleGrid>
      </Paper>

      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">
          {t('sales.deals.page.lineItems')}
        </Title>
        <LineItemsEditor key={`${d.id}:${d.version}`} deal={d} readOnly={!writable} />
      </Paper>

      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">
          {t('sales.deals.page.history')}
        </Title>
        <StageHistory dealId={d.id} version={d.version} />
      </Paper>
      <RecordActivity entityType="deal" entityId={d.id} />

      {editing && <DealEditModal deal={d} onClose={() => setEditing(false)} />}
      {closing && (
        <DealCloseDialog
          stage={closing}
          pending={move.isPending}
          error={move.error}
          onClose={() => {
            setClosing(null);
            move.reset();
          }}
          onConfirm={(v) => move.mutate({ stageId: closing.id, ...v })}
        />
      )}
    </Stack>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text component="div">{children}</Text>
    </div>
  );
}

export function useFormatDuration() {
  const { t } = useTranslation();
  return (seconds: number) => {
    if (seconds >= 86_400) return t('sales.duration.days', { count: Math.floor(seconds / 86_400) });
    if (seconds >= 3_600) return t('sales.duration.hours', { count: Math.floor(seconds / 3_600) });
    return t('sales.duration.minutes', { count: Math.floor(seconds / 60) });
  };
}

function StageHistory({ dealId, version }: { dealId: string; version: number }) {
  const { t } = useTranslation();
  const history = useStageHistory(dealId);
  const fmt = useFormatDateTime();
  const duration = useFormatDuration();
  if (history.isPending) return null;
  if (history.error) return <ErrorAlert error={history.error} />;
  return (
    <Table data-version={version}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('sales.deals.history.stage')}</Table.Th>
          <Table.Th>{t('sales.deals.history.entered')}</Table.Th>
          <Table.Th>{t('sales.deals.history.left')}</Table.Th>
          <Table.Th>{t('sales.deals.history.duration')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {history.data.map((h) => (
          <Table.Tr key={h.id}>
            <Table.Td>{h.stageName}</Table.Td>
            <Table.Td>{fmt(h.enteredAt)}</Table.Td>
            <Table.Td>{h.leftAt ? fmt(h.leftAt) : t('sales.deals.history.current')}</Table.Td>
            <Table.Td>{duration(h.durationSeconds)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function DealEditModal({ deal, onClose }: { deal: DealDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const users = useUsers();
  const [title, setTitle] = useState(deal.title);
  const [amount, setAmount] = useState<number | null>(deal.amount);
  const [currency, setCurrency] = useState(deal.currency);
  const [closeDate, setCloseDate] = useState(deal.expectedCloseDate ?? '');
  const [nextStep, setNextStep] = useState(deal.nextStep ?? '');
  const [ownerId, setOwnerId] = useState<string | null>(deal.ownerId);
  const [forecastCategory, setForecastCategory] = useState<ForecastCategory>(deal.forecastCategory);
  const [company, setCompany] = useState(deal.company);
  const [person, setPerson] = useState(deal.person);
  const save = useMutation({
    mutationFn: () =>
      http.patch<Deal>(`/api/v1/deals/${deal.id}`, {
        version: deal.version,
        title,
        ...(deal.hasLineItems ? {} : { amount: amount ?? 0, currency }),
        expectedCloseDate: closeDate || null,
        nextStep: nextStep || null,
        ownerId,
        forecastCategory,
        companyId: company?.id ?? null,
        personId: person?.id ?? null,
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: salesKeys.all });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('sales.deals.page.edit')} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <TextInput label={t('sales.deals.field.title')} value={title} onChange={(e) => setTitle(e.currentTarget.value)} required />
          {deal.hasLineItems ? (
            <Text size="sm" c="dimmed">
              {t('sales.deals.page.amountFromLines')}
            </Text>
          ) : (
            <SimpleGrid cols={2}>
              <MoneyInput label={t('sales.deals.field.amount')} value={amount} onChange={setAmount} currency={currency} />
              <Select
                label={t('sales.deals.field.currency')}
                data={CURRENCIES}
                value={currency}
                onChange={(v) => setCurrency(v ?? currency)}
                allowDeselect={false}
              />
            </SimpleGrid>
          )}
          <TextInput
            type="date"
            label={t('sales.deals.field.closeDate')}
            value={closeDate}
            onChange={(e) => setCloseDate(e.currentTarget.value)}
          />
          <TextInput label={t('sales.deals.field.nextStep')} value={nextStep} onChange={(e) => setNextStep(e.currentTarget.value)} />
          <Select
            label={t('sales.deals.field.owner')}
            data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
            value={ownerId}
            onChange={setOwnerId}
            clearable
            searchable
          />
          <Select
            label={t('sales.forecast.category.label')}
            data={forecastCategories.map((c) => ({ value: c, label: t(`sales.forecast.category.${c}`) }))}
            value={forecastCategory}
            onChange={(v) => v && setForecastCategory(v as ForecastCategory)}
            allowDeselect={false}
          />
          <CompanyPicker label={t('sales.deals.field.company')} value={company} onChange={setCompany} />
          <PersonPicker label={t('sales.deals.field.person')} value={person} onChange={setPerson} />
          <ErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
