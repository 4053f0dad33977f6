import { Anchor, Button, Group, List, Paper, SimpleGrid, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { ErrorState } from '../../ui/error-state';
import { PageLoader } from '../../ui/page-loader';
import { RecordActivity } from '../activities/record-activity';
import { CustomerCommerce } from '../commerce/customer-commerce';
import { type Company, type Department, type Person, useCompany } from './customers-api';
import { RecordEditor } from './record-dialogs';
import { RecordDuplicates } from './record-duplicates';
import { RecordHistory } from './record-history';

interface Relations {
  people: Person[];
  subsidiaries: Array<{ id: string; name: string }>;
  departments: Department[];
}

/** 会社詳細: fields, people, departments (組織図), parent and subsidiaries, history. */
export function CompanyPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const can = useCan();
  const company = useCompany(id);
  const [editing, setEditing] = useState(false);
  const relations = useQuery({
    queryKey: [...keys.companies, 'relations', id],
    queryFn: () => http.get<Relations>(`/api/v1/companies/${id}/relations`),
  });
  if (company.isPending) return <PageLoader />;
  if (company.error) return <ErrorState error={company.error} onRetry={() => void company.refetch()} />;
  const c = company.data;
  const rel = relations.data;

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          {c.nameKana && (
            <Text size="sm" c="dimmed">
              {c.nameKana}
            </Text>
          )}
          <Title order={1} size="h2">
            {c.name}
          </Title>
          {c.parent && (
            <Text size="sm">
              {t('customers.fields.parent')}:{' '}
              <Anchor component={Link} to={`/companies/${c.parent.id}`}>
                {c.parent.name}
              </Anchor>
            </Text>
          )}
        </div>
        {can('records.write') && !editing && (
          <Button leftSection={<IconPencil size={16} />} onClick={() => setEditing(true)}>
            {t('customers.record.edit')}
          </Button>
        )}
      </Group>
      {editing ? (
        <Paper withBorder p="md" maw={900}>
          <RecordEditor key={c.id} entity="company" record={c} onDone={() => setEditing(false)} />
        </Paper>
      ) : (
        <CompanyDetails company={c} />
      )}
      <Tabs defaultValue="people" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="people">{t('customers.record.peopleAtCompany')}</Tabs.Tab>
          <Tabs.Tab value="departments">{t('customers.record.departments')}</Tabs.Tab>
          <Tabs.Tab value="subsidiaries">{t('customers.record.subsidiaries')}</Tabs.Tab>
          <Tabs.Tab value="history">{t('customers.record.history')}</Tabs.Tab>
          <Tabs.Tab value="duplicates">{t('customers.record.duplicates')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="people">
          {rel && rel.people.length === 0 && <Text c="dimmed">{t('customers.record.noPeople')}</Text>}
          <List>
            {rel?.people.map((p) => (
              <List.Item key={p.id}>
                <Anchor component={Link} to={`/people/${p.id}`}>
                  {p.displayName}
                </Anchor>
                {p.title ? ` · ${p.title}` : ''}
              </List.Item>
            ))}
          </List>
        </Tabs.Panel>
        <Tabs.Panel value="departments">
          <Departments companyId={c.id} departments={rel?.departments ?? []} />
        </Tabs.Panel>
        <Tabs.Panel value="subsidiaries">
          <List>
            {rel?.subsidiaries.map((s) => (
              <List.Item key={s.id}>
                <Anchor component={Link} to={`/companies/${s.id}`}>
                  {s.name}
                </Anchor>
              </List.Item>
            ))}
          </List>
          {rel && rel.subsidiaries.length === 0 && <Text c="dimmed">{t('common.none')}</Text>}
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <RecordHistory entity="company" id={c.id} />
        </Tabs.Panel>
        <Tabs.Panel value="duplicates">
          <RecordDuplicates entity="company" recordId={c.id} />
        </Tabs.Panel>
      </Tabs>
      <CustomerCommerce entityType="company" entityId={c.id} />
      <RecordActivity entityType="company" entityId={c.id} />
    </Stack>
  );
}

function CompanyDetails({ company: c }: { company: Company }) {
  const { t } = useTranslation();
  const address = [c.postalCode ? `〒${c.postalCode}` : '', `${c.prefecture ?? ''}${c.city ?? ''}${c.town ?? ''}${c.addressLine ?? ''}`]
    .filter(Boolean)
    .join(' ');
  const rows: Array<[string, string | null | undefined]> = [
    [t('customers.fields.corporateNumber'), c.corporateNumber],
    [t('customers.fields.industry'), c.industry],
    [t('customers.fields.employeeCount'), c.employeeCount?.toLocaleString()],
    [t('customers.fields.website'), c.website],
    [t('customers.fields.phone'), c.phones.map((p) => p.number).join(', ')],
    [t('customers.fields.address'), address],
  ];
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs" verticalSpacing="xs" maw={900}>
      {rows.map(([label, value]) => (
        <Group key={label} gap="md" wrap="nowrap">
          <Text size="sm" c="dimmed" w={140}>
            {label}
          </Text>
          <Text size="sm">{value || t('common.none')}</Text>
        </Group>
      ))}
    </SimpleGrid>
  );
}

function Departments({ companyId, departments }: { companyId: string; departments: Department[] }) {
  const { t } = useTranslation();
  const can = useCan();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const add = useMutation({
    mutationFn: () => http.post(`/api/v1/companies/${companyId}/departments`, { name }),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: keys.companies });
    },
  });
  const children = (parentId: string | null) => departments.filter((d) => d.parentId === parentId);
  const tree = (parentId: string | null) =>
    children(parentId).map((d) => (
      <List.Item key={d.id}>
        {d.name}
        {children(d.id).length > 0 && <List withPadding>{tree(d.id)}</List>}
      </List.Item>
    ));
  return (
    <Stack>
      <List>{tree(null)}</List>
      {can('records.write') && (
        <Group align="flex-end" gap="xs">
          <TextInput label={t('customers.record.departmentName')} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Button disabled={!name.trim()} loading={add.isPending} onClick={() => add.mutate()}>
            {t('customers.record.addDepartment')}
          </Button>
        </Group>
      )}
      <ErrorAlert error={add.error} />
    </Stack>
  );
}
