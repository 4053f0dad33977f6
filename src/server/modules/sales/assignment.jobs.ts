import { CompiledQuery, type Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { EventBus } from '../../platform/events/bus.js';
import { type EscalationJob, fireEscalation, markContacted, sweepEscalations } from './assignment.escalation.js';
import { setEscalationScheduler } from './assignment.service.js';
import { makeDealActivityConsumer } from './deals.activity.js';
import { makeDealMergeConsumer } from './deals.merge.js';
import { type SalesTx, salesDb } from './sales.db.js';

export const ESCALATE_QUEUE = 'sales.lead-escalate';
export const ESCALATION_SWEEP_QUEUE = 'sales.lead-escalation-sweep';

/** pg-boss writes its job through our transaction, so the escalation job commits (or not) with the assignment. */
const throughTransaction = (trx: SalesTx) => ({
  executeSql: (text: string, values: unknown[]) => trx.executeQuery(CompiledQuery.raw(text, values)),
});

/** Queues, workers and the minute sweep of lead escalation; the first sweep runs at start so nothing waits after a restart. */
export function registerAssignmentJobs<D>(bus: EventBus, handle: Kysely<D>) {
  const db = salesDb(handle);
  bus.subscribe('sales-merge', ['person.merged', 'company.merged'], makeDealMergeConsumer(db));
  bus.subscribe('sales-deal-activity', ['activity.created'], makeDealActivityConsumer(db));
  bus.subscribe('sales-lead-contacted', ['activity.created', 'lead.status_changed', 'lead.deleted', 'lead.converted'], async (event) => {
    await markContacted(db, event);
  });
  bus.onStart(async (boss: PgBoss, { workers }) => {
    for (const q of [ESCALATE_QUEUE, ESCALATION_SWEEP_QUEUE]) await boss.createQueue(q);
    setEscalationScheduler(async (trx, job) => {
      await boss.send(ESCALATE_QUEUE, { workspaceId: job.workspaceId, leadId: job.leadId } satisfies EscalationJob, {
        startAfter: job.at,
        db: throughTransaction(trx),
        retryLimit: 5,
        retryBackoff: true,
      });
    });
    if (!workers) return;
    await boss.work<EscalationJob>(ESCALATE_QUEUE, { batchSize: 20, pollingIntervalSeconds: 1 }, async (jobs) => {
      for (const job of jobs) await fireEscalation(db, job.data);
    });
    await boss.work(ESCALATION_SWEEP_QUEUE, { pollingIntervalSeconds: 5 }, async () => {
      await sweepEscalations(db);
    });
    await boss.schedule(ESCALATION_SWEEP_QUEUE, '* * * * *');
    await boss.send(ESCALATION_SWEEP_QUEUE, {});
  });
}
