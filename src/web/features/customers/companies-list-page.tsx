import { Anchor, Badge, Button, Group, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCan } from '../../app/session';
import { useFormatDateTime } from '../../ui/format';
import { PageHeader } from '../../ui/page-header';
import { CompanyCreateModal } from './company-dialogs';
import type { Company } from './customers-api';
import { type Column, RecordsList } from './records-list';

/** 会社一覧. */
export function CompaniesListPage() {
  const { t } = useTranslation();
  const can = useCan();
  const formatDateTime = useFormatDateTime();
  const [creating, { open, close }] = useDisclosure(false);
  const columns: Column<Company>[] = [
    {
      key: 'name',
      label: 'customers.col.name',
      sort: 'name',
      width: 200,
      render: (c) => (
        <Stack gap={0}>
          <Anchor component={Link} to={`/companies/${c.id}`} fw={500} size="sm">
            {c.name}
          </Anchor>
          {c.nameKana && (
            <Text size="xs" c="dimmed">
              {c.nameKana}
            </Text>
          )}
        </Stack>
      ),
    },
    { key: 'industry', label: 'customers.col.industry', sort: 'industry', render: (c) => c.industry },
    { key: 'employeeCount', label: 'customers.col.employees', sort: 'employeeCount', render: (c) => c.employeeCount?.toLocaleString() },
    { key: 'phone', label: 'customers.col.phone', render: (c) => c.phones[0]?.number },
    { key: 'prefecture', label: 'customers.col.prefecture', sort: 'prefecture', render: (c) => c.prefecture },
    {
      key: 'tags',
      label: 'customers.col.tags',
      render: (c) => (
        <Group gap={4}>
          {c.tags.map((tag) => (
            <Badge key={tag} variant="light" size="sm">
              {tag}
            </Badge>
          ))}
        </Group>
      ),
    },
    {
      key: 'updatedAt',
      label: 'customers.col.updated',
      sort: 'updatedAt',
      width: 180,
      render: (c) => <Text size="sm">{formatDateTime(c.updatedAt)}</Text>,
    },
  ];
  return (
    <>
      <PageHeader title={t('customers.companies')}>
        {can('records.write') && (
          <Button leftSection={<IconPlus size={16} />} onClick={open}>
            {t('customers.newCompany')}
          </Button>
        )}
      </PageHeader>
      <RecordsList entity="company" columns={columns} rowLabel={(c) => c.name} rowHref={(c) => `/companies/${c.id}`} />
      {creating && <CompanyCreateModal onClose={close} />}
    </>
  );
}
