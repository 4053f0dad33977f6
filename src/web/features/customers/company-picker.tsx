import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import type { Company, Person } from './customers-api';

/** Choose a company by typing its name (customers search), keeping the current one selectable. */
export function CompanyPicker({
  label,
  value,
  onChange,
  exclude,
}: {
  label: string;
  value: { id: string; name: string } | null;
  onChange: (v: { id: string; name: string } | null) => void;
  exclude?: string;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const found = useQuery({
    queryKey: [...keys.companies, 'search', q],
    queryFn: () => http.get<{ people: Person[]; companies: Company[] }>('/api/v1/search', { q, limit: 10 }),
    enabled: q.length >= 1 && q !== value?.name,
  });
  const options = new Map<string, string>();
  if (value) options.set(value.id, value.name);
  for (const c of found.data?.companies ?? []) if (c.id !== exclude) options.set(c.id, c.name);
  return (
    <Select
      label={label}
      placeholder={t('customers.form.searchCompany')}
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
