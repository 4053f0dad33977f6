import { Button, Group, Select, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useUsers } from '../accounts/accounts-api';
import { actionKey, entityKey, knownActions, knownEntityTypes } from './audit-api';

export interface AuditFilterValues {
  action: string | null;
  entityType: string | null;
  actorId: string | null;
  /** YYYY-MM-DD */
  from: string;
  to: string;
}

export const emptyFilters: AuditFilterValues = { action: null, entityType: null, actorId: null, from: '', to: '' };

export function AuditFilters({ value, onChange }: { value: AuditFilterValues; onChange: (v: AuditFilterValues) => void }) {
  const { t } = useTranslation();
  const users = useUsers();
  const set = <K extends keyof AuditFilterValues>(key: K, v: AuditFilterValues[K]) => onChange({ ...value, [key]: v });

  return (
    <Group align="flex-end" gap="sm" mb="md" wrap="wrap" role="search" aria-label={t('audit.filters')}>
      <Select
        label={t('audit.action')}
        placeholder={t('audit.any')}
        data={knownActions.map((a) => ({ value: a, label: t(actionKey(a)) }))}
        value={value.action}
        onChange={(v) => set('action', v)}
        clearable
        searchable
        w={{ base: '100%', xs: 200 }}
      />
      <Select
        label={t('audit.entityType')}
        placeholder={t('audit.any')}
        data={knownEntityTypes.map((e) => ({ value: e, label: t(entityKey(e)) }))}
        searchable
        value={value.entityType}
        onChange={(v) => set('entityType', v)}
        clearable
        w={{ base: '100%', xs: 170 }}
      />
      <Select
        label={t('audit.actor')}
        placeholder={t('audit.any')}
        data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
        value={value.actorId}
        onChange={(v) => set('actorId', v)}
        clearable
        searchable
        w={{ base: '100%', xs: 200 }}
      />
      <TextInput
        label={t('audit.from')}
        type="date"
        value={value.from}
        onChange={(e) => set('from', e.currentTarget.value)}
        w={{ base: '47%', xs: 160 }}
      />
      <TextInput
        label={t('audit.to')}
        type="date"
        value={value.to}
        onChange={(e) => set('to', e.currentTarget.value)}
        w={{ base: '47%', xs: 160 }}
      />
      <Button variant="subtle" onClick={() => onChange(emptyFilters)}>
        {t('audit.clear')}
      </Button>
    </Group>
  );
}
