import { Button, Group, Modal, Select, Stack, TagsInput, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BulkAction } from '../../../shared/contracts/customers';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { useCan } from '../../app/session';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorAlert } from '../../ui/error-alert';
import { type EntityType, pathOf, useUsers } from './customers-api';

/** Actions on the selected rows: add a tag, assign an owner, delete (with the delete permission). */
export function BulkBar({ entity, ids, onDone }: { entity: EntityType; ids: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const can = useCan();
  const queryClient = useQueryClient();
  const users = useUsers();
  const [dialog, setDialog] = useState<'tag' | 'assign' | null>(null);
  const [tags, setTags] = useState<string[]>([]);
  const [owner, setOwner] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: (action: BulkAction) => http.post<{ count?: number }>(`/api/v1/${pathOf(entity)}/bulk`, action),
    onSuccess: (r) => {
      notifications.show({ message: t('customers.bulk.done', { count: r.count ?? ids.length }), color: 'green' });
      setDialog(null);
      setTags([]);
      void queryClient.invalidateQueries({ queryKey: entity === 'person' ? keys.people : keys.companies });
      onDone();
    },
  });

  return (
    <Group gap="xs" p="xs" bg="var(--mantine-primary-color-light)" bdrs="sm" data-testid="bulk-bar">
      <Text size="sm" fw={500}>
        {t('customers.selected', { count: ids.length })}
      </Text>
      {can('records.write') && (
        <>
          <Button size="xs" variant="default" onClick={() => setDialog('tag')}>
            {t('customers.bulk.tag')}
          </Button>
          <Button size="xs" variant="default" onClick={() => setDialog('assign')}>
            {t('customers.bulk.assign')}
          </Button>
        </>
      )}
      {can('records.delete') && (
        <ConfirmButton
          message={t('customers.bulk.confirmDelete', { count: ids.length })}
          confirmLabel={t('customers.bulk.delete')}
          onConfirm={() => run.mutate({ action: 'delete', ids })}
        >
          {t('customers.bulk.delete')}
        </ConfirmButton>
      )}
      <ErrorAlert error={dialog ? null : run.error} />
      <Modal
        opened={dialog !== null}
        onClose={() => setDialog(null)}
        title={dialog === 'tag' ? t('customers.bulk.tag') : t('customers.bulk.assign')}
      >
        <Stack>
          {dialog === 'tag' ? (
            <TagsInput label={t('customers.bulk.tagLabel')} value={tags} onChange={setTags} data-autofocus />
          ) : (
            <Select
              label={t('customers.bulk.ownerLabel')}
              data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
              value={owner}
              onChange={setOwner}
              searchable
              clearable
            />
          )}
          <ErrorAlert error={run.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDialog(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              loading={run.isPending}
              disabled={dialog === 'tag' && tags.length === 0}
              onClick={() => run.mutate(dialog === 'tag' ? { action: 'tag', ids, tags } : { action: 'assign', ids, ownerId: owner })}
            >
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Group>
  );
}
