import {
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { ActionIcon, Box, Button, Group, Paper, SegmentedControl, SimpleGrid, Stack, Switch, Text, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconChevronLeft, IconChevronRight, IconList, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { addDays, localDate, zonedInstant } from '../../../shared/zoned-time';
import { useCan } from '../../app/session';
import { ErrorState } from '../../ui/error-state';
import { PageHeader } from '../../ui/page-header';
import { splitInstant, type Task, useMoveTask, useTaskRange, useTaskTimeZone } from './tasks-api';
import { TaskModal } from './tasks-modal';

type View = 'month' | 'week';
const MAX_IN_CELL = 3;

const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const startOfWeek = (date: string) => addDays(date, -weekday(date));
const monthStart = (date: string) => `${date.slice(0, 7)}-01`;
function addMonths(date: string, n: number) {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 10);
}

/** Month and week calendars of tasks by due date, days in the user's time zone. Click a day to add a task on it. */
export function TasksCalendarPage() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const timeZone = useTaskTimeZone();
  const today = localDate(new Date(), timeZone);
  const [view, setView] = useState<View>('month');
  const [anchor, setAnchor] = useState(today);
  const [everyone, setEveryone] = useState(false);
  const [editing, setEditing] = useState<Task | null>(null);
  const [creatingOn, setCreatingOn] = useState<string | null>(null);
  const locale = i18n.resolvedLanguage === 'en' ? 'en-US' : 'ja-JP';
  const move = useMoveTask();
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }), useSensor(KeyboardSensor));

  const first = view === 'month' ? startOfWeek(monthStart(anchor)) : startOfWeek(anchor);
  const weeks = view === 'month' ? Math.ceil((weekday(monthStart(anchor)) + daysInMonth(anchor)) / 7) : 1;
  const days = Array.from({ length: weeks * 7 }, (_, i) => addDays(first, i));
  const range = useTaskRange({
    assignee: everyone ? 'any' : 'me',
    bucket: 'all',
    from: zonedInstant(first, '00:00', timeZone).toISOString(),
    to: zonedInstant(addDays(first, days.length), '00:00', timeZone).toISOString(),
  });
  const byDay = new Map<string, Task[]>();
  for (const task of range.data?.data ?? []) {
    if (!task.dueAt) continue;
    const day = splitInstant(task.dueAt, timeZone).date;
    byDay.set(day, [...(byDay.get(day) ?? []), task]);
  }

  const title =
    view === 'month'
      ? new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${anchor}T00:00:00Z`))
      : `${fmt(locale, first)} – ${fmt(locale, addDays(first, 6))}`;
  const step = (n: number) => setAnchor(view === 'month' ? addMonths(anchor, n) : addDays(anchor, 7 * n));
  // Drag a task onto another day: same time of day there (a past day is refused by the server with its message).
  const onDragEnd = (e: DragEndEvent) => {
    const task = e.active.data.current?.task as Task | undefined;
    const day = e.over?.id ? String(e.over.id).replace(/^day:/, '') : null;
    if (!task || !day || !task.dueAt || splitInstant(task.dueAt, timeZone).date === day) return;
    move.mutate(
      { task, day, timeZone },
      {
        onSuccess: () => notifications.show({ color: 'teal', message: t('tasks.saved') }),
        onError: (err) => notifications.show({ color: 'red', message: (err as Error).message }),
      },
    );
  };
  const weekdayNames = days
    .slice(0, 7)
    .map((d) => new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`)));

  return (
    <>
      <PageHeader title={t('tasks.calendar')}>
        <Group gap="xs">
          <Button component={Link} to="/tasks" variant="default" leftSection={<IconList size={16} />}>
            {t('tasks.list')}
          </Button>
          {can('records.write') && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreatingOn(today)}>
              {t('tasks.add')}
            </Button>
          )}
        </Group>
      </PageHeader>
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Group gap="xs">
          <ActionIcon variant="default" size="lg" onClick={() => step(-1)} aria-label={t('tasks.cal.prev')}>
            <IconChevronLeft size={18} />
          </ActionIcon>
          <Button variant="default" onClick={() => setAnchor(today)}>
            {t('tasks.cal.today')}
          </Button>
          <ActionIcon variant="default" size="lg" onClick={() => step(1)} aria-label={t('tasks.cal.next')}>
            <IconChevronRight size={18} />
          </ActionIcon>
          <Text fw={700} size="lg" data-testid="calendar-title">
            {title}
          </Text>
        </Group>
        <Group gap="md">
          <Switch label={t('tasks.cal.everyone')} checked={everyone} onChange={(e) => setEveryone(e.currentTarget.checked)} />
          <SegmentedControl
            value={view}
            onChange={(v) => setView(v as View)}
            data={[
              { value: 'month', label: t('tasks.cal.month') },
              { value: 'week', label: t('tasks.cal.week') },
            ]}
          />
        </Group>
      </Group>
      {range.error ? (
        <ErrorState error={range.error} onRetry={() => void range.refetch()} />
      ) : (
        <DndContext sensors={sensors} onDragEnd={onDragEnd}>
          <Box style={{ overflowX: 'auto' }}>
            <SimpleGrid
              cols={7}
              spacing={0}
              miw={640}
              style={{
                borderTop: '1px solid var(--mantine-color-default-border)',
                borderLeft: '1px solid var(--mantine-color-default-border)',
              }}
            >
              {weekdayNames.map((name, i) => (
                <Text key={name} size="xs" fw={600} ta="center" py={4} c={i === 0 ? 'red' : i === 6 ? 'blue' : 'dimmed'} style={cellBorder}>
                  {name}
                </Text>
              ))}
              {days.map((day) => (
                <DayCell
                  key={day}
                  day={day}
                  tasks={byDay.get(day) ?? []}
                  limit={view === 'month' ? MAX_IN_CELL : Number.POSITIVE_INFINITY}
                  minHeight={view === 'month' ? 96 : 360}
                  outside={view === 'month' && day.slice(0, 7) !== anchor.slice(0, 7)}
                  isToday={day === today}
                  timeZone={timeZone}
                  onOpen={setEditing}
                  onAdd={can('records.write') ? () => setCreatingOn(day) : undefined}
                  onMore={() => {
                    setAnchor(day);
                    setView('week');
                  }}
                />
              ))}
            </SimpleGrid>
          </Box>
        </DndContext>
      )}
      <TaskModal
        opened={Boolean(editing) || creatingOn !== null}
        onClose={() => {
          setEditing(null);
          setCreatingOn(null);
        }}
        task={editing}
        defaults={{ dueDate: creatingOn ?? undefined }}
      />
    </>
  );
}

const cellBorder = {
  borderRight: '1px solid var(--mantine-color-default-border)',
  borderBottom: '1px solid var(--mantine-color-default-border)',
};

function fmt(locale: string, date: string) {
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}

function daysInMonth(date: string) {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function DayCell(props: {
  day: string;
  tasks: Task[];
  limit: number;
  minHeight: number;
  outside: boolean;
  isToday: boolean;
  timeZone: string;
  onOpen: (t: Task) => void;
  onAdd?: () => void;
  onMore: () => void;
}) {
  const { t } = useTranslation();
  const shown = props.tasks.slice(0, props.limit);
  const hidden = props.tasks.length - shown.length;
  const { setNodeRef, isOver } = useDroppable({ id: `day:${props.day}` });
  return (
    <Paper
      ref={setNodeRef}
      radius={0}
      p={4}
      mih={props.minHeight}
      style={{ ...cellBorder, opacity: props.outside ? 0.55 : 1, background: isOver ? 'var(--mantine-color-blue-light)' : undefined }}
      data-testid={`day-${props.day}`}
    >
      <Group justify="space-between" gap={2} mb={2}>
        <Text size="xs" fw={props.isToday ? 700 : 400} c={props.isToday ? 'blue' : undefined}>
          {Number(props.day.slice(8))}
        </Text>
        {props.onAdd && (
          <ActionIcon size="xs" variant="subtle" onClick={props.onAdd} aria-label={`${t('tasks.add')} ${props.day}`}>
            <IconPlus size={12} />
          </ActionIcon>
        )}
      </Group>
      <Stack gap={2}>
        {shown.map((task) => (
          <TaskChip
            key={task.id}
            task={task}
            timeZone={props.timeZone}
            onOpen={props.onOpen}
            wrap={props.limit === Number.POSITIVE_INFINITY}
          />
        ))}
        {hidden > 0 && (
          <UnstyledButton onClick={props.onMore}>
            <Text size="xs" c="dimmed">
              {t('tasks.cal.more', { count: hidden })}
            </Text>
          </UnstyledButton>
        )}
      </Stack>
    </Paper>
  );
}

/** A task on the calendar: click to open, drag to another day. `wrap`: the whole title (week view). */
function TaskChip({ task, timeZone, onOpen, wrap }: { task: Task; timeZone: string; onOpen: (t: Task) => void; wrap?: boolean }) {
  const can = useCan();
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({
    id: `task:${task.id}`,
    data: { task },
    disabled: !can('records.write') || task.status === 'done',
  });
  return (
    <UnstyledButton
      ref={setNodeRef}
      {...attributes}
      {...listeners}
      onClick={() => onOpen(task)}
      px={4}
      data-testid="calendar-task"
      style={{
        borderRadius: 4,
        transform: transform ? `translate(${transform.x}px, ${transform.y}px)` : undefined,
        zIndex: isDragging ? 10 : undefined,
        position: 'relative',
        background:
          task.status === 'done'
            ? 'var(--mantine-color-gray-light)'
            : task.priority === 'high'
              ? 'var(--mantine-color-red-light)'
              : 'var(--mantine-color-blue-light)',
      }}
    >
      <Text size="xs" truncate={!wrap} td={task.status === 'done' ? 'line-through' : undefined}>
        {task.allDay ? '' : `${splitInstant(task.dueAt, timeZone).time} `}
        {task.title}
      </Text>
    </UnstyledButton>
  );
}
