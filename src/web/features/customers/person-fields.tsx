import { ActionIcon, Button, Divider, Group, Select, SimpleGrid, Text, TextInput } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { CompanyPicker } from './company-picker';
import { CustomFieldInput } from './custom-field-input';
import { type Department, useCustomFields } from './customers-api';
import { AUTO_LABEL, type PersonDraft } from './person-draft';
import { AddressFields, type FieldProps, type FieldSpec } from './record-fields';

/** The person form: 氏名 and フリガナ, contact points, address, work and ownership, 家族構成, notes, custom fields. */
export const personFields: FieldSpec<PersonDraft>[] = [
  {
    kind: 'grid',
    cols: 2,
    fields: [
      { kind: 'text', key: 'familyName', label: 'customers.form.family', required: true },
      { kind: 'text', key: 'givenName', label: 'customers.form.given' },
      { kind: 'text', key: 'familyNameKana', label: 'customers.form.familyKana' },
      { kind: 'text', key: 'givenNameKana', label: 'customers.form.givenKana' },
    ],
  },
  { kind: 'widget', name: 'emails', Widget: EmailsField },
  { kind: 'widget', name: 'phones', Widget: PhonesField },
  { kind: 'divider' },
  { kind: 'widget', name: 'address', Widget: AddressFields },
  { kind: 'divider' },
  {
    kind: 'grid',
    cols: 2,
    fields: [
      { kind: 'date', key: 'birthday', label: 'customers.fields.birthday' },
      { kind: 'choice', key: 'gender', label: 'customers.fields.gender', options: ['female', 'male', 'other', 'unspecified'] },
      { kind: 'widget', name: 'company', Widget: CompanyAndDepartment },
      { kind: 'text', key: 'title', label: 'customers.fields.title' },
      { kind: 'owner', key: 'ownerId', label: 'customers.fields.owner' },
      { kind: 'team', key: 'teamId', label: 'customers.fields.team' },
    ],
  },
  { kind: 'tags', key: 'tags', label: 'customers.fields.tags' },
  { kind: 'divider' },
  { kind: 'widget', name: 'household', Widget: HouseholdField },
  { kind: 'textarea', key: 'preferences', label: 'customers.fields.preferences', minRows: 2 },
  { kind: 'textarea', key: 'notes', label: 'customers.fields.notes', minRows: 3 },
  { kind: 'widget', name: 'custom', Widget: CustomFields },
];

/** Rows the user adds and removes, each with a remove button, under a title and above an add button. */
function RowList<R>({
  title,
  rows,
  onChange,
  newRow,
  addLabel,
  renderRow,
  testId,
}: {
  title: string;
  rows: R[];
  onChange: (rows: R[]) => void;
  newRow: R;
  addLabel: string;
  renderRow: (row: R, update: (patch: Partial<R>) => void, i: number) => ReactNode;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Text size="sm" fw={500}>
        {title}
      </Text>
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: list rows are identified by position
        <Group key={i} gap="xs" wrap="nowrap" align="flex-start" data-testid={testId}>
          {renderRow(row, (patch) => onChange(rows.map((x, j) => (j === i ? { ...x, ...patch } : x))), i)}
          <ActionIcon
            variant="subtle"
            color="gray"
            mt={6}
            aria-label={t('customers.form.remove')}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            <IconX size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button size="xs" variant="subtle" leftSection={<IconPlus size={14} />} onClick={() => onChange([...rows, newRow])}>
          {addLabel}
        </Button>
      </Group>
    </>
  );
}

function LabelSelect({ labels, value, onChange }: { labels: string[]; value: string; onChange: (label: string) => void }) {
  const { t } = useTranslation();
  return (
    <Select
      aria-label={t('customers.form.label')}
      data={labels.map((l) => ({ value: l, label: t(`customers.enums.${l}`) }))}
      value={value}
      w={120}
      allowDeselect={false}
      onChange={(l) => onChange(l ?? 'work')}
    />
  );
}

function EmailsField({ value, onChange, errors }: FieldProps<PersonDraft>) {
  const { t } = useTranslation();
  return (
    <RowList
      title={t('customers.form.emails')}
      rows={value.emails}
      onChange={(emails) => onChange({ ...value, emails })}
      newRow={{ label: 'work', address: '' }}
      addLabel={t('customers.form.addEmail')}
      renderRow={(e, update, i) => (
        <>
          <LabelSelect labels={['work', 'home', 'other']} value={e.label} onChange={(label) => update({ label })} />
          <TextInput
            aria-label={t('customers.fields.email')}
            type="email"
            style={{ flex: 1 }}
            value={e.address}
            error={errors[`emails.${i}.address`] ?? errors[`emails.${i}`]}
            onChange={(ev) => update({ address: ev.currentTarget.value })}
          />
        </>
      )}
    />
  );
}

function PhonesField({ value, onChange, errors }: FieldProps<PersonDraft>) {
  const { t } = useTranslation();
  return (
    <RowList
      title={t('customers.form.phones')}
      rows={value.phones}
      onChange={(phones) => onChange({ ...value, phones })}
      newRow={{ label: AUTO_LABEL, number: '' }}
      addLabel={t('customers.form.addPhone')}
      renderRow={(p, update, i) => (
        <>
          <LabelSelect
            labels={[...(p.label === AUTO_LABEL ? [AUTO_LABEL] : []), 'mobile', 'work', 'home', 'fax', 'other']}
            value={p.label}
            onChange={(label) => update({ label })}
          />
          <TextInput
            aria-label={t('customers.fields.phone')}
            type="tel"
            style={{ flex: 1 }}
            value={p.number}
            error={errors[`phones.${i}.number`] ?? errors[`phones.${i}`]}
            onChange={(ev) => update({ number: ev.currentTarget.value })}
          />
        </>
      )}
    />
  );
}

function HouseholdField({ value, onChange, errors }: FieldProps<PersonDraft>) {
  const { t } = useTranslation();
  return (
    <RowList
      title={t('customers.fields.household')}
      rows={value.household}
      onChange={(household) => onChange({ ...value, household })}
      newRow={{ relation: '', name: '', birthday: '' }}
      addLabel={t('customers.form.addHousehold')}
      testId="household-row"
      renderRow={(h, update, i) => (
        <>
          <TextInput
            aria-label={t('customers.form.relation')}
            placeholder={t('customers.form.relation')}
            w={120}
            value={h.relation}
            error={errors[`household.${i}.relation`] ?? errors[`household.${i}`]}
            onChange={(e) => update({ relation: e.currentTarget.value })}
          />
          <TextInput
            aria-label={t('customers.form.householdName')}
            placeholder={t('customers.form.householdName')}
            style={{ flex: 1 }}
            value={h.name}
            error={errors[`household.${i}.name`]}
            onChange={(e) => update({ name: e.currentTarget.value })}
          />
          <TextInput
            aria-label={t('customers.form.householdBirthday')}
            type="date"
            w={170}
            value={h.birthday}
            error={errors[`household.${i}.birthday`]}
            onChange={(e) => update({ birthday: e.currentTarget.value })}
          />
        </>
      )}
    />
  );
}

/** The company, and a department of it: choosing another company clears the department. */
function CompanyAndDepartment({ value, onChange, errors }: FieldProps<PersonDraft>) {
  const { t } = useTranslation();
  const companyId = value.company?.id ?? null;
  const departments = useQuery({
    queryKey: [...keys.companies, 'relations', companyId],
    queryFn: () => http.get<{ departments: Department[] }>(`/api/v1/companies/${companyId}/relations`),
    enabled: !!companyId,
    select: (r) => r.departments,
  });
  return (
    <>
      <CompanyPicker
        label={t('customers.fields.company')}
        value={value.company}
        onChange={(c) => onChange({ ...value, company: c, departmentId: c?.id === companyId ? value.departmentId : null })}
      />
      <Select
        label={t('customers.fields.department')}
        data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
        value={companyId ? value.departmentId : null}
        onChange={(v) => onChange({ ...value, departmentId: v })}
        disabled={!companyId}
        placeholder={companyId ? undefined : t('customers.form.pickCompanyFirst')}
        clearable
        searchable
        error={errors.departmentId}
        allowDeselect={false}
      />
    </>
  );
}

function CustomFields({ value, onChange, errors }: FieldProps<PersonDraft>) {
  const { t } = useTranslation();
  const custom = useCustomFields('person');
  if (!custom.data?.length) return null;
  return (
    <>
      <Divider label={t('customers.form.custom')} labelPosition="left" />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        {custom.data.map((f) => (
          <CustomFieldInput
            key={f.id}
            field={f}
            value={value.custom[f.key]}
            error={errors[`custom.${f.key}`]}
            onChange={(v) => onChange({ ...value, custom: { ...value.custom, [f.key]: v } })}
          />
        ))}
      </SimpleGrid>
    </>
  );
}
