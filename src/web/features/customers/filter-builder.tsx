import { ActionIcon, Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { opsByType } from '../../../shared/filter';
import { type DraftCondition, type FilterField, needsValue } from './filter-fields';

/** Conditions joined by AND: field, operator for the field's type, value. */
export function FilterBuilder({
  fields,
  rows,
  onChange,
  onApply,
}: {
  fields: FilterField[];
  rows: DraftCondition[];
  onChange: (rows: DraftCondition[]) => void;
  onApply: (rows: DraftCondition[]) => void;
}) {
  const { t } = useTranslation();
  const label = (f: FilterField) => (f.literal ? f.label : t(f.label));
  const fieldData = fields.map((f) => ({ value: f.key, label: label(f) }));
  const update = (i: number, patch: Partial<DraftCondition>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const optionLabel = (o: string) => t(`customers.enums.${o}`, { defaultValue: o }) as string;

  return (
    <Stack gap="xs" data-testid="filter-builder">
      {rows.map((row, i) => {
        const field = fields.find((f) => f.key === row.field) ?? fields[0]!;
        const ops = opsByType[field.type];
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position
          <Group key={i} gap="xs" wrap="wrap" align="flex-end">
            <Select
              aria-label={t('customers.filter.field')}
              data={fieldData}
              value={row.field}
              searchable
              allowDeselect={false}
              w={200}
              onChange={(v) => {
                const next = fields.find((f) => f.key === v) ?? field;
                update(i, { field: next.key, op: opsByType[next.type][0]!, value: '' });
              }}
            />
            <Select
              aria-label={t('customers.filter.op')}
              data={ops.map((op) => ({ value: op, label: t(`customers.ops.${op}`) }))}
              value={row.op}
              allowDeselect={false}
              w={170}
              onChange={(v) => v && update(i, { op: v as DraftCondition['op'] })}
            />
            {needsValue(row.op) &&
              (field.options && (row.op === 'eq' || row.op === 'neq') ? (
                <Select
                  aria-label={t('customers.filter.value')}
                  data={field.options.map((o) => ({ value: o, label: optionLabel(o) }))}
                  value={row.value || null}
                  searchable
                  w={200}
                  onChange={(v) => update(i, { value: v ?? '' })}
                />
              ) : (
                <TextInput
                  aria-label={t('customers.filter.value')}
                  value={row.value}
                  type={field.type === 'date' && !row.op.startsWith('within_') && row.op !== 'between' ? 'date' : 'text'}
                  placeholder={
                    ['in', 'nin', 'has_any', 'has_all', 'has_none', 'between'].includes(row.op)
                      ? t('customers.filter.valuesHint')
                      : undefined
                  }
                  w={220}
                  onChange={(e) => update(i, { value: e.currentTarget.value })}
                  onKeyDown={(e) => e.key === 'Enter' && onApply(rows)}
                />
              ))}
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={t('customers.filter.remove')}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              <IconX size={16} />
            </ActionIcon>
          </Group>
        );
      })}
      <Group gap="xs">
        <Button
          variant="default"
          size="xs"
          leftSection={<IconPlus size={14} />}
          onClick={() => onChange([...rows, { field: fields[0]!.key, op: opsByType[fields[0]!.type][0]!, value: '' }])}
        >
          {t('customers.filter.add')}
        </Button>
        <Button size="xs" onClick={() => onApply(rows)}>
          {t('customers.filter.apply')}
        </Button>
        {rows.length > 0 && (
          <Button
            size="xs"
            variant="subtle"
            onClick={() => {
              onChange([]);
              onApply([]);
            }}
          >
            {t('customers.filter.clear')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}
