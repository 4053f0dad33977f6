import { Alert, Anchor, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ApiError, http } from '../../app/api-client';
import { keys } from '../../app/query-client';
import { ErrorAlert } from '../../ui/error-alert';
import { type Person, usePerson } from './customers-api';
import { emptyDraft, errorsByPath, type PersonDraft, payloadOf } from './person-draft';
import { PersonForm } from './person-form';

interface Candidate {
  id: string;
  reasons: string[];
}

/** 顧客を登録: on a suspected duplicate, show the candidates and let the user create anyway. `initial` prefills the form. */
export function PersonCreateModal({ onClose, initial }: { onClose: () => void; initial?: Partial<PersonDraft> }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<PersonDraft>(() => ({ ...emptyDraft(), ...initial }));
  const create = useMutation({
    mutationFn: (ignoreDuplicates: boolean) => http.post<Person>('/api/v1/people', { ...payloadOf(draft), ignoreDuplicates }),
    onSuccess: (person) => {
      void queryClient.invalidateQueries({ queryKey: keys.people });
      onClose();
      navigate(`/people/${person.id}`);
    },
  });
  const err = create.error;
  const duplicates =
    err instanceof ApiError && err.code === 'duplicate_suspected'
      ? ((err.details as { candidates?: Candidate[] })?.candidates ?? [])
      : null;
  const errors = err instanceof ApiError ? errorsByPath(err.issues) : {};

  return (
    <Modal opened onClose={onClose} title={t('customers.newPerson')} size="xl">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(false);
        }}
      >
        <Stack>
          <PersonForm value={draft} onChange={setDraft} errors={errors} />
          {duplicates ? (
            <DuplicateWarning candidates={duplicates} onCreateAnyway={() => create.mutate(true)} pending={create.isPending} />
          ) : (
            <ErrorAlert error={err} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function DuplicateWarning({
  candidates,
  onCreateAnyway,
  pending,
}: {
  candidates: Candidate[];
  onCreateAnyway: () => void;
  pending: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Alert color="yellow" title={t('customers.dup.title')} role="alert" data-testid="duplicate-warning">
      <Text size="sm">{t('customers.dup.intro')}</Text>
      <List size="sm" my="xs">
        {candidates.map((c) => (
          <List.Item key={c.id}>
            <CandidateLink id={c.id} />{' '}
            <Text span size="xs" c="dimmed">
              {t('customers.dup.reasons', { reasons: c.reasons.join(', ') })}
            </Text>
          </List.Item>
        ))}
      </List>
      <Button size="xs" color="yellow" loading={pending} onClick={onCreateAnyway}>
        {t('customers.dup.createAnyway')}
      </Button>
    </Alert>
  );
}

function CandidateLink({ id }: { id: string }) {
  const person = usePerson(id);
  return (
    <Anchor component={Link} to={`/people/${id}`} target="_blank">
      {person.data?.displayName ?? id}
    </Anchor>
  );
}
