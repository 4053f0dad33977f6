import { Badge, Group, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { type CustomField, customLabel } from './customers-api';
import type { Column } from './records-table';

/** Multi-select values are arrays: the filter language has no order for them, so they do not sort. */
const unsortable = new Set(['multi_select']);

/** List columns for the workspace's custom fields: labelled in the user's language, sortable as `custom.<key>`. */
export function customColumns<T extends { custom: Record<string, unknown> }>(
  fields: CustomField[],
  options: { lang: string; t: TFunction; formatDateTime: (iso: string) => string; userName: (id: string) => string | undefined },
): Column<T>[] {
  return fields
    .filter((f) => !f.archived)
    .map((f) => ({
      key: `custom.${f.key}`,
      label: customLabel(f, options.lang),
      literal: true,
      sort: unsortable.has(f.type) ? undefined : `custom.${f.key}`,
      render: (row: T) => renderValue(f, row.custom?.[f.key], options),
    }));
}

function renderValue(
  field: CustomField,
  value: unknown,
  {
    lang,
    t,
    formatDateTime,
    userName,
  }: { lang: string; t: TFunction; formatDateTime: (iso: string) => string; userName: (id: string) => string | undefined },
): ReactNode {
  if (value === null || value === undefined || value === '') return null;
  const option = (v: unknown) => {
    const o = field.options.find((x) => x.value === v);
    return o ? (lang === 'en' ? o.labelEn : o.labelJa) : String(v);
  };
  switch (field.type) {
    case 'boolean':
      return value ? t('customers.values.yes') : t('customers.values.no');
    case 'select':
      return option(value);
    case 'multi_select':
      return Array.isArray(value) ? (
        <Group gap={4}>
          {value.map((v) => (
            <Badge key={String(v)} variant="light" size="sm">
              {option(v)}
            </Badge>
          ))}
        </Group>
      ) : null;
    case 'number':
      return typeof value === 'number' ? value.toLocaleString(lang === 'en' ? 'en-US' : 'ja-JP') : String(value);
    case 'currency':
      return typeof value === 'number'
        ? new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'ja-JP', { style: 'currency', currency: 'JPY' }).format(value)
        : String(value);
    case 'datetime':
      return <Text size="sm">{formatDateTime(String(value))}</Text>;
    case 'user':
      return userName(String(value)) ?? null;
    default:
      return String(value);
  }
}
