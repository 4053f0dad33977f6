import { type Board, type StageTotal, weightedAmount } from '../../../shared/contracts/sales.js';
import type { Actor } from '../../platform/actor.js';
import { AppError } from '../../platform/http/errors.js';
import { withCustomerNames } from './deals.customers.js';
import * as repo from './deals.repository.js';
import { loadPipeline } from './pipelines.service.js';
import type { SalesDb } from './sales.db.js';
import { presentDeal } from './sales.presenter.js';

/**
 * The pipeline board in one call: the first page of every stage and each stage's totals.
 * Weighted amount per stage = round half up (Σ amount × stage probability / 100), per currency.
 */
export async function getBoard(options: {
  db: SalesDb;
  actor: Actor;
  pipelineId: string;
  scope: repo.DealScope;
  limit: number;
}): Promise<Board> {
  const { db, actor } = options;
  const pipeline = await loadPipeline(db, actor.workspaceId, options.pipelineId);
  if (!pipeline) throw new AppError('not_found');
  const [pages, totals] = await Promise.all([
    repo.boardFirstPages(db, actor, pipeline.id, options.scope, options.limit),
    repo.stageTotals(db, actor, pipeline.id, options.scope),
  ]);
  // every column's customers named in one read
  const named = await withCustomerNames(
    db,
    actor.workspaceId,
    [...pages.values()].flatMap((p) => p.rows),
  );
  const byId = new Map(named.map((r) => [r.id, r]));
  return {
    pipeline,
    columns: pipeline.stages.map((stage) => {
      const page = pages.get(stage.id);
      return {
        stage,
        deals: (page?.rows ?? []).flatMap((r) => byId.get(r.id) ?? []).map(presentDeal),
        nextCursor: page?.nextCursor ?? null,
        totals: totals
          .filter((t) => t.stageId === stage.id)
          .map(
            (t): StageTotal => ({
              currency: t.currency,
              count: t.count,
              amount: t.amount,
              weightedAmount: weightedAmount(t.amount, stage.probability),
            }),
          ),
      };
    }),
  };
}

export async function getStagePage(options: {
  db: SalesDb;
  actor: Actor;
  pipelineId: string;
  stageId: string;
  scope: repo.DealScope;
  limit: number;
  cursor?: string;
}) {
  const pipeline = await loadPipeline(options.db, options.actor.workspaceId, options.pipelineId);
  if (!pipeline?.stages.some((s) => s.id === options.stageId)) throw new AppError('not_found');
  const page = await repo.stagePage(options.db, options.actor, pipeline.id, options.stageId, options.scope, options.limit, options.cursor);
  const rows = await withCustomerNames(options.db, options.actor.workspaceId, page.rows);
  return { data: rows.map(presentDeal), nextCursor: page.nextCursor };
}
