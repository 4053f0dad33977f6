import { Anchor, Badge, Button, Checkbox, Group, Paper, Stack, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAddressBook, IconBell, IconBuilding, IconRepeat } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCan, useSession } from '../../app/session';
import { ErrorState } from '../../ui/error-state';
import { type Task, type TaskQuery, useFormatDue, useTaskAction, useTaskPages } from './tasks-api';

const priorityColor = { high: 'red', normal: 'blue', low: 'gray' } as const;

/** One task: done checkbox, title (opens the editor), due, priority, linked records, assignee. */
export function TaskItem({ task, onOpen, overdue }: { task: Task; onOpen: (t: Task) => void; overdue?: boolean }) {
  const { t } = useTranslation();
  const can = useCan();
  const { user } = useSession();
  const action = useTaskAction();
  const formatDue = useFormatDue();
  const done = task.status === 'done';
  const toggle = () =>
    action.mutate(
      { task, action: done ? 'reopen' : 'complete' },
      {
        onSuccess: (r) =>
          notifications.show({
            color: 'teal',
            message: done ? t('tasks.reopened') : r.nextTaskId ? t('tasks.nextCreated') : t('tasks.completed'),
          }),
        onError: (err) => notifications.show({ color: 'red', message: (err as Error).message }),
      },
    );
  return (
    <Group gap="sm" wrap="nowrap" align="flex-start" py={6} data-testid="task-item" data-task-id={task.id}>
      <Checkbox
        mt={2}
        checked={done}
        onChange={toggle}
        disabled={!can('records.write') || action.isPending}
        aria-label={done ? t('tasks.reopenTask', { title: task.title }) : t('tasks.completeTask', { title: task.title })}
      />
      <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
        <Group gap={6} wrap="nowrap">
          <UnstyledButton onClick={() => onOpen(task)} style={{ minWidth: 0 }}>
            <Text fw={500} td={done ? 'line-through' : undefined} c={done ? 'dimmed' : undefined} truncate>
              {task.title}
            </Text>
          </UnstyledButton>
          {task.priority !== 'normal' && (
            <Badge size="xs" color={priorityColor[task.priority]} variant="light">
              {t(`tasks.priority.${task.priority}`)}
            </Badge>
          )}
          {task.rrule && (
            <Tooltip label={t('tasks.recurring')}>
              <IconRepeat size={14} aria-label={t('tasks.recurring')} />
            </Tooltip>
          )}
          {task.remindAt && !task.remindedAt && !done && (
            <Tooltip label={t('tasks.reminderAt', { at: formatDue({ dueAt: task.remindAt, allDay: false }) })}>
              <IconBell size={14} aria-label={t('tasks.fields.reminder')} />
            </Tooltip>
          )}
        </Group>
        <Group gap="sm" wrap="wrap">
          <Text size="xs" c={overdue ? 'red' : 'dimmed'}>
            {formatDue(task)}
          </Text>
          {task.assigneeId && task.assigneeId !== user.id && (
            <Text size="xs" c="dimmed">
              {t('tasks.assignedTo', { name: task.assigneeName ?? '' })}
            </Text>
          )}
          {task.links.map((l) => (
            <Anchor
              key={`${l.entityType}:${l.entityId}`}
              component={Link}
              to={`/${l.entityType === 'person' ? 'people' : 'companies'}/${l.entityId}`}
              size="xs"
            >
              <Group gap={2} component="span" wrap="nowrap">
                {l.entityType === 'person' ? <IconAddressBook size={12} /> : <IconBuilding size={12} />}
                {l.name ?? '—'}
              </Group>
            </Anchor>
          ))}
        </Group>
      </Stack>
    </Group>
  );
}

/** A titled list of tasks from one query, with "load more" over keyset pages. */
export function TaskSection({
  title,
  query,
  empty,
  onOpen,
  overdue,
  color,
  testId,
}: {
  title: string;
  query: TaskQuery;
  empty: string;
  onOpen: (t: Task) => void;
  overdue?: boolean;
  color?: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const pages = useTaskPages(query);
  const tasks = pages.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Paper withBorder p="md" data-testid={testId}>
      <Group justify="space-between" mb="xs">
        <Text fw={700} c={color}>
          {title}
        </Text>
        {pages.isSuccess && (
          <Badge variant="light" color={color ?? 'gray'}>
            {tasks.length}
            {pages.hasNextPage ? '+' : ''}
          </Badge>
        )}
      </Group>
      {pages.error ? (
        <ErrorState error={pages.error} onRetry={() => void pages.refetch()} />
      ) : tasks.length === 0 && pages.isSuccess ? (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      ) : (
        <Stack gap={0}>
          {tasks.map((task) => (
            <TaskItem key={task.id} task={task} onOpen={onOpen} overdue={overdue} />
          ))}
        </Stack>
      )}
      {pages.hasNextPage && (
        <Button variant="subtle" size="xs" mt="xs" onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>
          {t('common.loadMore')}
        </Button>
      )}
    </Paper>
  );
}
