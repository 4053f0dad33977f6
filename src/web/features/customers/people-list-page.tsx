import { Anchor, Badge, Button, Group, Stack, Switch, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus, IconRestore } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useCan } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { useFormatDateTime } from '../../ui/format';
import { PageHeader } from '../../ui/page-header';
import { type Person, useUsers } from './customers-api';
import { PersonCreateModal } from './person-create-modal';
import { type Column, RecordsList } from './records-list';

/** 顧客一覧: people sorted by reading, filtered, paged, with bulk actions and saved views. */
export function PeopleListPage() {
  const { t } = useTranslation();
  const can = useCan();
  const formatDateTime = useFormatDateTime();
  const users = useUsers();
  const [creating, { open, close }] = useDisclosure(false);
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const canDelete = can('records.delete');
  const trash = canDelete && params.get('trash') === 'true';
  const restore = useMutation({
    mutationFn: (id: string) => http.post<{ ok: true }>(`/api/v1/people/${id}/restore`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.people }),
  });
  const ownerName = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u.name])), [users.data]);

  const columns: Column<Person>[] = [
    {
      key: 'name',
      label: 'customers.col.name',
      sort: 'name',
      width: 200,
      render: (p) => (
        <Stack gap={0}>
          <Anchor component={Link} to={`/people/${p.id}`} fw={500} size="sm">
            {p.displayName}
          </Anchor>
          {(p.familyNameKana || p.givenNameKana) && (
            <Text size="xs" c="dimmed">
              {[p.familyNameKana, p.givenNameKana].filter(Boolean).join(' ')}
            </Text>
          )}
        </Stack>
      ),
    },
    {
      key: 'company.name',
      label: 'customers.col.company',
      sort: 'company.name',
      render: (p) =>
        p.company ? (
          <Anchor component={Link} to={`/companies/${p.company.id}`} size="sm">
            {p.company.name}
          </Anchor>
        ) : null,
    },
    { key: 'email', label: 'customers.col.email', render: (p) => p.emails[0]?.address },
    { key: 'phone', label: 'customers.col.phone', render: (p) => p.phones[0]?.number },
    { key: 'prefecture', label: 'customers.col.prefecture', sort: 'prefecture', render: (p) => p.prefecture },
    { key: 'ownerId', label: 'customers.col.owner', render: (p) => (p.ownerId ? ownerName.get(p.ownerId) : null) },
    {
      key: 'tags',
      label: 'customers.col.tags',
      render: (p) => (
        <Group gap={4}>
          {p.tags.map((tag) => (
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
      render: (p) => <Text size="sm">{formatDateTime(p.updatedAt)}</Text>,
    },
  ];

  return (
    <>
      <PageHeader title={trash ? t('customers.trash.title') : t('customers.people')}>
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
              {t('customers.newPerson')}
            </Button>
          )}
        </Group>
      </PageHeader>
      <ErrorAlert error={restore.error} />
      <RecordsList
        key={trash ? 'trash' : 'live'}
        entity="person"
        columns={columns}
        rowLabel={(p) => p.displayName}
        rowHref={(p) => `/people/${p.id}`}
        trash={trash}
        rowAction={
          trash
            ? (p) => (
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<IconRestore size={14} />}
                  loading={restore.isPending && restore.variables === p.id}
                  aria-label={t('customers.trash.restoreName', { name: p.displayName })}
                  onClick={() => restore.mutate(p.id)}
                >
                  {t('customers.trash.restore')}
                </Button>
              )
            : undefined
        }
      />
      {creating && <PersonCreateModal onClose={close} />}
    </>
  );
}
