import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Preferences, Task, TaskBucket } from '../../../shared/contracts/tasks';
import { zonedInstant } from '../../../shared/zoned-time';
import { http } from '../../app/api-client';
import { useSession } from '../../app/session';

export type { Preferences, Task, TaskBucket };
export type TaskLinkRef = { entityType: 'person' | 'company'; entityId: string; name: string | null };

/** Every tasks query starts with this key: one invalidation refreshes lists, counts and the calendar. */
export const taskKeys = {
  all: ['tasks'] as const,
  list: (q: Record<string, unknown>) => ['tasks', 'list', q] as const,
  one: (id: string) => ['tasks', 'one', id] as const,
  summary: ['tasks', 'summary'] as const,
  preferences: ['tasks', 'preferences'] as const,
};

type Page = { data: Task[]; nextCursor: string | null };

export interface TaskQuery {
  assignee?: 'me' | 'any' | string;
  bucket?: TaskBucket;
  entityType?: 'person' | 'company';
  entityId?: string;
  from?: string;
  to?: string;
  limit?: number;
}

export function useTaskPages(q: TaskQuery, enabled = true) {
  return useInfiniteQuery({
    queryKey: taskKeys.list(q as Record<string, unknown>),
    queryFn: ({ pageParam }) => http.get<Page>('/api/v1/tasks', { ...q, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

/** One page is enough for a calendar month (limit 500). */
export function useTaskRange(q: TaskQuery) {
  return useQuery({
    queryKey: taskKeys.list({ ...q, range: true }),
    queryFn: () => http.get<Page>('/api/v1/tasks', { ...q, limit: q.limit ?? 500 }),
  });
}

export function useTask(id: string | null) {
  return useQuery({ queryKey: taskKeys.one(id ?? ''), queryFn: () => http.get<Task>(`/api/v1/tasks/${id}`), enabled: Boolean(id) });
}

/** Open tasks by bucket: mine, a user's, or (`any`) everyone's the caller may see. */
export function useTaskSummary(assignee: TaskQuery['assignee'] = 'me') {
  return useQuery({
    queryKey: [...taskKeys.summary, assignee],
    queryFn: () =>
      http.get<{ timeZone: string; today: string; counts: { overdue: number; today: number; upcoming: number; nodate: number } }>(
        '/api/v1/tasks/summary',
        { assignee },
      ),
  });
}

export function usePreferences() {
  return useQuery({ queryKey: taskKeys.preferences, queryFn: () => http.get<Preferences>('/api/v1/me/notification-preferences') });
}

/** The zone tasks are shown in: the user's own, else the workspace's. */
export function useTaskTimeZone(): string {
  const { workspace } = useSession();
  const prefs = usePreferences();
  return prefs.data?.effectiveTimeZone ?? workspace.timeZone ?? 'Asia/Tokyo';
}

export interface TaskInput {
  title: string;
  description: string | null;
  priority: 'low' | 'normal' | 'high';
  dueAt: string | null;
  allDay: boolean;
  assigneeId: string | null;
  remindAt: string | null;
  rrule: string | null;
  links: { entityType: 'person' | 'company'; entityId: string }[];
}

/** Not awaited: a row that completes unmounts on refetch, and its own mutate callbacks (the toast) must still run. */
function useInvalidate() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: taskKeys.all });
  };
}

export function useSaveTask() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, version, input }: { id?: string; version?: number; input: TaskInput }) =>
      id ? http.patch<Task>(`/api/v1/tasks/${id}`, { version, ...input }) : http.post<Task>('/api/v1/tasks', input),
    onSuccess: () => invalidate(),
  });
}

export function useTaskAction() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ task, action }: { task: Task; action: 'complete' | 'reopen' | 'delete' | 'restore' }) =>
      action === 'delete'
        ? http.delete<Task>(`/api/v1/tasks/${task.id}`)
        : http.post<Task>(`/api/v1/tasks/${task.id}/${action}`, action === 'restore' ? {} : { version: task.version }),
    onSuccess: () => invalidate(),
  });
}

/**
 * Move a task to another day (calendar drag and drop): same local time, or still all-day; a pending reminder
 * moves by the same amount.
 */
export function useMoveTask() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ task, day, timeZone }: { task: Task; day: string; timeZone: string }) => {
      const { time } = splitInstant(task.dueAt, timeZone);
      const dueAt = joinInstant(day, task.allDay ? '00:00' : time, timeZone) as string;
      const delta = task.dueAt ? Date.parse(dueAt) - Date.parse(task.dueAt) : 0;
      const remindAt = task.remindAt && !task.remindedAt ? new Date(Date.parse(task.remindAt) + delta).toISOString() : undefined;
      return http.patch<Task>(`/api/v1/tasks/${task.id}`, {
        version: task.version,
        dueAt,
        allDay: task.allDay,
        ...(remindAt ? { remindAt } : {}),
      });
    },
    onSuccess: () => invalidate(),
  });
}

export function useSavePreferences() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: Partial<Preferences> & { version: number }) =>
      http.patch<Preferences>('/api/v1/me/notification-preferences', patch),
    onSuccess: (p) => {
      qc.setQueryData(taskKeys.preferences, p);
      void qc.invalidateQueries({ queryKey: taskKeys.all });
    },
  });
}

export function useCalendarFeed() {
  const qc = useQueryClient();
  const invalidate = () => qc.invalidateQueries({ queryKey: taskKeys.preferences });
  const regenerate = useMutation({
    mutationFn: () => http.post<{ url: string; createdAt: string }>('/api/v1/me/calendar-feed'),
    onSuccess: invalidate,
  });
  const revoke = useMutation({ mutationFn: () => http.delete('/api/v1/me/calendar-feed'), onSuccess: invalidate });
  return { regenerate, revoke };
}

/** Date and time pieces of an instant in a zone, for the form's date and time inputs. */
export function splitInstant(iso: string | null, timeZone: string): { date: string; time: string } {
  if (!iso) return { date: '', time: '' };
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

export function joinInstant(date: string, time: string, timeZone: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  return zonedInstant(date, /^\d{2}:\d{2}$/.test(time) ? time : '00:00', timeZone).toISOString();
}

/** "11月24日(火) 09:00" / "Tue, Nov 24, 09:00"; the date alone for all-day tasks. */
export function useFormatDue() {
  const { i18n, t } = useTranslation();
  const timeZone = useTaskTimeZone();
  const locale = i18n.resolvedLanguage === 'en' ? 'en-US' : 'ja-JP';
  const withTime = new Intl.DateTimeFormat(locale, {
    timeZone,
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const dateOnly = new Intl.DateTimeFormat(locale, { timeZone, month: 'short', day: 'numeric', weekday: 'short' });
  return (task: Pick<Task, 'dueAt' | 'allDay'>) =>
    task.dueAt ? (task.allDay ? dateOnly : withTime).format(new Date(task.dueAt)) : t('tasks.noDueDate');
}
