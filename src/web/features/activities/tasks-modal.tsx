import { Alert, Button, Group, Modal, SegmentedControl, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconRotate, IconTrash } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api-client';
import { useCan, useSession } from '../../app/session';
import { useUsers } from '../customers/customers-api';
import { joinInstant, splitInstant, type Task, type TaskLinkRef, useSaveTask, useTaskAction, useTaskTimeZone } from './tasks-api';
import { TaskRecordPicker } from './tasks-record-picker';

const repeats = {
  none: null,
  daily: 'FREQ=DAILY',
  weekdays: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
  weekly: 'FREQ=WEEKLY',
  monthly: 'FREQ=MONTHLY',
} as const;
type RepeatChoice = keyof typeof repeats | 'custom';
const reminders = { atDue: 0, min10: 10 * 60_000, hour1: 3_600_000, day1: 86_400_000 } as const;
type ReminderChoice = 'none' | keyof typeof reminders | 'custom';

export interface TaskDefaults {
  links?: TaskLinkRef[];
  dueDate?: string;
}

interface Draft {
  title: string;
  description: string;
  priority: 'low' | 'normal' | 'high';
  dueDate: string;
  dueTime: string;
  assigneeId: string | null;
  links: TaskLinkRef[];
  reminder: ReminderChoice;
  remindDate: string;
  remindTime: string;
  repeat: RepeatChoice;
  rrule: string;
}

function draftOf(task: Task | null, defaults: TaskDefaults, userId: string, timeZone: string): Draft {
  if (!task) {
    return {
      title: '',
      description: '',
      priority: 'normal',
      dueDate: defaults.dueDate ?? '',
      dueTime: '',
      assigneeId: userId,
      links: defaults.links ?? [],
      reminder: 'none',
      remindDate: '',
      remindTime: '',
      repeat: 'none',
      rrule: '',
    };
  }
  const due = splitInstant(task.dueAt, timeZone);
  const remind = splitInstant(task.remindAt, timeZone);
  const offset = task.dueAt && task.remindAt ? Date.parse(task.dueAt) - Date.parse(task.remindAt) : null;
  const preset = (Object.entries(reminders) as [keyof typeof reminders, number][]).find(([, ms]) => ms === offset)?.[0];
  const repeat = (Object.entries(repeats) as [keyof typeof repeats, string | null][]).find(([, r]) => r === task.rrule)?.[0];
  return {
    title: task.title,
    description: task.description ?? '',
    priority: task.priority,
    dueDate: due.date,
    dueTime: task.allDay ? '' : due.time,
    assigneeId: task.assigneeId,
    links: task.links.filter((l): l is TaskLinkRef => l.entityType !== 'deal'),
    reminder: !task.remindAt ? 'none' : (preset ?? 'custom'),
    remindDate: remind.date,
    remindTime: remind.time,
    repeat: repeat ?? 'custom',
    rrule: task.rrule ?? '',
  };
}

/** Create or edit a task: due date and time (in the user's zone), assignee, linked records, reminder, repeat. */
export function TaskModal({
  opened,
  onClose,
  task,
  defaults = {},
}: {
  opened: boolean;
  onClose: () => void;
  task: Task | null;
  defaults?: TaskDefaults;
}) {
  return (
    <TaskModalFrame opened={opened} onClose={onClose} editing={Boolean(task)}>
      {opened && <TaskForm key={task ? `${task.id}:${task.version}` : 'new'} task={task} defaults={defaults} onClose={onClose} />}
    </TaskModalFrame>
  );
}

function TaskModalFrame({
  opened,
  onClose,
  editing,
  children,
}: {
  opened: boolean;
  onClose: () => void;
  editing: boolean;
  children: React.ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={editing ? t('tasks.edit') : t('tasks.add')} size="lg">
      {children}
    </Modal>
  );
}

function TaskForm({ task: initial, defaults, onClose }: { task: Task | null; defaults: TaskDefaults; onClose: () => void }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const can = useCan();
  const timeZone = useTaskTimeZone();
  const users = useUsers();
  const save = useSaveTask();
  const action = useTaskAction();
  const [task, setTask] = useState(initial);
  const [d, setD] = useState<Draft>(() => draftOf(initial, defaults, user.id, timeZone));
  const [error, setError] = useState<ApiError | null>(null);
  const [conflict, setConflict] = useState(false);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setD((prev) => ({ ...prev, [key]: value }));
  const readOnly = !can('records.write');

  const issue = (...paths: string[]) => {
    const found = error?.issues.find((i) => paths.includes(i.path)) as { code?: string } | undefined;
    return found ? t(`tasks.issues.${found.code}`, { defaultValue: error?.message ?? '' }) : undefined;
  };

  function input() {
    const dueAt = joinInstant(d.dueDate, d.dueTime, timeZone);
    let remindAt: string | null = null;
    if (d.reminder === 'custom') remindAt = joinInstant(d.remindDate, d.remindTime || '09:00', timeZone);
    else if (d.reminder !== 'none' && dueAt) remindAt = new Date(Date.parse(dueAt) - reminders[d.reminder]).toISOString();
    return {
      title: d.title,
      description: d.description.trim() || null,
      priority: d.priority,
      dueAt,
      allDay: Boolean(dueAt) && !d.dueTime,
      assigneeId: d.assigneeId,
      remindAt,
      rrule: d.repeat === 'custom' ? d.rrule.trim() || null : repeats[d.repeat],
      links: d.links.map((l) => ({ entityType: l.entityType, entityId: l.entityId })),
    };
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    save.mutate(
      { id: task?.id, version: task?.version, input: input() },
      {
        onSuccess: () => {
          notifications.show({ message: t('tasks.saved'), color: 'teal' });
          onClose();
        },
        onError: (err) => handleError(err),
      },
    );
  }

  function handleError(err: unknown) {
    if (err instanceof ApiError && err.code === 'conflict') {
      const current = (err.details as { current?: Task } | undefined)?.current;
      if (current) {
        setTask(current);
        setD(draftOf(current, defaults, user.id, timeZone));
      }
      setConflict(true);
      return;
    }
    setError(err instanceof ApiError ? err : null);
  }

  function run(kind: 'complete' | 'reopen' | 'delete') {
    if (!task) return;
    action.mutate(
      { task, action: kind },
      {
        onSuccess: (result) => {
          const message =
            kind === 'delete'
              ? t('tasks.deleted')
              : kind === 'reopen'
                ? t('tasks.reopened')
                : result.nextTaskId
                  ? t('tasks.nextCreated')
                  : t('tasks.completed');
          notifications.show({ message, color: 'teal' });
          onClose();
        },
        onError: handleError,
      },
    );
  }

  const hasDue = Boolean(d.dueDate);
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack>
        {conflict && (
          <Alert color="yellow" data-testid="task-conflict">
            {t('tasks.conflict')}
          </Alert>
        )}
        {error && !error.issues.length && <Alert color="red">{error.message}</Alert>}
        <TextInput
          label={t('tasks.fields.title')}
          value={d.title}
          onChange={(e) => set('title', e.currentTarget.value)}
          required
          maxLength={500}
          error={issue('title')}
          data-autofocus
          readOnly={readOnly}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            type="date"
            label={t('tasks.fields.dueDate')}
            value={d.dueDate}
            onChange={(e) => set('dueDate', e.currentTarget.value)}
            error={issue('dueAt')}
            readOnly={readOnly}
          />
          <TextInput
            type="time"
            label={t('tasks.fields.dueTime')}
            description={t('tasks.fields.dueTimeHint')}
            value={d.dueTime}
            onChange={(e) => set('dueTime', e.currentTarget.value)}
            disabled={!hasDue}
            readOnly={readOnly}
          />
        </SimpleGrid>
        <div>
          <Text size="sm" fw={500} mb={4}>
            {t('tasks.priority.label')}
          </Text>
          <SegmentedControl
            value={d.priority}
            onChange={(v) => set('priority', v as Draft['priority'])}
            data={(['low', 'normal', 'high'] as const).map((p) => ({ value: p, label: t(`tasks.priority.${p}`) }))}
            readOnly={readOnly}
          />
        </div>
        <Select
          label={t('tasks.fields.assignee')}
          data={(users.data ?? [])
            .filter((u) => u.status === 'active' || u.id === d.assigneeId)
            .map((u) => ({ value: u.id, label: u.name }))}
          value={d.assigneeId}
          onChange={(v) => set('assigneeId', v)}
          searchable
          error={issue('assigneeId')}
          readOnly={readOnly}
        />
        <TaskRecordPicker value={d.links} onChange={(v) => set('links', v)} />
        {error?.issues.some((i) => i.path.startsWith('links')) && (
          <Text size="sm" c="red">
            {issue(...error.issues.map((i) => i.path).filter((p) => p.startsWith('links')))}
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label={t('tasks.fields.reminder')}
            data={(['none', 'atDue', 'min10', 'hour1', 'day1', 'custom'] as const).map((r) => ({
              value: r,
              label: t(`tasks.reminder.${r}`),
              disabled: !hasDue && r !== 'none' && r !== 'custom',
            }))}
            value={d.reminder}
            onChange={(v) => set('reminder', (v ?? 'none') as ReminderChoice)}
            allowDeselect={false}
            error={d.reminder !== 'custom' ? issue('remindAt') : undefined}
            readOnly={readOnly}
          />
          <Select
            label={t('tasks.fields.repeat')}
            description={!hasDue ? t('tasks.needsDue') : undefined}
            data={(['none', 'daily', 'weekdays', 'weekly', 'monthly', 'custom'] as const).map((r) => ({
              value: r,
              label: t(`tasks.repeat.${r}`),
            }))}
            value={d.repeat}
            onChange={(v) => set('repeat', (v ?? 'none') as RepeatChoice)}
            allowDeselect={false}
            disabled={!hasDue}
            error={d.repeat !== 'custom' ? issue('rrule') : undefined}
            readOnly={readOnly}
          />
        </SimpleGrid>
        {d.reminder === 'custom' && (
          <SimpleGrid cols={2}>
            <TextInput
              type="date"
              label={t('tasks.fields.reminderAt')}
              value={d.remindDate}
              onChange={(e) => set('remindDate', e.currentTarget.value)}
              error={issue('remindAt')}
            />
            <TextInput
              type="time"
              label={t('tasks.fields.dueTime')}
              value={d.remindTime}
              onChange={(e) => set('remindTime', e.currentTarget.value)}
            />
          </SimpleGrid>
        )}
        {d.repeat === 'custom' && hasDue && (
          <TextInput
            label={t('tasks.fields.rrule')}
            description={t('tasks.fields.rruleHint')}
            value={d.rrule}
            onChange={(e) => set('rrule', e.currentTarget.value)}
            error={issue('rrule')}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
        )}
        <Textarea
          label={t('tasks.fields.description')}
          value={d.description}
          onChange={(e) => set('description', e.currentTarget.value)}
          autosize
          minRows={2}
          maxRows={8}
          readOnly={readOnly}
        />
        <Group justify="space-between">
          <Group gap="xs">
            {task && can('records.write') && (
              <>
                {task.status === 'open' ? (
                  <Button
                    variant="light"
                    color="teal"
                    leftSection={<IconCheck size={16} />}
                    onClick={() => run('complete')}
                    loading={action.isPending}
                  >
                    {t('tasks.complete')}
                  </Button>
                ) : (
                  <Button variant="light" leftSection={<IconRotate size={16} />} onClick={() => run('reopen')} loading={action.isPending}>
                    {t('tasks.reopen')}
                  </Button>
                )}
                <Button
                  variant="subtle"
                  color="red"
                  leftSection={<IconTrash size={16} />}
                  onClick={() => run('delete')}
                  loading={action.isPending}
                >
                  {t('tasks.delete')}
                </Button>
              </>
            )}
          </Group>
          <Group gap="xs">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            {!readOnly && (
              <Button type="submit" loading={save.isPending}>
                {t('common.save')}
              </Button>
            )}
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
