import {
  Badge,
  Button,
  FileInput,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ActivityKind, activityKinds, callOutcomes } from '../../../shared/contracts/activities';
import { keys } from '../../app/query-client';
import { useSession } from '../../app/session';
import { ErrorAlert } from '../../ui/error-alert';
import { useUsers } from '../customers/customers-api';
import { type ActivityCreate, type RecordType, useLogActivity } from './activities-api';
import { MentionTextarea, mentionedIn } from './mention-textarea';

/** "YYYY-MM-DDTHH:mm" in the browser's zone, for datetime-local inputs. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

interface Draft {
  kind: ActivityKind;
  subject: string;
  body: string;
  occurredAt: string;
  /** The user picked a time: else the server stamps it (seconds matter for the order on the timeline). */
  occurredTouched: boolean;
  direction: 'in' | 'out';
  minutes: number | string;
  outcome: string | null;
  attendees: string[];
  place: string;
  startAt: string;
  endAt: string;
  mentionIds: string[];
  files: File[];
}

const fresh = (kind: ActivityKind = 'note'): Draft => {
  const now = localInput(new Date());
  return {
    kind,
    subject: '',
    body: '',
    occurredAt: now,
    occurredTouched: false,
    direction: 'out',
    minutes: '',
    outcome: null,
    attendees: [],
    place: '',
    startAt: now,
    endAt: '',
    mentionIds: [],
    files: [],
  };
};

function toRequest(d: Draft, links: ActivityCreate['links'], mentionIds: string[]): ActivityCreate {
  const base = {
    subject: d.subject || undefined,
    body: d.body,
    occurredAt: d.occurredTouched ? toIso(d.occurredAt) : undefined,
    links,
    mentionIds,
  };
  switch (d.kind) {
    case 'call':
      return {
        ...base,
        kind: 'call',
        call: {
          direction: d.direction,
          durationSeconds: d.minutes === '' ? undefined : Math.round(Number(d.minutes) * 60),
          outcome: (d.outcome as (typeof callOutcomes)[number] | null) ?? undefined,
        },
      };
    case 'meeting':
      return {
        ...base,
        kind: 'meeting',
        occurredAt: toIso(d.startAt),
        meeting: { attendees: d.attendees, place: d.place || undefined, startAt: toIso(d.startAt) ?? '', endAt: toIso(d.endAt) },
      };
    case 'sms':
    case 'chat':
      return { ...base, kind: d.kind, message: { direction: d.direction } };
    default:
      return { ...base, kind: 'note' };
  }
}

/** 活動を記録: one form for notes, calls, meetings, SMS and chat logs, with @mentions and attachments. */
export function LogActivityModal(props: { opened: boolean; onClose: () => void; entityType: RecordType; entityId: string }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const users = useUsers();
  const queryClient = useQueryClient();
  const log = useLogActivity();
  const [draft, setDraft] = useState<Draft>(() => fresh());
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const teammates = (users.data ?? []).filter((u) => u.id !== user.id && u.status === 'active');
  const mentioned = mentionedIn(draft.body, users.data ?? [], draft.mentionIds);

  const close = () => {
    log.reset();
    setDraft(fresh(draft.kind));
    props.onClose();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const activity = toRequest(draft, [{ entityType: props.entityType, entityId: props.entityId }], mentioned);
    try {
      const result = await log.mutateAsync({ activity, files: draft.files });
      for (const f of result.failed) {
        notifications.show({
          color: 'red',
          message: t('activities.log.attachFailed', { name: f.file.name, message: f.error instanceof Error ? f.error.message : '' }),
        });
      }
      notifications.show({ message: t('activities.log.saved') });
      void queryClient.invalidateQueries({ queryKey: [...keys.timeline, props.entityId] });
      close();
    } catch {
      // shown by ErrorAlert
    }
  };

  const kind = draft.kind;
  return (
    <Modal opened={props.opened} onClose={close} title={t('activities.log.title')} size="lg">
      <form onSubmit={submit}>
        <Stack>
          <SegmentedControl
            aria-label={t('activities.log.kind')}
            value={kind}
            onChange={(v) => set('kind', v as ActivityKind)}
            data={activityKinds.map((k) => ({ value: k, label: t(`activities.kinds.${k}`) }))}
            fullWidth
          />
          {kind !== 'meeting' && (
            <TextInput
              type="datetime-local"
              label={t('activities.log.occurredAt')}
              value={draft.occurredAt}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setDraft((d) => ({ ...d, occurredAt: value, occurredTouched: true }));
              }}
            />
          )}
          {(kind === 'call' || kind === 'sms' || kind === 'chat') && (
            <Stack gap={4}>
              <Text size="sm" fw={500}>
                {t('activities.log.direction')}
              </Text>
              <SegmentedControl
                aria-label={t('activities.log.direction')}
                value={draft.direction}
                onChange={(v) => set('direction', v as 'in' | 'out')}
                data={(['out', 'in'] as const).map((d) => ({ value: d, label: t(`activities.log.directions.${d}`) }))}
              />
            </Stack>
          )}
          {kind === 'call' && (
            <SimpleGrid cols={{ base: 1, xs: 2 }}>
              <NumberInput
                label={t('activities.log.duration')}
                min={0}
                max={1440}
                value={draft.minutes}
                onChange={(v) => set('minutes', v)}
              />
              <Select
                label={t('activities.log.outcome')}
                clearable
                value={draft.outcome}
                onChange={(v) => set('outcome', v)}
                data={callOutcomes.map((o) => ({ value: o, label: t(`activities.log.outcomes.${o}`) }))}
              />
            </SimpleGrid>
          )}
          {kind === 'meeting' && (
            <>
              <SimpleGrid cols={{ base: 1, xs: 2 }}>
                <TextInput
                  type="datetime-local"
                  required
                  label={t('activities.log.startAt')}
                  value={draft.startAt}
                  onChange={(e) => set('startAt', e.currentTarget.value)}
                />
                <TextInput
                  type="datetime-local"
                  label={t('activities.log.endAt')}
                  value={draft.endAt}
                  onChange={(e) => set('endAt', e.currentTarget.value)}
                />
              </SimpleGrid>
              <TextInput label={t('activities.log.place')} value={draft.place} onChange={(e) => set('place', e.currentTarget.value)} />
              <TagsInput
                label={t('activities.log.attendees')}
                description={t('activities.log.attendeesHint')}
                value={draft.attendees}
                onChange={(v) => set('attendees', v)}
                data={(users.data ?? []).map((u) => u.name)}
              />
            </>
          )}
          <TextInput label={t('activities.log.subject')} value={draft.subject} onChange={(e) => set('subject', e.currentTarget.value)} />
          <MentionTextarea
            label={t('activities.log.body')}
            description={t('activities.log.bodyHint')}
            value={draft.body}
            onChange={(v) => set('body', v)}
            users={teammates}
            onMention={(id) => setDraft((d) => ({ ...d, mentionIds: [...new Set([...d.mentionIds, id])] }))}
            autoFocus
          />
          {mentioned.length > 0 && (
            <Group gap="xs" data-testid="mentioned">
              <Text size="sm" c="dimmed">
                {t('activities.log.mentioned')}
              </Text>
              {mentioned.map((id) => (
                <Badge key={id} variant="light">
                  @{users.data?.find((u) => u.id === id)?.name}
                </Badge>
              ))}
            </Group>
          )}
          <FileInput label={t('activities.log.files')} multiple clearable value={draft.files} onChange={(files) => set('files', files)} />
          <ErrorAlert error={log.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={log.isPending}>
              {t('activities.log.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
