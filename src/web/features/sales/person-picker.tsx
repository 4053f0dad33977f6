import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import type { Person } from '../customers/customers-api';

/** The deal's contact (担当窓口): type a name, kana, email or phone (customers search). */
export function PersonPicker({
  label,
  value,
  onChange,
}: {
  label: string;
  value: { id: string; name: string } | null;
  onChange: (v: { id: string; name: string } | null) => void;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const found = useQuery({
    queryKey: [...keys.people, 'search', q],
    queryFn: () => http.get<{ people: Person[] }>('/api/v1/search', { q, limit: 10 }),
    enabled: q.length >= 1 && q !== value?.name,
  });
  const options = new Map<string, string>();
  if (value) options.set(value.id, value.name);
  for (const p of found.data?.people ?? []) options.set(p.id, p.displayName);
  return (
    <Select
      label={label}
      placeholder={t('sales.deals.searchPerson')}
      data={[...options].map(([id, name]) => ({ value: id, label: name }))}
      value={value?.id ?? null}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      onChange={(id) => onChange(id ? { id, name: options.get(id) ?? '' } : null)}
      nothingFoundMessage={q.length >= 1 ? t('common.noResults') : undefined}
    />
  );
}
