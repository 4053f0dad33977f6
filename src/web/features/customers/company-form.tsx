import { NumberInput, Select, SimpleGrid, Stack, TagsInput, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PREFECTURES } from '../../../shared/prefectures';
import { CompanyPicker } from './company-picker';
import type { Company } from './customers-api';
import { PostalLookup } from './postal-lookup';

export interface CompanyDraft {
  name: string;
  nameKana: string;
  corporateNumber: string;
  industry: string;
  employeeCount: number | null;
  website: string;
  postalCode: string;
  prefecture: string | null;
  city: string;
  town: string;
  addressLine: string;
  parent: { id: string; name: string } | null;
  tags: string[];
}

export const emptyCompany = (): CompanyDraft => ({
  name: '',
  nameKana: '',
  corporateNumber: '',
  industry: '',
  employeeCount: null,
  website: '',
  postalCode: '',
  prefecture: null,
  city: '',
  town: '',
  addressLine: '',
  parent: null,
  tags: [],
});

export const companyDraftOf = (c: Company): CompanyDraft => ({
  name: c.name,
  nameKana: c.nameKana ?? '',
  corporateNumber: c.corporateNumber ?? '',
  industry: c.industry ?? '',
  employeeCount: c.employeeCount,
  website: c.website ?? '',
  postalCode: c.postalCode ?? '',
  prefecture: c.prefecture,
  city: c.city ?? '',
  town: c.town ?? '',
  addressLine: c.addressLine ?? '',
  parent: c.parent,
  tags: c.tags,
});

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());
export const companyPayload = (d: CompanyDraft) => ({
  name: d.name.trim(),
  nameKana: orNull(d.nameKana),
  corporateNumber: orNull(d.corporateNumber),
  industry: orNull(d.industry),
  employeeCount: d.employeeCount,
  website: orNull(d.website),
  postalCode: orNull(d.postalCode),
  prefecture: d.prefecture,
  city: orNull(d.city),
  town: orNull(d.town),
  addressLine: orNull(d.addressLine),
  parentId: d.parent?.id ?? null,
  tags: d.tags,
});

type TextKey = 'name' | 'nameKana' | 'corporateNumber' | 'industry' | 'website' | 'city' | 'town' | 'addressLine';

/** The company fields, for creating and editing. */
export function CompanyForm({
  value,
  onChange,
  errors,
  selfId,
}: {
  value: CompanyDraft;
  onChange: (v: CompanyDraft) => void;
  errors: Record<string, string>;
  selfId?: string;
}) {
  const { t } = useTranslation();
  const set = <K extends keyof CompanyDraft>(key: K, v: CompanyDraft[K]) => onChange({ ...value, [key]: v });
  const text = (key: TextKey, label: string) => (
    <TextInput
      label={label}
      value={value[key]}
      onChange={(e) => set(key, e.currentTarget.value)}
      error={errors[key]}
      required={key === 'name'}
    />
  );
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        {text('name', t('customers.fields.companyName'))}
        {text('nameKana', t('customers.fields.nameKana'))}
        {text('corporateNumber', t('customers.fields.corporateNumber'))}
        {text('industry', t('customers.fields.industry'))}
        <NumberInput
          label={t('customers.fields.employeeCount')}
          value={value.employeeCount ?? ''}
          min={0}
          onChange={(v) => set('employeeCount', typeof v === 'number' ? v : null)}
          error={errors.employeeCount}
        />
        {text('website', t('customers.fields.website'))}
      </SimpleGrid>
      <PostalLookup
        value={value.postalCode}
        error={errors.postalCode}
        onChange={(v) => set('postalCode', v)}
        onAddress={(a) => onChange({ ...value, postalCode: a.postalCode, prefecture: a.prefecture, city: a.city, town: a.town })}
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <Select
          label={t('customers.fields.prefecture')}
          data={PREFECTURES.map((p) => p.name)}
          value={value.prefecture}
          onChange={(v) => set('prefecture', v)}
          searchable
          clearable
        />
        {text('city', t('customers.fields.city'))}
        {text('town', t('customers.fields.town'))}
      </SimpleGrid>
      {text('addressLine', t('customers.fields.addressLine'))}
      <CompanyPicker label={t('customers.fields.parent')} value={value.parent} onChange={(v) => set('parent', v)} exclude={selfId} />
      <TagsInput label={t('customers.fields.tags')} value={value.tags} onChange={(v) => set('tags', v)} />
    </Stack>
  );
}
