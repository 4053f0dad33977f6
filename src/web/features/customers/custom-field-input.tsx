import { Checkbox, MultiSelect, NumberInput, Select, Textarea, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { type CustomField, customLabel, useUsers } from './customers-api';

/** One custom field's input, chosen by its type. */
export function CustomFieldInput({
  field,
  value,
  onChange,
  error,
}: {
  field: CustomField;
  value: unknown;
  onChange: (v: unknown) => void;
  error?: string;
}) {
  const { i18n } = useTranslation();
  const lang = i18n.resolvedLanguage ?? 'ja';
  const users = useUsers();
  const common = { label: customLabel(field, lang), required: field.required, error };
  const options = field.options.map((o) => ({ value: o.value, label: lang === 'en' ? o.labelEn : o.labelJa }));
  const str = typeof value === 'string' ? value : '';
  switch (field.type) {
    case 'long_text':
      return <Textarea {...common} value={str} onChange={(e) => onChange(e.currentTarget.value || null)} autosize minRows={2} />;
    case 'number':
    case 'currency':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(typeof v === 'number' ? v : null)}
        />
      );
    case 'date':
      return <TextInput {...common} type="date" value={str} onChange={(e) => onChange(e.currentTarget.value || null)} />;
    case 'datetime':
      return (
        <TextInput
          {...common}
          type="datetime-local"
          value={str.slice(0, 16)}
          onChange={(e) => onChange(e.currentTarget.value ? new Date(e.currentTarget.value).toISOString() : null)}
        />
      );
    case 'boolean':
      return (
        <Checkbox label={common.label} error={error} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} mt="md" />
      );
    case 'select':
      return <Select {...common} data={options} value={str || null} onChange={(v) => onChange(v)} clearable />;
    case 'multi_select':
      return (
        <MultiSelect {...common} data={options} value={Array.isArray(value) ? (value as string[]) : []} onChange={(v) => onChange(v)} />
      );
    case 'user':
      return (
        <Select
          {...common}
          data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
          value={str || null}
          onChange={(v) => onChange(v)}
          searchable
          clearable
        />
      );
    default:
      return (
        <TextInput
          {...common}
          type={field.type === 'email' ? 'email' : field.type === 'url' ? 'url' : field.type === 'phone' ? 'tel' : 'text'}
          value={str}
          onChange={(e) => onChange(e.currentTarget.value || null)}
        />
      );
  }
}
