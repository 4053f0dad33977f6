import { Button, Group, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ErrorAlert } from '../../ui/error-alert';
import { ConflictAlert, conflictRows, showValue } from './conflict-alert';
import type { Person } from './customers-api';
import { draftOf, errorsByPath, type PersonDraft, payloadOf } from './person-draft';
import { PersonForm } from './person-form';

/**
 * Edit a person against the version it was loaded at. If someone saved in between, the 409 carries
 * their record: both are shown and the user reloads theirs or saves their own over it.
 */
export function PersonEditor({ person, onDone }: { person: Person; onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<PersonDraft>(() => draftOf(person));
  const [version, setVersion] = useState(person.version);
  const [theirs, setTheirs] = useState<Person | null>(null);
  const save = useMutation({
    mutationFn: (v: number) => http.patch<Person>(`/api/v1/people/${person.id}`, { ...payloadOf(draft), version: v }),
    onSuccess: (saved) => {
      queryClient.setQueryData([...keys.people, 'one', person.id], saved);
      void queryClient.invalidateQueries({ queryKey: keys.people });
      notifications.show({ message: t('common.saved'), color: 'green' });
      onDone();
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'conflict') setTheirs((err.details as { current: Person }).current);
    },
  });
  const errors = save.error instanceof ApiError ? errorsByPath(save.error.issues) : {};

  const mine = payloadOf(draft);
  const current = theirs ? payloadOf(draftOf(theirs)) : null;

  return (
    <form
      data-testid="person-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(version);
      }}
    >
      <Stack>
        {theirs && current && (
          <ConflictAlert
            rows={conflictRows(
              mine,
              current,
              (k) => t(`customers.fields.${k === 'companyId' ? 'company' : k}`, { defaultValue: k }),
              (k, side) =>
                k === 'companyId'
                  ? side === 'mine'
                    ? draft.company?.name
                    : theirs.company?.name
                  : showValue(side === 'mine' ? mine[k] : current[k]),
            )}
            onReload={() => {
              setDraft(draftOf(theirs));
              setVersion(theirs.version);
              setTheirs(null);
              save.reset();
            }}
            onReapply={() => {
              setVersion(theirs.version);
              setTheirs(null);
              save.mutate(theirs.version);
            }}
          />
        )}
        <PersonForm value={draft} onChange={setDraft} errors={errors} />
        {!theirs && <ErrorAlert error={save.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending} disabled={theirs !== null}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
