import type { Pipeline, PipelineCreate, PipelineUpdate, StageKind } from '../../../shared/contracts/sales.js';
import type { Actor } from '../../platform/actor.js';
import { inTransaction } from '../../platform/db/database.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import * as repo from './pipelines.repository.js';
import type { SalesDb } from './sales.db.js';
import { presentPipeline } from './sales.presenter.js';

const DEFAULT_STAGES: { ja: string; en: string; probability: number; kind: StageKind }[] = [
  { ja: '初回接触', en: 'First contact', probability: 10, kind: 'open' },
  { ja: 'ヒアリング', en: 'Discovery', probability: 25, kind: 'open' },
  { ja: '提案', en: 'Proposal', probability: 50, kind: 'open' },
  { ja: '見積提出', en: 'Quote sent', probability: 70, kind: 'open' },
  { ja: '交渉', en: 'Negotiation', probability: 85, kind: 'open' },
  { ja: '受注', en: 'Won', probability: 100, kind: 'won' },
  { ja: '失注', en: 'Lost', probability: 0, kind: 'lost' },
];

/**
 * The workspace's default pipeline, created on first use with Japanese stages (English names when the
 * first user to need it works in English). Safe to call concurrently: the partial unique index keeps one.
 */
export async function ensureDefaultPipeline(db: SalesDb, actor: Actor): Promise<void> {
  if (await repo.defaultPipelineRow(db, actor.workspaceId)) return;
  await inTransaction(db, async (trx) => {
    const id = newId();
    const lang = actor.locale === 'en' ? 'en' : 'ja';
    const created = await repo.insertDefaultPipeline(trx, {
      workspace_id: actor.workspaceId,
      id,
      name: lang === 'ja' ? '営業パイプライン' : 'Sales pipeline',
      created_by: actor.userId,
    });
    if (!created) return;
    await repo.insertStages(
      trx,
      DEFAULT_STAGES.map((s, i) => ({
        workspace_id: actor.workspaceId,
        id: newId(),
        pipeline_id: id,
        name: s[lang],
        position: i,
        probability: s.probability,
        kind: s.kind,
      })),
    );
    await recordChange(trx, actor, {
      audit: { action: 'pipeline.created', entityType: 'pipeline', entityId: id, after: { default: true } },
      event: { type: 'pipeline.created', entityType: 'pipeline', entityId: id },
    });
  });
}

export async function listPipelines(options: { db: SalesDb; actor: Actor }): Promise<Pipeline[]> {
  await ensureDefaultPipeline(options.db, options.actor);
  const rows = await repo.listPipelineRows(options.db, options.actor.workspaceId);
  const stages = await repo.stageRows(
    options.db,
    options.actor.workspaceId,
    rows.map((r) => r.id),
  );
  return rows.map((p) =>
    presentPipeline(
      p,
      stages.filter((s) => s.pipeline_id === p.id),
    ),
  );
}

export async function loadPipeline(db: SalesDb, workspaceId: string, pipelineId: string, opts: { forUpdate?: boolean } = {}) {
  const row = await repo.findPipelineRow(db, workspaceId, pipelineId, opts);
  if (!row) return undefined;
  return presentPipeline(row, await repo.stageRows(db, workspaceId, [pipelineId]));
}

export async function getPipeline(options: { db: SalesDb; actor: Actor; pipelineId: string }): Promise<Pipeline> {
  const p = await loadPipeline(options.db, options.actor.workspaceId, options.pipelineId);
  if (!p) throw new AppError('not_found');
  return p;
}

/** The pipeline a new deal goes to: the one named, else the default. */
export async function resolvePipeline(trxOrDb: SalesDb, actor: Actor, pipelineId?: string): Promise<Pipeline> {
  if (!pipelineId) {
    await ensureDefaultPipeline(trxOrDb, actor);
    const d = await repo.defaultPipelineRow(trxOrDb, actor.workspaceId);
    if (!d) throw new AppError('not_found');
    pipelineId = d.id;
  }
  const p = await loadPipeline(trxOrDb, actor.workspaceId, pipelineId);
  if (!p) throw new AppError('validation_failed', { issues: [{ path: 'pipelineId', code: 'not_found' }] });
  return p;
}

function checkStages(stages: PipelineCreate['stages']) {
  const kinds = new Set(stages.map((s) => s.kind));
  if (!kinds.has('open')) throw new AppError('validation_failed', { issues: [{ path: 'stages', code: 'open_stage_required' }] });
  const ids = stages.map((s) => s.id).filter(Boolean);
  if (new Set(ids).size !== ids.length) throw new AppError('validation_failed', { issues: [{ path: 'stages', code: 'duplicate_id' }] });
}

export async function createPipeline(options: { db: SalesDb; actor: Actor; input: PipelineCreate }) {
  const { actor, input } = options;
  checkStages(input.stages);
  if (input.stages.some((s) => s.id))
    throw new AppError('validation_failed', { issues: [{ path: 'stages', code: 'new_stages_have_no_id' }] });
  await ensureDefaultPipeline(options.db, actor);
  return options.db.transaction().execute(async (trx) => {
    const id = newId();
    await repo.insertPipeline(trx, {
      workspace_id: actor.workspaceId,
      id,
      name: input.name,
      rotting_days: input.rottingDays ?? null,
      position: (await repo.maxPipelinePosition(trx, actor.workspaceId)) + 1,
      created_by: actor.userId,
      updated_by: actor.userId,
    });
    await repo.insertStages(
      trx,
      input.stages.map((s, i) => ({
        workspace_id: actor.workspaceId,
        id: newId(),
        pipeline_id: id,
        name: s.name,
        position: i,
        probability: s.probability,
        kind: s.kind,
      })),
    );
    const pipeline = (await loadPipeline(trx, actor.workspaceId, id)) as Pipeline;
    await recordChange(trx, actor, {
      audit: { action: 'pipeline.created', entityType: 'pipeline', entityId: id, after: pipeline },
      event: { type: 'pipeline.created', entityType: 'pipeline', entityId: id },
    });
    return pipeline;
  });
}

/** Rename, reorder, re-weight, add and remove stages, set the rotting threshold. A removed stage must be empty. */
export async function updatePipeline(options: { db: SalesDb; actor: Actor; pipelineId: string; input: PipelineUpdate }) {
  const { actor, input } = options;
  checkStages(input.stages);
  return options.db.transaction().execute(async (trx) => {
    const before = await loadPipeline(trx, actor.workspaceId, options.pipelineId, { forUpdate: true });
    if (!before) throw new AppError('not_found');
    if (before.version !== input.version) throw new AppError('conflict', { current: before });
    const existing = new Set(before.stages.map((s) => s.id));
    input.stages.forEach((s, i) => {
      if (s.id && !existing.has(s.id))
        throw new AppError('validation_failed', { issues: [{ path: `stages.${i}.id`, code: 'not_in_pipeline' }] });
    });
    const kept = new Set(input.stages.map((s) => s.id).filter(Boolean));
    for (const s of before.stages) {
      if (kept.has(s.id)) continue;
      if (await repo.stageHasDeals(trx, actor.workspaceId, before.id, s.id))
        throw new AppError('stage_in_use', { stageId: s.id, name: s.name });
      await repo.updateStage(trx, actor.workspaceId, s.id, { deleted_at: new Date() });
    }
    // Stage kinds cannot change under existing deals: a deal's status follows its stage's kind.
    for (const [i, s] of input.stages.entries()) {
      const old = s.id ? before.stages.find((x) => x.id === s.id) : undefined;
      if (old && old.kind !== s.kind && (await repo.stageHasDeals(trx, actor.workspaceId, before.id, old.id))) {
        throw new AppError('stage_in_use', { stageId: old.id, name: old.name, path: `stages.${i}.kind` });
      }
      if (s.id)
        await repo.updateStage(trx, actor.workspaceId, s.id, { name: s.name, probability: s.probability, kind: s.kind, position: i });
      else
        await repo.insertStages(trx, [
          {
            workspace_id: actor.workspaceId,
            id: newId(),
            pipeline_id: before.id,
            name: s.name,
            position: i,
            probability: s.probability,
            kind: s.kind,
          },
        ]);
    }
    await repo.updatePipeline(trx, actor.workspaceId, before.id, {
      name: input.name,
      rotting_days: input.rottingDays,
      updated_by: actor.userId,
    });
    const after = (await loadPipeline(trx, actor.workspaceId, before.id)) as Pipeline;
    await recordChange(trx, actor, {
      audit: { action: 'pipeline.updated', entityType: 'pipeline', entityId: before.id, before, after },
      event: { type: 'pipeline.updated', entityType: 'pipeline', entityId: before.id },
    });
    return after;
  });
}
