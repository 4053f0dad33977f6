import { Anchor, Badge, Button, Group, Stack, Switch, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus, IconRestore } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { useFormatDateTime } from '../../ui/format';
import { PageHeader } from '../../ui/page-header';
import { CompanyCreateModal } from './company-dialogs';
import type { Company } from './customers-api';
import { type Column, RecordsList } from './records-list';

/** 会社一覧, and its trash (ゴミ箱) for those who may delete. */
export function CompaniesListPage() {
  const { t } = useTranslation();
  const can = useCan();
  const formatDateTime = useFormatDateTime();
  const [creating, { open, close }] = useDisclosure(false);
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const canDelete = can('records.delete');
  const trash = canDelete && params.get('trash') === 'true';
  const restore = useMutation({
    mutationFn: (id: string) => http.post<{ ok: true }>(`/api/v1/companies/${id}/restore`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.companies }),
  });
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
      <PageHeader title={trash ? t('customers.trash.companiesTitle') : t('customers.companies')}>
        <Group gap="md">
          {canDelete && (
            <Switch
              label={t('customers.trash.toggle')}
              checked={trash}
              onChange={(e) => {
                const next = new URLSearchParams(params);
                if (e.currentTarget.checked) next.set('trash', 'true');
                else next.delete('trash');
                setParams(next);
              }}
            />
          )}
          {can('records.write') && !trash && (
            <Button leftSection={<IconPlus size={16} />} onClick={open}>
              {t('customers.newCompany')}
            </Button>
          )}
        </Group>
      </PageHeader>
      <ErrorAlert error={restore.error} />
      <RecordsList
        key={trash ? 'trash' : 'live'}
        entity="company"
        columns={columns}
        rowLabel={(c) => c.name}
        rowHref={(c) => `/companies/${c.id}`}
        trash={trash}
        rowAction={
          trash
            ? (c) => (
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<IconRestore size={14} />}
                  loading={restore.isPending && restore.variables === c.id}
                  aria-label={t('customers.trash.restoreName', { name: c.name })}
                  onClick={() => restore.mutate(c.id)}
                >
                  {t('customers.trash.restore')}
                </Button>
              )
            : undefined
        }
      />
      {creating && <CompanyCreateModal onClose={close} />}
    </>
  );
}
