import { Button, Checkbox, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Filter } from '../../../shared/filter';
import { http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ErrorAlert } from '../../ui/error-alert';
import { type EntityType, type SavedView, type SortKey, useViews } from './customers-api';

/** Choose a saved view, or save the current filter, sort and columns as a private or shared one. */
export function ViewsMenu({
  entity,
  current,
  viewId,
  onChoose,
}: {
  entity: EntityType;
  current: { filter: Filter | null; sort: SortKey[]; columns: string[] };
  viewId: string | null;
  onChoose: (view: SavedView | null) => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const views = useViews(entity);
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const save = useMutation({
    mutationFn: () => http.post<SavedView>('/api/v1/views', { entityType: entity, name, shared, ...current }),
    onSuccess: (view) => {
      notifications.show({ message: t('customers.views.saved', { name: view.name }), color: 'green' });
      void queryClient.invalidateQueries({ queryKey: keys.views });
      setSaving(false);
      setName('');
      onChoose(view);
    },
  });

  return (
    <Group gap="xs">
      <Select
        aria-label={t('customers.views.label')}
        placeholder={t('customers.views.none')}
        data={(views.data ?? []).map((v) => ({ value: v.id, label: v.name }))}
        value={viewId}
        clearable
        w={220}
        onChange={(id) => onChoose(views.data?.find((v) => v.id === id) ?? null)}
      />
      <Button variant="default" onClick={() => setSaving(true)}>
        {t('customers.views.save')}
      </Button>
      <Modal opened={saving} onClose={() => setSaving(false)} title={t('customers.views.save')}>
        <Stack>
          <TextInput
            label={t('customers.views.name')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            data-autofocus
          />
          <Checkbox label={t('customers.views.shared')} checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
          <ErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setSaving(false)}>
              {t('common.cancel')}
            </Button>
            <Button loading={save.isPending} disabled={!name.trim()} onClick={() => save.mutate()}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Group>
  );
}
