import { Alert, Anchor, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ApiError, http } from '../../app/api-client';
import { ErrorAlert } from '../../ui/error-alert';
import { ConflictAlert, conflictRows, showValue } from './conflict-alert';
import { type EntityType, pathOf, type RecordOf, recordKeys, useRecord } from './customers-api';
import { errorsByPath } from './record-draft';
import { type DraftOf, recordEntities } from './record-entities';
import { RecordForm } from './record-form';

interface Candidate {
  id: string;
  reasons: string[];
}

/**
 * 顧客を登録 / 会社を登録: on a suspected duplicate, show the candidates and let the user create anyway.
 * `initial` prefills the form.
 */
export function RecordCreateModal<E extends EntityType>({
  entity,
  onClose,
  initial,
}: {
  entity: E;
  onClose: () => void;
  initial?: Partial<DraftOf<E>>;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const config = recordEntities[entity];
  const [draft, setDraft] = useState<DraftOf<E>>(() => ({ ...config.empty(), ...initial }));
  const create = useMutation({
    mutationFn: (ignoreDuplicates: boolean) =>
      http.post<RecordOf<E>>(`/api/v1/${pathOf(entity)}`, { ...config.payloadOf(draft), ignoreDuplicates }),
    onSuccess: (record) => {
      void queryClient.invalidateQueries({ queryKey: recordKeys(entity) });
      onClose();
      navigate(`/${pathOf(entity)}/${record.id}`);
    },
  });
  const err = create.error;
  const duplicates =
    err instanceof ApiError && err.code === 'duplicate_suspected'
      ? ((err.details as { candidates?: Candidate[] })?.candidates ?? [])
      : null;

  return (
    <Modal opened onClose={onClose} title={t(config.newLabel)} size="xl">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(false);
        }}
      >
        <Stack>
          <RecordForm entity={entity} value={draft} onChange={setDraft} errors={err instanceof ApiError ? errorsByPath(err.issues) : {}} />
          {duplicates ? (
            <DuplicateWarning
              entity={entity}
              candidates={duplicates}
              onCreateAnyway={() => create.mutate(true)}
              pending={create.isPending}
            />
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
  entity,
  candidates,
  onCreateAnyway,
  pending,
}: {
  entity: EntityType;
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
            <CandidateLink entity={entity} id={c.id} />{' '}
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

function CandidateLink<E extends EntityType>({ entity, id }: { entity: E; id: string }) {
  const record = useRecord(entity, id);
  return (
    <Anchor component={Link} to={`/${pathOf(entity)}/${id}`} target="_blank">
      {record.data ? recordEntities[entity].name(record.data) : id}
    </Anchor>
  );
}

/**
 * Edit a record against the version it was loaded at. If someone saved in between, the 409 carries their
 * record: both are shown and the user reloads theirs or saves their own over it.
 */
export function RecordEditor<E extends EntityType>({ entity, record, onDone }: { entity: E; record: RecordOf<E>; onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const config = recordEntities[entity];
  const [draft, setDraft] = useState<DraftOf<E>>(() => config.draftOf(record));
  const [version, setVersion] = useState(record.version);
  const [theirs, setTheirs] = useState<RecordOf<E> | null>(null);
  const save = useMutation({
    mutationFn: (v: number) =>
      http.patch<RecordOf<E>>(`/api/v1/${pathOf(entity)}/${record.id}`, { ...config.payloadOf(draft), version: v }),
    onSuccess: (saved) => {
      queryClient.setQueryData([...recordKeys(entity), 'one', record.id], saved);
      void queryClient.invalidateQueries({ queryKey: recordKeys(entity) });
      notifications.show({ message: t('common.saved'), color: 'green' });
      onDone();
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'conflict') setTheirs((err.details as { current: RecordOf<E> }).current);
    },
  });

  const conflict = (current: RecordOf<E>) => {
    const drafts = { mine: draft, theirs: config.draftOf(current) };
    const payloads = { mine: config.payloadOf(drafts.mine), theirs: config.payloadOf(drafts.theirs) };
    return conflictRows(
      payloads.mine,
      payloads.theirs,
      (k) => t(config.conflictLabels[k] ?? `customers.fields.${k}`, { defaultValue: k }),
      (k, side) => config.refNames[k]?.(drafts[side]) ?? showValue(payloads[side][k]),
    );
  };

  return (
    <form
      data-testid={`${entity}-editor`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(version);
      }}
    >
      <Stack>
        {theirs && (
          <ConflictAlert
            rows={conflict(theirs)}
            onReload={() => {
              setDraft(config.draftOf(theirs));
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
        <RecordForm
          entity={entity}
          value={draft}
          onChange={setDraft}
          selfId={record.id}
          errors={save.error instanceof ApiError ? errorsByPath(save.error.issues) : {}}
        />
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
