import { Button, Group, Modal, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { http } from '../../app/api-client';
import { ErrorAlert } from '../../ui/error-alert';
import { CURRENCIES, MoneyInput } from '../../ui/money';
import { CompanyPicker } from '../customers/company-picker';
import { type Deal, type Pipeline, salesKeys } from './sales-api';

/** 商談を登録: title, stage, amount (whole units typed, minor units sent), close date, company. */
export function DealCreateModal({ pipeline, onClose }: { pipeline: Pipeline; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const openStages = pipeline.stages.filter((s) => s.kind === 'open');
  const [title, setTitle] = useState('');
  const [stageId, setStageId] = useState<string | null>(openStages[0]?.id ?? null);
  const [amount, setAmount] = useState<number | null>(0);
  const [currency, setCurrency] = useState('JPY');
  const [closeDate, setCloseDate] = useState('');
  const [company, setCompany] = useState<{ id: string; name: string } | null>(null);
  const create = useMutation({
    mutationFn: () =>
      http.post<Deal>('/api/v1/deals', {
        title,
        pipelineId: pipeline.id,
        stageId,
        amount: amount ?? 0,
        currency,
        expectedCloseDate: closeDate || null,
        companyId: company?.id ?? null,
      }),
    onSuccess: (deal) => {
      void queryClient.invalidateQueries({ queryKey: salesKeys.all });
      onClose();
      navigate(`/deals/${deal.id}`);
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('sales.deals.new')} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <TextInput
            label={t('sales.deals.field.title')}
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            required
            data-autofocus
          />
          <Select
            label={t('sales.deals.field.stage')}
            data={openStages.map((s) => ({ value: s.id, label: `${s.name} (${s.probability}%)` }))}
            value={stageId}
            onChange={setStageId}
            allowDeselect={false}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <MoneyInput label={t('sales.deals.field.amount')} value={amount} onChange={setAmount} currency={currency} />
            <Select
              label={t('sales.deals.field.currency')}
              data={CURRENCIES}
              value={currency}
              onChange={(v) => setCurrency(v ?? 'JPY')}
              allowDeselect={false}
            />
          </SimpleGrid>
          <TextInput
            type="date"
            label={t('sales.deals.field.closeDate')}
            value={closeDate}
            onChange={(e) => setCloseDate(e.currentTarget.value)}
          />
          <CompanyPicker label={t('sales.deals.field.company')} value={company} onChange={setCompany} />
          <ErrorAlert error={create.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
