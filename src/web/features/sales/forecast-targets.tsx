import { Button, Group, Modal, SegmentedControl, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fiscalPeriods } from '../../../shared/forecast-math';
import { api } from '../../app/api-client';
import { ErrorAlert } from '../../ui/error-alert';
import { CURRENCIES, MoneyInput } from '../../ui/money';
import { useTeams } from '../accounts/accounts-api';
import { useUsers } from '../customers/customers-api';
import { type SalesTarget, useSalesTargets } from './forecast-api';
import { useForecastFormat } from './forecast-format';

type Subject = 'workspace' | 'owner' | 'team';

/** 目標の設定: twelve monthly amounts of one subject (the company, an owner or a team) in one currency. */
export function TargetsEditor({ fiscalYear, startMonth, onClose }: { fiscalYear: number; startMonth: number; onClose: () => void }) {
  const { t } = useTranslation();
  const f = useForecastFormat();
  const queryClient = useQueryClient();
  const users = useUsers();
  const teams = useTeams();
  const targets = useSalesTargets(fiscalYear);
  const months = fiscalPeriods(fiscalYear, startMonth, 'month').map((p) => p.key);
  const [subject, setSubject] = useState<Subject>('workspace');
  const [subjectId, setSubjectId] = useState<string | null>(null);
  const [currency, setCurrency] = useState('JPY');
  const [values, setValues] = useState<Record<string, number | null>>({});

  const matches = (x: SalesTarget) =>
    x.currency === currency &&
    (subject === 'workspace' ? !x.ownerId && !x.teamId : subject === 'owner' ? x.ownerId === subjectId : x.teamId === subjectId);
  // typed amounts per subject, currency and month; untouched months show the saved target
  const key = `${subject}|${subjectId ?? ''}|${currency}`;
  const saved = (targets.data?.data ?? []).filter(matches);
  const amountIn = (m: string) => {
    const typed = values[`${key}|${m}`];
    return typed !== undefined ? typed : (saved.find((x) => x.month === m)?.amount ?? null);
  };

  const ready = subject === 'workspace' || !!subjectId;
  const save = useMutation({
    mutationFn: () =>
      api('PUT', '/api/v1/sales-targets', {
        body: {
          items: months.map((month) => ({
            month,
            currency,
            ownerId: subject === 'owner' ? subjectId : null,
            teamId: subject === 'team' ? subjectId : null,
            amount: amountIn(month),
          })),
        },
      }),
    onSuccess: () => {
      notifications.show({ message: t('sales.forecast.targets.saved'), color: 'green' });
      onClose();
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['sales'] }),
  });
  const total = months.reduce((sum, m) => sum + (amountIn(m) ?? 0), 0);

  return (
    <Modal opened onClose={onClose} title={`${t('sales.forecast.targets.title')} — ${f.fiscalYear(fiscalYear)}`} size="xl">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) save.mutate();
        }}
      >
        <Stack>
          <Group align="flex-end">
            <SegmentedControl
              aria-label={t('sales.forecast.targets.subject')}
              value={subject}
              onChange={(v) => {
                setSubject(v as Subject);
                setSubjectId(null);
              }}
              data={(['workspace', 'owner', 'team'] as const).map((s) => ({ value: s, label: t(`sales.forecast.targets.${s}`) }))}
            />
            {subject === 'owner' && (
              <Select
                aria-label={t('sales.forecast.targets.owner')}
                placeholder={t('sales.forecast.targets.pickOwner')}
                data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
                value={subjectId}
                onChange={setSubjectId}
                searchable
                w={220}
              />
            )}
            {subject === 'team' && (
              <Select
                aria-label={t('sales.forecast.targets.team')}
                placeholder={t('sales.forecast.targets.pickTeam')}
                data={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
                value={subjectId}
                onChange={setSubjectId}
                w={220}
              />
            )}
            <Select
              label={t('sales.forecast.currency')}
              data={CURRENCIES}
              value={currency}
              onChange={(v) => v && setCurrency(v)}
              allowDeselect={false}
              w={110}
            />
          </Group>
          <Text size="sm" c="dimmed">
            {t('sales.forecast.targets.hint', { currency })}
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 3, md: 4 }}>
            {months.map((m) => (
              <MoneyInput
                key={m}
                label={f.periodLabel(m)}
                currency={currency}
                value={amountIn(m)}
                onChange={(v) => setValues((s) => ({ ...s, [`${key}|${m}`]: v }))}
                disabled={!ready}
              />
            ))}
          </SimpleGrid>
          <Text fw={600}>{t('sales.forecast.targets.yearTotal', { amount: f.money(total, currency) })}</Text>
          <ErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!ready}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
