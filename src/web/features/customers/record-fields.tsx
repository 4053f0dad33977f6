import { Divider, NumberInput, Select, SimpleGrid, Stack, TagsInput, Textarea, TextInput } from '@mantine/core';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { toWareki } from '../../../shared/jp-text';
import { PREFECTURES } from '../../../shared/prefectures';
import { useTeams } from '../accounts/accounts-api';
import { CompanyPicker } from './company-picker';
import { useUsers } from './customers-api';
import { PostalLookup } from './postal-lookup';
import type { AddressDraft } from './record-draft';

/** The keys of D whose values are V. */
type KeysOf<D, V> = { [K in keyof D]-?: D[K] extends V ? K : never }[keyof D] & string;

/** What a widget gets: the whole draft, so that one widget may set several fields (an address look-up). */
export interface FieldProps<D> {
  value: D;
  onChange: (v: D) => void;
  /** by the API's issue path */
  errors: Record<string, string>;
  /** the record being edited, when editing */
  selfId?: string;
}

/**
 * One entry of an entity's form layout; labels are i18n keys. The plain kinds edit one field each; a widget
 * is a component for what only one entity has (家族構成, a department within the chosen company).
 */
export type FieldSpec<D> =
  | { kind: 'text'; key: KeysOf<D, string>; label: string; required?: boolean }
  | { kind: 'textarea'; key: KeysOf<D, string>; label: string; minRows: number }
  | { kind: 'number'; key: KeysOf<D, number | null>; label: string }
  /** a date with its 和暦 shown under it */
  | { kind: 'date'; key: KeysOf<D, string>; label: string }
  /** one of `options`, labelled by `customers.enums.<option>` */
  | { kind: 'choice'; key: KeysOf<D, string | null>; label: string; options: string[] }
  /** another company (never the one being edited) */
  | { kind: 'company'; key: KeysOf<D, { id: string; name: string } | null>; label: string }
  | { kind: 'owner' | 'team'; key: KeysOf<D, string | null>; label: string }
  | { kind: 'tags'; key: KeysOf<D, string[]>; label: string }
  | { kind: 'grid'; cols: 2 | 3; fields: FieldSpec<D>[] }
  | { kind: 'divider' }
  | { kind: 'widget'; name: string; Widget: ComponentType<FieldProps<D>> };

const specKey = <D,>(spec: FieldSpec<D>, i: number) => ('key' in spec ? spec.key : 'name' in spec ? spec.name : `${spec.kind}-${i}`);

/** The fields of a layout, for creating and editing; errors show under the field of their path. */
export function RecordFields<D>({ fields, ...props }: FieldProps<D> & { fields: FieldSpec<D>[] }) {
  return (
    <Stack gap="sm">
      {fields.map((spec, i) => (
        <Field key={specKey(spec, i)} spec={spec} {...props} />
      ))}
    </Stack>
  );
}

function Field<D>({ spec, ...props }: FieldProps<D> & { spec: FieldSpec<D> }) {
  const { t } = useTranslation();
  const { value, onChange, errors } = props;
  // A key picked by its value's type indexes a value of that type; TypeScript cannot see it through D.
  const get = <V,>(key: KeysOf<D, V>) => value[key] as V;
  const set = <V,>(key: KeysOf<D, V>, v: V) => onChange({ ...value, [key]: v });
  switch (spec.kind) {
    case 'grid':
      return (
        <SimpleGrid cols={{ base: 1, sm: spec.cols }} spacing="sm">
          {spec.fields.map((f, i) => (
            <Field key={specKey(f, i)} spec={f} {...props} />
          ))}
        </SimpleGrid>
      );
    case 'divider':
      return <Divider />;
    case 'widget':
      return <spec.Widget {...props} />;
    case 'text':
      return (
        <TextInput
          label={t(spec.label)}
          value={get<string>(spec.key)}
          onChange={(e) => set(spec.key, e.currentTarget.value)}
          error={errors[spec.key]}
          required={spec.required}
        />
      );
    case 'textarea':
      return (
        <Textarea
          label={t(spec.label)}
          value={get<string>(spec.key)}
          onChange={(e) => set(spec.key, e.currentTarget.value)}
          error={errors[spec.key]}
          autosize
          minRows={spec.minRows}
        />
      );
    case 'number':
      return (
        <NumberInput
          label={t(spec.label)}
          value={get<number | null>(spec.key) ?? ''}
          min={0}
          onChange={(v) => set<number | null>(spec.key, typeof v === 'number' ? v : null)}
          error={errors[spec.key]}
        />
      );
    case 'date': {
      const era = wareki(get<string>(spec.key));
      return (
        <TextInput
          label={t(spec.label)}
          type="date"
          value={get<string>(spec.key)}
          onChange={(e) => set(spec.key, e.currentTarget.value)}
          error={errors[spec.key]}
          description={era ? t('customers.form.wareki', { label: era }) : undefined}
          inputWrapperOrder={['label', 'input', 'description', 'error']}
        />
      );
    }
    case 'choice':
      return (
        <Select
          label={t(spec.label)}
          data={spec.options.map((o) => ({ value: o, label: t(`customers.enums.${o}`) }))}
          value={get<string | null>(spec.key)}
          onChange={(v) => set<string | null>(spec.key, v)}
          clearable
        />
      );
    case 'company':
      return (
        <CompanyPicker
          label={t(spec.label)}
          value={get<{ id: string; name: string } | null>(spec.key)}
          onChange={(v) => set<{ id: string; name: string } | null>(spec.key, v)}
          exclude={props.selfId}
        />
      );
    case 'owner':
      return (
        <OwnerSelect
          label={t(spec.label)}
          value={get<string | null>(spec.key)}
          onChange={(v) => set<string | null>(spec.key, v)}
          error={errors[spec.key]}
        />
      );
    case 'team':
      return (
        <TeamSelect
          label={t(spec.label)}
          value={get<string | null>(spec.key)}
          onChange={(v) => set<string | null>(spec.key, v)}
          error={errors[spec.key]}
        />
      );
    case 'tags':
      return (
        <TagsInput label={t(spec.label)} value={get<string[]>(spec.key)} onChange={(v) => set(spec.key, v)} error={errors[spec.key]} />
      );
  }
}

function wareki(date: string): string | null {
  try {
    return /^\d{4}-\d{2}-\d{2}$/.test(date) ? toWareki(date).label : null;
  } catch {
    return null;
  }
}

interface SelectProps {
  label: string;
  value: string | null;
  onChange: (v: string | null) => void;
  error?: string;
}

/** Active users, and the current owner even when disabled, so the record keeps showing who owns it. */
function OwnerSelect({ label, value, onChange, error }: SelectProps) {
  const { t } = useTranslation();
  const users = useUsers();
  return (
    <Select
      label={label}
      data={(users.data ?? []).filter((u) => u.status === 'active' || u.id === value).map((u) => ({ value: u.id, label: u.name }))}
      value={value}
      onChange={onChange}
      placeholder={t('customers.form.noOwner')}
      clearable
      searchable
      error={error}
      allowDeselect={false}
    />
  );
}

function TeamSelect({ label, value, onChange, error }: SelectProps) {
  const teams = useTeams();
  return (
    <Select
      label={label}
      data={(teams.data ?? []).map((tm) => ({ value: tm.id, label: tm.name }))}
      value={value}
      onChange={onChange}
      clearable
      searchable
      error={error}
      allowDeselect={false}
    />
  );
}

/** 郵便番号 (its look-up fills prefecture, city and town), then the rest of the address. */
export function AddressFields<D extends AddressDraft>({ value, onChange, errors }: FieldProps<D>) {
  const { t } = useTranslation();
  const text = (key: 'city' | 'town' | 'addressLine') => (
    <TextInput
      label={t(`customers.fields.${key}`)}
      value={value[key]}
      onChange={(e) => onChange({ ...value, [key]: e.currentTarget.value })}
      error={errors[key]}
    />
  );
  return (
    <>
      <PostalLookup
        value={value.postalCode}
        error={errors.postalCode}
        onChange={(v) => onChange({ ...value, postalCode: v })}
        onAddress={(a) => onChange({ ...value, postalCode: a.postalCode, prefecture: a.prefecture, city: a.city, town: a.town })}
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <Select
          label={t('customers.fields.prefecture')}
          data={PREFECTURES.map((p) => p.name)}
          value={value.prefecture}
          onChange={(v) => onChange({ ...value, prefecture: v })}
          searchable
          clearable
          error={errors.prefecture}
        />
        {text('city')}
        {text('town')}
      </SimpleGrid>
      {text('addressLine')}
    </>
  );
}
