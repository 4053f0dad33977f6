import { ActionIcon, Button, Checkbox, Group, Paper, SegmentedControl, Select, Stack, TextInput } from '@mantine/core';
import { IconFolderPlus, IconPlus, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { opsByType } from '../../../shared/filter';
import { type DraftCondition, type DraftGroup, type DraftNode, draftId, emptyGroup, type FilterField, needsValue } from './filter-fields';

/** Groups nest this deep below the top one: enough for "A and (B or C) and not (D or E)" without a maze. */
const MAX_DEPTH = 2;

/** Conditions in groups joined by AND or OR, each group negatable (NOT); field, operator for the field's type, value. */
export function FilterBuilder({
  fields,
  root,
  onChange,
  onApply,
}: {
  fields: FilterField[];
  root: DraftGroup;
  onChange: (root: DraftGroup) => void;
  onApply: (root: DraftGroup) => void;
}) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs" data-testid="filter-builder">
      <GroupEditor group={root} depth={0} fields={fields} onChange={onChange} onEnter={() => onApply(root)} />
      <Group gap="xs">
        <Button size="xs" onClick={() => onApply(root)}>
          {t('customers.filter.apply')}
        </Button>
        {root.children.length > 0 && (
          <Button
            size="xs"
            variant="subtle"
            onClick={() => {
              const empty = emptyGroup();
              onChange(empty);
              onApply(empty);
            }}
          >
            {t('customers.filter.clear')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function GroupEditor({
  group,
  depth,
  fields,
  onChange,
  onRemove,
  onEnter,
}: {
  group: DraftGroup;
  depth: number;
  fields: FilterField[];
  onChange: (group: DraftGroup) => void;
  onRemove?: () => void;
  onEnter: () => void;
}) {
  const { t } = useTranslation();
  const setChild = (id: string, next: DraftNode | null) =>
    onChange({
      ...group,
      children: next ? group.children.map((c) => (c.id === id ? next : c)) : group.children.filter((c) => c.id !== id),
    });
  const first = fields[0] as FilterField;
  const newCondition = (): DraftCondition => ({
    kind: 'condition',
    id: draftId(),
    field: first.key,
    op: opsByType[first.type][0]!,
    value: '',
  });

  return (
    <Stack gap="xs" role="group" aria-label={depth === 0 ? t('customers.filter.title') : t('customers.filter.group')}>
      <Group gap="sm" wrap="wrap">
        <SegmentedControl
          size="xs"
          value={group.join}
          onChange={(v) => onChange({ ...group, join: v as 'and' | 'or' })}
          data={[
            { value: 'and', label: t('customers.filter.joinAnd') },
            { value: 'or', label: t('customers.filter.joinOr') },
          ]}
        />
        <Checkbox
          size="xs"
          label={t('customers.filter.negate')}
          checked={group.negate}
          onChange={(e) => onChange({ ...group, negate: e.currentTarget.checked })}
        />
        {onRemove && (
          <ActionIcon variant="subtle" color="gray" aria-label={t('customers.filter.removeGroup')} onClick={onRemove} ml="auto">
            <IconX size={16} />
          </ActionIcon>
        )}
      </Group>
      {group.children.map((child) =>
        child.kind === 'group' ? (
          <Paper key={child.id} withBorder p="xs" ml={{ base: 0, sm: 'md' }} bg="var(--mantine-color-default-hover)">
            <GroupEditor
              group={child}
              depth={depth + 1}
              fields={fields}
              onChange={(next) => setChild(child.id, next)}
              onRemove={() => setChild(child.id, null)}
              onEnter={onEnter}
            />
          </Paper>
        ) : (
          <ConditionRow
            key={child.id}
            row={child}
            fields={fields}
            onChange={(next) => setChild(child.id, next)}
            onRemove={() => setChild(child.id, null)}
            onEnter={onEnter}
          />
        ),
      )}
      <Group gap="xs">
        <Button
          variant="default"
          size="xs"
          leftSection={<IconPlus size={14} />}
          onClick={() => onChange({ ...group, children: [...group.children, newCondition()] })}
        >
          {t('customers.filter.add')}
        </Button>
        {depth < MAX_DEPTH && (
          <Button
            variant="default"
            size="xs"
            leftSection={<IconFolderPlus size={14} />}
            onClick={() => onChange({ ...group, children: [...group.children, { ...emptyGroup('or'), children: [newCondition()] }] })}
          >
            {t('customers.filter.addGroup')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function ConditionRow({
  row,
  fields,
  onChange,
  onRemove,
  onEnter,
}: {
  row: DraftCondition;
  fields: FilterField[];
  onChange: (row: DraftCondition) => void;
  onRemove: () => void;
  onEnter: () => void;
}) {
  const { t } = useTranslation();
  const label = (f: FilterField) => (f.literal ? f.label : t(f.label));
  const field = fields.find((f) => f.key === row.field) ?? (fields[0] as FilterField);
  const ops = opsByType[field.type];
  const update = (patch: Partial<DraftCondition>) => onChange({ ...row, ...patch });
  const optionLabel = (o: string) => t(`customers.enums.${o}`, { defaultValue: o }) as string;
  return (
    <Group gap="xs" wrap="wrap" align="flex-end">
      <Select
        aria-label={t('customers.filter.field')}
        data={fields.map((f) => ({ value: f.key, label: label(f) }))}
        value={row.field}
        searchable
        allowDeselect={false}
        w={200}
        onChange={(v) => {
          const next = fields.find((f) => f.key === v) ?? field;
          update({ field: next.key, op: opsByType[next.type][0]!, value: '' });
        }}
      />
      <Select
        aria-label={t('customers.filter.op')}
        data={ops.map((op) => ({ value: op, label: t(`customers.ops.${op}`) }))}
        value={row.op}
        allowDeselect={false}
        w={170}
        onChange={(v) => v && update({ op: v as DraftCondition['op'] })}
      />
      {needsValue(row.op) &&
        (field.options && (row.op === 'eq' || row.op === 'neq') ? (
          <Select
            aria-label={t('customers.filter.value')}
            data={field.options.map((o) => ({ value: o, label: optionLabel(o) }))}
            value={row.value || null}
            searchable
            w={200}
            onChange={(v) => update({ value: v ?? '' })}
          />
        ) : (
          <TextInput
            aria-label={t('customers.filter.value')}
            value={row.value}
            type={field.type === 'date' && !row.op.startsWith('within_') && row.op !== 'between' ? 'date' : 'text'}
            placeholder={
              ['in', 'nin', 'has_any', 'has_all', 'has_none', 'between'].includes(row.op) ? t('customers.filter.valuesHint') : undefined
            }
            w={220}
            onChange={(e) => update({ value: e.currentTarget.value })}
            onKeyDown={(e) => e.key === 'Enter' && onEnter()}
          />
        ))}
      <ActionIcon variant="subtle" color="gray" aria-label={t('customers.filter.remove')} onClick={onRemove}>
        <IconX size={16} />
      </ActionIcon>
    </Group>
  );
}
