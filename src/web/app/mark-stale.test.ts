import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { markStale } from './mark-stale';

/** A query whose fetches the test answers by hand, in the order they were made. */
function watchedQuery(client: QueryClient) {
  const pending: ((status: string) => void)[] = [];
  const observer = new QueryObserver<string>(client, {
    queryKey: ['imports', 'customers', 'job-1'],
    queryFn: () => new Promise<string>((resolve) => pending.push(resolve)),
  });
  const unsubscribe = observer.subscribe(() => {});
  return { observer, pending, unsubscribe };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('markStale', () => {
  it('reads a query once more when a change arrives during its first fetch (which read the older state)', async () => {
    const client = new QueryClient();
    const { observer, pending, unsubscribe } = watchedQuery(client);
    await settle();
    expect(pending).toHaveLength(1);
    // The job finishes while the first read is under way; that read answers with what it saw before.
    markStale(client, ['imports']);
    await settle();
    pending[0]?.('running');
    await settle();
    expect(pending).toHaveLength(2);
    pending[1]?.('completed');
    await settle();
    expect(observer.getCurrentResult().data).toBe('completed');
    unsubscribe();
  });

  it('restarts a later fetch at once, and leaves queries under other keys alone', async () => {
    const client = new QueryClient();
    const { observer, pending, unsubscribe } = watchedQuery(client);
    await settle();
    pending[0]?.('running');
    await settle();
    markStale(client, ['people']);
    await settle();
    expect(pending).toHaveLength(1);
    markStale(client);
    await settle();
    expect(pending).toHaveLength(2);
    pending[1]?.('completed');
    await settle();
    expect(observer.getCurrentResult().data).toBe('completed');
    unsubscribe();
  });
});
