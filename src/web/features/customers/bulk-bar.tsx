import { Button, Group, Modal, Select, Stack, TagsInput, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BULK_MAX, type BulkAction } from '../../../shared/contracts/customers';
import type { Filter } from '../../../shared/filter';
import { http } from '../../app/api-client';
import { useCan } from '../../app/session';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorAlert } from '../../ui/error-alert';
import { type EntityType, pathOf, recordKeys, useUsers } from './customers-api';

/** Every record matching the list's filter, offered once all loaded rows are selected. */
export interface MatchingSelection {
  count: number;
  filter: Filter | null;
  selected: boolean;
  onSelect: (selected: boolean) => void;
}

/**
 * Actions on the selected rows, or on every record matching the filter: add a tag, assign an owner,
 * delete (with the delete permission).
 */
export function BulkBar({
  entity,
  ids,
  matching,
  onDone,
}: {
  entity: EntityType;
  ids: string[];
  matching?: MatchingSelection;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const can = useCan();
  const queryClient = useQueryClient();
  const users = useUsers();
  const [dialog, setDialog] = useState<'tag' | 'assign' | null>(null);
  const [tags, setTags] = useState<string[]>([]);
  const [owner, setOwner] = useState<string | null>(null);
  const all = matching?.selected === true;
  const size = all ? (matching?.count ?? 0) : ids.length;
  // The server resolves the filter itself (at most BULK_MAX records), so nothing depends on what is loaded.
  const target = all ? { filter: matching?.filter ?? { and: [] } } : { ids };
  const run = useMutation({
    mutationFn: (action: BulkAction) => http.post<{ count?: number }>(`/api/v1/${pathOf(entity)}/bulk`, action),
    onSuccess: (r) => {
      notifications.show({ message: t('customers.bulk.done', { count: r.count ?? size }), color: 'green' });
      setDialog(null);
      setTags([]);
      void queryClient.invalidateQueries({ queryKey: recordKeys(entity) });
      onDone();
    },
  });

  return (
    <Group gap="xs" p="xs" bg="var(--mantine-primary-color-light)" bdrs="sm" data-testid="bulk-bar">
      <Text size="sm" fw={500}>
        {all ? t('customers.bulk.allMatchingSelected', { count: size }) : t('customers.selected', { count: size })}
      </Text>
      {matching &&
        !all &&
        matching.count > ids.length &&
        (matching.count <= BULK_MAX ? (
          <Button size="xs" variant="subtle" onClick={() => matching.onSelect(true)}>
            {t('customers.bulk.selectAllMatching', { count: matching.count })}
          </Button>
        ) : (
          <Text size="xs" c="dimmed">
            {t('customers.bulk.tooManyMatching', { max: BULK_MAX })}
          </Text>
        ))}
      {all && (
        <Button size="xs" variant="subtle" onClick={() => matching?.onSelect(false)}>
          {t('customers.bulk.selectLoadedOnly')}
        </Button>
      )}
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
          message={t('customers.bulk.confirmDelete', { count: size })}
          confirmLabel={t('customers.bulk.delete')}
          onConfirm={() => run.mutate({ action: 'delete', ...target })}
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
              onClick={() =>
                run.mutate(dialog === 'tag' ? { action: 'tag', ...target, tags } : { action: 'assign', ...target, ownerId: owner })
              }
            >
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Group>
  );
}
