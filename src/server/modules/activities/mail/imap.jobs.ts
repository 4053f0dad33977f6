import type PgBoss from 'pg-boss';
import type { EventBus } from '../../../platform/events/bus.js';
import { type PollDeps, pollWorkspaceMailbox } from './imap.poller.js';
import { imapEnabledWorkspaces } from './mail.repository.js';

export const IMAP_SWEEP_QUEUE = 'mail.imap-sweep';
export const IMAP_POLL_QUEUE = 'mail.imap-poll';

interface PollJob {
  workspaceId: string;
}

/** One poll job per enabled workspace; the stately queue keeps at most one waiting and one running per workspace. */
export async function enqueueImapPolls(boss: PgBoss, deps: Pick<PollDeps, 'db'>): Promise<number> {
  const workspaces = await imapEnabledWorkspaces(deps.db);
  for (const workspaceId of workspaces) {
    await boss.send(IMAP_POLL_QUEUE, { workspaceId } satisfies PollJob, { singletonKey: workspaceId });
  }
  return workspaces.length;
}

/**
 * Every minute the sweep queues a poll per enabled workspace; workers on any instance take them (SKIP LOCKED),
 * a few at a time, and the poll's advisory lock keeps a mailbox to one poller. A failed poll is not retried:
 * its error is saved and the next minute polls again.
 */
export function registerImapJobs(bus: EventBus, deps: PollDeps) {
  bus.onStart(async (boss, { workers }) => {
    await boss.createQueue(IMAP_SWEEP_QUEUE);
    await boss.createQueue(IMAP_POLL_QUEUE, { name: IMAP_POLL_QUEUE, policy: 'stately', retryLimit: 0, expireInSeconds: 900 });
    if (!workers) return;
    await boss.work(IMAP_SWEEP_QUEUE, { pollingIntervalSeconds: 5 }, async () => {
      await enqueueImapPolls(boss, deps);
    });
    await boss.work<PollJob>(IMAP_POLL_QUEUE, { pollingIntervalSeconds: 2, batchSize: 4 }, async (jobs) => {
      await Promise.all(
        jobs.map((job) =>
          pollWorkspaceMailbox(deps, { workspaceId: job.data.workspaceId, requireEnabled: true }).catch((err) =>
            deps.log?.error({ module: 'mail', workspaceId: job.data.workspaceId, err }, 'IMAP poll job failed'),
          ),
        ),
      );
    });
    await boss.schedule(IMAP_SWEEP_QUEUE, '* * * * *');
  });
}
