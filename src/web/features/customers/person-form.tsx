import { ActionIcon, Button, Divider, Group, Select, SimpleGrid, Stack, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { toWareki } from '../../../shared/jp-text';
import { PREFECTURES } from '../../../shared/prefectures';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useTeams } from '../accounts/accounts-api';
import { CompanyPicker } from './company-picker';
import { CustomFieldInput } from './custom-field-input';
import { type Department, useCustomFields, useUsers } from './customers-api';
import type { PersonDraft } from './person-draft';
import { PostalLookup } from './postal-lookup';

const emailLabels = ['work', 'home', 'other'];
const phoneLabels = ['mobile', 'work', 'home', 'fax', 'other'];

function wareki(date: string): string | null {
  try {
    return /^\d{4}-\d{2}-\d{2}$/.test(date) ? toWareki(date).label : null;
  } catch {
    return null;
  }
}

/** The person fields, for creating and editing; errors are keyed by the API's issue paths. */
export function PersonForm({
  value,
  onChange,
  errors,
}: {
  value: PersonDraft;
  onChange: (v: PersonDraft) => void;
  errors: Record<string, string>;
}) {
  const { t } = useTranslation();
  const custom = useCustomFields('person');
  const set = <K extends keyof PersonDraft>(key: K, v: PersonDraft[K]) => onChange({ ...value, [key]: v });
  const text = (
    key: 'familyName' | 'givenName' | 'familyNameKana' | 'givenNameKana' | 'city' | 'town' | 'addressLine' | 'title',
    label: string,
  ) => (
    <TextInput
      label={label}
      value={value[key]}
      onChange={(e) => set(key, e.currentTarget.value)}
      error={errors[key]}
      required={key === 'familyName'}
    />
  );
  const users = useUsers();
  const teams = useTeams();
  const companyId = value.company?.id ?? null;
  const departments = useQuery({
    queryKey: [...keys.companies, 'relations', companyId],
    queryFn: () => http.get<{ departments: Department[] }>(`/api/v1/companies/${companyId}/relations`),
    enabled: !!companyId,
    select: (r) => r.departments,
  });
  const setHousehold = (i: number, patch: Partial<PersonDraft['household'][number]>) =>
    set(
      'household',
      value.household.map((h, j) => (j === i ? { ...h, ...patch } : h)),
    );
  const labelData = (list: string[]) => list.map((l) => ({ value: l, label: t(`customers.enums.${l}`) }));
  const era = wareki(value.birthday);

  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        {text('familyName', t('customers.form.family'))}
        {text('givenName', t('customers.form.given'))}
        {text('familyNameKana', t('customers.form.familyKana'))}
        {text('givenNameKana', t('customers.form.givenKana'))}
      </SimpleGrid>
      <Text size="sm" fw={500}>
        {t('customers.form.emails')}
      </Text>
      {value.emails.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: list rows are identified by position
        <Group key={i} gap="xs" wrap="nowrap" align="flex-start">
          <Select
            aria-label={t('customers.form.label')}
            data={labelData(emailLabels)}
            value={e.label}
            w={120}
            allowDeselect={false}
            onChange={(l) =>
              set(
                'emails',
                value.emails.map((x, j) => (j === i ? { ...x, label: l ?? 'work' } : x)),
              )
            }
          />
          <TextInput
            aria-label={t('customers.fields.email')}
            type="email"
            style={{ flex: 1 }}
            value={e.address}
            error={errors[`emails.${i}.address`] ?? errors[`emails.${i}`]}
            onChange={(ev) =>
              set(
                'emails',
                value.emails.map((x, j) => (j === i ? { ...x, address: ev.currentTarget.value } : x)),
              )
            }
          />
          <ActionIcon
            variant="subtle"
            color="gray"
            mt={6}
            aria-label={t('customers.form.remove')}
            onClick={() =>
              set(
                'emails',
                value.emails.filter((_, j) => j !== i),
              )
            }
          >
            <IconX size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button
          size="xs"
          variant="subtle"
          leftSection={<IconPlus size={14} />}
          onClick={() => set('emails', [...value.emails, { label: 'work', address: '' }])}
        >
          {t('customers.form.addEmail')}
        </Button>
      </Group>
      <Text size="sm" fw={500}>
        {t('customers.form.phones')}
      </Text>
      {value.phones.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: list rows are identified by position
        <Group key={i} gap="xs" wrap="nowrap" align="flex-start">
          <Select
            aria-label={t('customers.form.label')}
            data={labelData(phoneLabels)}
            value={p.label}
            w={120}
            allowDeselect={false}
            onChange={(l) =>
              set(
                'phones',
                value.phones.map((x, j) => (j === i ? { ...x, label: l ?? 'work' } : x)),
              )
            }
          />
          <TextInput
            aria-label={t('customers.fields.phone')}
            type="tel"
            style={{ flex: 1 }}
            value={p.number}
            error={errors[`phones.${i}.number`] ?? errors[`phones.${i}`]}
            onChange={(ev) =>
              set(
                'phones',
                value.phones.map((x, j) => (j === i ? { ...x, number: ev.currentTarget.value } : x)),
              )
            }
          />
          <ActionIcon
            variant="subtle"
            color="gray"
            mt={6}
            aria-label={t('customers.form.remove')}
            onClick={() =>
              set(
                'phones',
                value.phones.filter((_, j) => j !== i),
              )
            }
          >
            <IconX size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button
          size="xs"
          variant="subtle"
          leftSection={<IconPlus size={14} />}
          onClick={() => set('phones', [...value.phones, { label: 'mobile', number: '' }])}
        >
          {t('customers.form.addPhone')}
        </Button>
      </Group>
      <Divider />
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
          error={errors.prefecture}
        />
        {text('city', t('customers.fields.city'))}
        {text('town', t('customers.fields.town'))}
      </SimpleGrid>
      {text('addressLine', t('customers.fields.addressLine'))}
      <Divider />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <TextInput
          label={t('customers.fields.birthday')}
          type="date"
          value={value.birthday}
          onChange={(e) => set('birthday', e.currentTarget.value)}
          error={errors.birthday}
          description={era ? t('customers.form.wareki', { label: era }) : undefined}
          inputWrapperOrder={['label', 'input', 'description', 'error']}
        />
        <Select
          label={t('customers.fields.gender')}
          data={labelData(['female', 'male', 'other', 'unspecified'])}
          value={value.gender}
          onChange={(v) => set('gender', v)}
          clearable
        />
        <CompanyPicker
          label={t('customers.fields.company')}
          value={value.company}
          onChange={(c) => onChange({ ...value, company: c, departmentId: c?.id === companyId ? value.departmentId : null })}
        />
        <Select
          label={t('customers.fields.department')}
          data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
          value={companyId ? value.departmentId : null}
          onChange={(v) => set('departmentId', v)}
          disabled={!companyId}
          placeholder={companyId ? undefined : t('customers.form.pickCompanyFirst')}
          clearable
          searchable
          error={errors.departmentId}
          allowDeselect={false}
        />
        {text('title', t('customers.fields.title'))}
        <Select
          label={t('customers.fields.owner')}
          data={(users.data ?? [])
            .filter((u) => u.status === 'active' || u.id === value.ownerId)
            .map((u) => ({ value: u.id, label: u.name }))}
          value={value.ownerId}
          onChange={(v) => set('ownerId', v)}
          placeholder={t('customers.form.noOwner')}
          clearable
          searchable
          error={errors.ownerId}
          allowDeselect={false}
        />
        <Select
          label={t('customers.fields.team')}
          data={(teams.data ?? []).map((tm) => ({ value: tm.id, label: tm.name }))}
          value={value.teamId}
          onChange={(v) => set('teamId', v)}
          clearable
          searchable
          error={errors.teamId}
          allowDeselect={false}
        />
      </SimpleGrid>
      <TagsInput label={t('customers.fields.tags')} value={value.tags} onChange={(v) => set('tags', v)} error={errors.tags} />
      <Divider />
      <Text size="sm" fw={500}>
        {t('customers.fields.household')}
      </Text>
      {value.household.map((h, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: list rows are identified by position
        <Group key={i} gap="xs" wrap="nowrap" align="flex-start" data-testid="household-row">
          <TextInput
            aria-label={t('customers.form.relation')}
            placeholder={t('customers.form.relation')}
            w={120}
            value={h.relation}
            error={errors[`household.${i}.relation`] ?? errors[`household.${i}`]}
            onChange={(e) => setHousehold(i, { relation: e.currentTarget.value })}
          />
          <TextInput
            aria-label={t('customers.form.householdName')}
            placeholder={t('customers.form.householdName')}
            style={{ flex: 1 }}
            value={h.name}
            error={errors[`household.${i}.name`]}
            onChange={(e) => setHousehold(i, { name: e.currentTarget.value })}
          />
          <TextInput
            aria-label={t('customers.form.householdBirthday')}
            type="date"
            w={170}
            value={h.birthday}
            error={errors[`household.${i}.birthday`]}
            onChange={(e) => setHousehold(i, { birthday: e.currentTarget.value })}
          />
          <ActionIcon
            variant="subtle"
            color="gray"
            mt={6}
            aria-label={t('customers.form.remove')}
            onClick={() =>
              set(
                'household',
                value.household.filter((_, j) => j !== i),
              )
            }
          >
            <IconX size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button
          size="xs"
          variant="subtle"
          leftSection={<IconPlus size={14} />}
          onClick={() => set('household', [...value.household, { relation: '', name: '', birthday: '' }])}
        >
          {t('customers.form.addHousehold')}
        </Button>
      </Group>
      <Textarea
        label={t('customers.fields.preferences')}
        value={value.preferences}
        onChange={(e) => set('preferences', e.currentTarget.value)}
        error={errors.preferences}
        autosize
        minRows={2}
      />
      <Textarea
        label={t('customers.fields.notes')}
        value={value.notes}
        onChange={(e) => set('notes', e.currentTarget.value)}
        error={errors.notes}
        autosize
        minRows={3}
      />
      {(custom.data ?? []).length > 0 && (
        <>
          <Divider label={t('customers.form.custom')} labelPosition="left" />
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            {(custom.data ?? []).map((f) => (
              <CustomFieldInput
                key={f.id}
                field={f}
                value={value.custom[f.key]}
                error={errors[`custom.${f.key}`]}
                onChange={(v) => set('custom', { ...value.custom, [f.key]: v })}
              />
            ))}
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
