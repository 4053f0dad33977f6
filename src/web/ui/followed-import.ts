import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { ImportStatus } from '../../shared/contracts/imports';
import { http } from '../app/api-client';
import { keys } from '../app/query-client';
import { useRealtimeState } from '../app/realtime';

export const importFinished = (status: ImportStatus | undefined) => status === 'completed' || status === 'failed';

/**
 * A running import, followed by the events its job pushes (realtime.tsx marks the import queries stale on each
 * `import.progress`), not by polling. A missed event must not leave the screen stuck: the job is read again once
 * when the event stream comes back and whenever the tab regains focus.
 */
export function useFollowedImport<T extends { status: ImportStatus }>(kind: string, url: string, id: string) {
  const job = useQuery({
    queryKey: [...keys.imports, kind, id],
    queryFn: () => http.get<T>(url),
    staleTime: 0,
    refetchOnWindowFocus: 'always',
  });
  const live = useRealtimeState() === 'live';
  const wasLive = useRef(live);
  const { refetch } = job;
  useEffect(() => {
    if (live && !wasLive.current) void refetch();
    wasLive.current = live;
  }, [live, refetch]);
  return job;
}

/** Runs `onFinished` once when a followed job reaches completed or failed (e.g. to refresh the lists it wrote to). */
export function useOnImportFinished(status: ImportStatus | undefined, onFinished: () => void) {
  const done = useRef(false);
  const callback = useRef(onFinished);
  callback.current = onFinished;
  useEffect(() => {
    if (!importFinished(status) || done.current) return;
    done.current = true;
    callback.current();
  }, [status]);
}
