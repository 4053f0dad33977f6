import { Badge, CloseButton, Group, Select, Stack } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconAddressBook, IconBuilding } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import type { Company, Person } from '../customers/customers-api';
import type { TaskLinkRef } from './tasks-api';

/** Linked people and companies as removable badges, plus a type-ahead over the customers search. */
export function TaskRecordPicker({ value, onChange }: { value: TaskLinkRef[]; onChange: (v: TaskLinkRef[]) => void }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const found = useQuery({
    queryKey: [...keys.people, 'task-link-search', q],
    queryFn: () => http.get<{ people: Person[]; companies: Company[] }>('/api/v1/search', { q, limit: 8 }),
    enabled: q.length >= 1,
  });
  const taken = new Set(value.map((v) => `${v.entityType}:${v.entityId}`));
  const options = [
    ...(found.data?.people ?? []).map((p) => ({ value: `person:${p.id}`, label: p.displayName })),
    ...(found.data?.companies ?? []).map((c) => ({ value: `company:${c.id}`, label: c.name })),
  ].filter((o) => !taken.has(o.value));

  return (
    <Stack gap={6}>
      <Select
        label={t('tasks.fields.links')}
        placeholder={t('tasks.fields.linksSearch')}
        data={options}
        value={null}
        searchable
        searchValue={search}
        onSearchChange={setSearch}
        filter={({ options: o }) => o}
        nothingFoundMessage={q.length >= 1 && !found.isFetching ? t('common.noResults') : undefined}
        onChange={(key) => {
          if (!key) return;
          const [entityType, entityId] = key.split(':') as ['person' | 'company', string];
          const label = options.find((o) => o.value === key)?.label ?? null;
          onChange([...value, { entityType, entityId, name: label }]);
          setSearch('');
        }}
        data-testid="task-link-search"
      />
      {value.length > 0 && (
        <Group gap={6}>
          {value.map((l) => (
            <Badge
              key={`${l.entityType}:${l.entityId}`}
              variant="light"
              size="lg"
              leftSection={l.entityType === 'person' ? <IconAddressBook size={14} /> : <IconBuilding size={14} />}
              rightSection={
                <CloseButton
                  size="xs"
                  aria-label={`${t('common.delete')} ${l.name ?? ''}`}
                  onClick={() => onChange(value.filter((v) => v !== l))}
                />
              }
              style={{ textTransform: 'none' }}
            >
              {l.name ?? '—'}
            </Badge>
          ))}
        </Group>
      )}
    </Stack>
  );
}
