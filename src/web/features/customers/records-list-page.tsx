import { Button, Group, Switch } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFileImport, IconPlus, IconRestore, IconUsers } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { http } from '../../app/api-client';
import { useCan } from '../../app/session';
import { EmptyState } from '../../ui/empty-state';
import { ErrorAlert } from '../../ui/error-alert';
import { useFormatDateTime } from '../../ui/format';
import { PageHeader } from '../../ui/page-header';
import { type EntityType, pathOf, recordKeys, useUsers } from './customers-api';
import { RecordCreateModal } from './record-dialogs';
import { recordEntities } from './record-entities';
import { RecordsList } from './records-list';

/**
 * 顧客一覧 and 会社一覧: records filtered, sorted and paged, with bulk actions and saved views, and their trash
 * (ゴミ箱) for those who may delete. What differs between people and companies comes from `recordEntities`.
 */
export function RecordsListPage<E extends EntityType>({ entity }: { entity: E }) {
  const { t } = useTranslation();
  const can = useCan();
  const formatDateTime = useFormatDateTime();
  const users = useUsers();
  const [creating, { open, close }] = useDisclosure(false);
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const config = recordEntities[entity];
  const canDelete = can('records.delete');
  const trash = canDelete && params.get('trash') === 'true';
  const restore = useMutation({
    mutationFn: (id: string) => http.post<{ ok: true }>(`/api/v1/${pathOf(entity)}/${id}/restore`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: recordKeys(entity) }),
  });
  const ownerName = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u.name])), [users.data]);
  const columns = config.columns({ ownerName: (id) => ownerName.get(id), formatDateTime });

  return (
    <>
      <PageHeader title={trash ? t(config.trashTitle) : t(config.title)}>
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
              {t(config.newLabel)}
            </Button>
          )}
        </Group>
      </PageHeader>
      <ErrorAlert error={restore.error} />
      <RecordsList
        key={trash ? 'trash' : 'live'}
        entity={entity}
        columns={columns}
        rowLabel={config.name}
        rowHref={(row) => `/${pathOf(entity)}/${row.id}`}
        trash={trash}
        empty={
          <EmptyState message={t(config.emptyMessage)} icon={<IconUsers size={24} />}>
            {can('records.write') && (
              <>
                <Button leftSection={<IconPlus size={16} />} onClick={open}>
                  {t(config.emptyAdd)}
                </Button>
                <Button component={Link} to="/import" variant="default" leftSection={<IconFileImport size={16} />}>
                  {t('customers.emptyState.import')}
                </Button>
              </>
            )}
          </EmptyState>
        }
        rowAction={
          trash
            ? (row) => (
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<IconRestore size={14} />}
                  loading={restore.isPending && restore.variables === row.id}
                  aria-label={t('customers.trash.restoreName', { name: config.name(row) })}
                  onClick={() => restore.mutate(row.id)}
                >
                  {t('customers.trash.restore')}
                </Button>
              )
            : undefined
        }
      />
      {creating && <RecordCreateModal entity={entity} onClose={close} />}
    </>
  );
}
