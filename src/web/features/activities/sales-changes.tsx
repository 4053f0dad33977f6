import { Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useMoney } from '../../ui/money';
import { useTeams, useUsers } from '../accounts/accounts-api';

type Change = { field: string; before: unknown; after: unknown };

// Derived or internal fields a person does not edit: the change that caused them is shown instead.
const HIDDEN = new Set([
  'weightedAmount',
  'stageId',
  'pipelineId',
  'probability',
  'hasLineItems',
  'idleSince',
  'rotting',
  'stageEnteredAt',
]);
const MONEY = new Set(['amount']);

/**
 * The changed fields of a deal or lead as a person reads them: translated field names, statuses, sources and
 * forecast categories by their labels, people by name, money in one format (¥120,000), never raw codes or JSON.
 */
export function SalesChanges({ recordType, changes }: { recordType: 'deal' | 'lead'; changes: Change[] }) {
  const { t } = useTranslation();
  const money = useMoney();
  const users = useUsers();
  const teams = useTeams();
  const currencyChange = changes.find((c) => c.field === 'currency');
  const currency = typeof currencyChange?.after === 'string' ? currencyChange.after : 'JPY';

  const value = (field: string, v: unknown): string => {
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) return t('activities.change.empty');
    if (MONEY.has(field) && typeof v === 'number') return money(v, currency);
    if (field === 'status')
      return recordType === 'deal' ? t(`sales.deals.status.${String(v)}`, { defaultValue: String(v) }) : leadStatus(String(v));
    if (field === 'source') return t(`sales.leads.source.${String(v)}`, { defaultValue: String(v) });
    if (field === 'forecastCategory') return t(`sales.forecast.category.${String(v)}`, { defaultValue: String(v) });
    if (field === 'ownerId') return users.data?.find((u) => u.id === v)?.name ?? t('activities.sales.someone');
    if (field === 'teamId') return teams.data?.find((x) => x.id === v)?.name ?? t('activities.sales.someTeam');
    if (typeof v === 'object' && !Array.isArray(v) && 'name' in v) return String((v as { name: unknown }).name);
    if (Array.isArray(v)) return v.map((x) => String(x)).join('、');
    return String(v);
  };
  const leadStatus = (v: string) => t(`sales.leads.status.${v}`, { defaultValue: v });

  const lines: ReactNode[] = changes
    .filter((c) => !HIDDEN.has(c.field))
    .map((c) => (
      <Text key={c.field} size="sm" style={{ wordBreak: 'break-word' }} data-testid="timeline-change">
        <Text span c="dimmed">
          {t(`activities.sales.fields.${recordType}.${c.field}`, { defaultValue: t('activities.sales.fields.other') })}:
        </Text>{' '}
        {value(c.field, c.before)} → {value(c.field, c.after)}
      </Text>
    ));
  return <>{lines}</>;
}
