import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { markStale } from './mark-stale';
import { keys } from './query-client';
import { useSession } from './session';

export type RealtimeState = 'connecting' | 'live' | 'offline';

export interface ChangeEvent {
  id: string;
  type: string;
  entityType: string;
  entityId: string | null;
  actorId: string | null;
  ownerId: string | null;
  teamId: string | null;
}

/** Which cached queries a change to an entity type makes stale. */
const affected: Record<string, ReadonlyArray<readonly string[]>> = {
  user: [keys.users, keys.teams],
  team: [keys.teams, keys.users],
  invitation: [keys.invitations],
  workspace: [keys.session, keys.workspace],
  api_token: [keys.tokens],
  // A company's name shows in people rows; people show on the company page.
  person: [keys.people, keys.companies, keys.duplicates],
  company: [keys.companies, keys.people, keys.duplicates],
  custom_field: [keys.customFields],
  saved_view: [keys.views],
  // Mail screens keep their keys under ['mail'] (src/web/features/activities/mail-api.ts).
  email: [['mail']],
  email_template: [['mail']],
  mail_settings: [['mail']],
  // Orders change the customer's purchase card, cross-sell and order lists (src/web/features/commerce/commerce-api.ts).
  order: [['commerce']],
  // sales screens share one query tree (src/web/features/sales/sales-api.ts)
  deal: [['sales']],
  lead: [['sales']],
  product: [['sales']],
  pipeline: [['sales']],
  sales_target: [['sales']],
  sales_settings: [['sales']],
  // Tasks keep their own keys (lists, counts, calendar) under ['tasks'].
  task: [['tasks']],
  // A running import pushes its progress (import.progress); the screens following it refetch instead of polling.
  import: [keys.imports],
  order_import: [keys.imports],
};

const RealtimeContext = createContext<RealtimeState>('connecting');

/** One event stream per signed-in tab; each change marks the matching queries stale so open screens refetch. */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const { user } = useSession();
  const [state, setState] = useState<RealtimeState>('connecting');

  useEffect(() => {
    const source = new EventSource('/api/v1/realtime', { withCredentials: true });
    // Changes made while the stream was down were never pushed: after a reconnect every cached query is stale.
    let missed = false;
    source.addEventListener('ready', () => {
      setState('live');
      if (missed) markStale(queryClient);
      missed = false;
    });
    source.addEventListener('open', () => setState('live'));
    // The server missed changes itself (its database connection came back): every cached query is stale.
    source.addEventListener('resync', () => markStale(queryClient));
    // EventSource retries by itself; until it is back the tab is offline.
    source.addEventListener('error', () => {
      missed = true;
      setState('offline');
    });
    source.addEventListener('change', (message) => {
      let event: ChangeEvent;
      try {
        event = JSON.parse((message as MessageEvent<string>).data) as ChangeEvent;
      } catch {
        return;
      }
      for (const key of affected[event.entityType] ?? []) markStale(queryClient, key);
      if (event.entityType === 'user' && event.entityId === user.id) markStale(queryClient, keys.session);
      // The timeline consumer announces each record whose timeline changed; notifications name their recipient.
      if (event.entityType === 'timeline') {
        markStale(queryClient, [...keys.timeline, event.entityId]);
        markStale(queryClient, keys.feed);
      }
      if (event.entityType === 'notification' && event.entityId === user.id) markStale(queryClient, keys.notifications);
      markStale(queryClient, keys.audit);
    });
    const onOffline = () => {
      missed = true;
      setState('offline');
    };
    window.addEventListener('offline', onOffline);
    return () => {
      window.removeEventListener('offline', onOffline);
      source.close();
    };
  }, [queryClient, user.id]);

  return <RealtimeContext.Provider value={state}>{children}</RealtimeContext.Provider>;
}

export function useRealtimeState(): RealtimeState {
  return useContext(RealtimeContext);
}
