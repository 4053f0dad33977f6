import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Activity, ActivityCreate, Attachment, FeedEntry, Notification, TimelineEntry } from '../../../shared/contracts/activities';
import { api, http } from '../../app/api-client';
import { keys } from '../../app/query-client';

export type { Activity, ActivityCreate, FeedEntry, Notification, TimelineEntry };
export type RecordType = 'person' | 'company' | 'deal' | 'lead';

export interface TimelineFilter {
  kinds: string[];
  actorId: string | null;
}

interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const filterQuery = (f: TimelineFilter) => ({ kinds: f.kinds.length ? f.kinds.join(',') : undefined, actorId: f.actorId ?? undefined });

/** A record's timeline, newest first, a page at a time; realtime invalidates ['timeline', entityId]. */
export function useTimeline(entityType: RecordType, entityId: string, filter: TimelineFilter) {
  return useInfiniteQuery({
    queryKey: [...keys.timeline, entityId, entityType, filter],
    queryFn: ({ pageParam }) =>
      http.get<Page<TimelineEntry>>(`/api/v1/timeline/${entityType}/${entityId}`, { ...filterQuery(filter), cursor: pageParam, limit: 30 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useFeed(filter: TimelineFilter) {
  return useInfiniteQuery({
    queryKey: [...keys.feed, filter],
    queryFn: ({ pageParam }) => http.get<Page<FeedEntry>>('/api/v1/feed', { ...filterQuery(filter), cursor: pageParam, limit: 50 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useLogActivity() {
  return useMutation({
    mutationFn: async (input: { activity: ActivityCreate; files: File[] }) => {
      const created = await http.post<Activity>('/api/v1/activities', input.activity);
      const failed: { file: File; error: unknown }[] = [];
      for (const file of input.files) {
        try {
          await uploadAttachment(created.id, file);
        } catch (error) {
          failed.push({ file, error });
        }
      }
      return { activity: created, failed };
    },
  });
}

export function uploadAttachment(activityId: string, file: File) {
  return api<Attachment>('POST', `/api/v1/activities/${activityId}/attachments`, {
    query: { filename: file.name },
    raw: { body: file, contentType: file.type || 'application/octet-stream' },
  });
}

export function useNotifications(enabled: boolean) {
  return useQuery({
    queryKey: [...keys.notifications, 'list'],
    queryFn: () => http.get<Page<Notification> & { unreadCount: number }>('/api/v1/notifications', { limit: 30 }),
    enabled,
  });
}

export function useUnreadCount() {
  return useQuery({
    queryKey: [...keys.notifications, 'unread'],
    queryFn: () => http.get<{ count: number }>('/api/v1/notifications/unread-count'),
    select: (r) => r.count,
    staleTime: 60_000,
  });
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string | 'all') =>
      id === 'all' ? http.post('/api/v1/notifications/read-all') : http.post(`/api/v1/notifications/${id}/read`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.notifications }),
  });
}

/** The command palette asks the open record page to start logging an activity. */
export const LOG_ACTIVITY_EVENT = 'crm:log-activity';
