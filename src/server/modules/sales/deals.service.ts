import type { Insertable, Updateable } from 'kysely';
import {
  type Deal,
  type DealCreate,
  type DealDetail,
  type DealPatch,
  type LineItemInput,
  lineTotal,
  type Pipeline,
  type Stage,
} from '../../../shared/contracts/sales.js';
import type { Sort } from '../../../shared/filter.js';
import type { Actor } from '../../platform/actor.js';
import { inTransaction } from '../../platform/db/database.js';
import type { Deals } from '../../platform/db/schema.js';
import { emitEvent, recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { teamInWorkspace, userInWorkspace } from '../accounts/index.js';
import { getCompany, getPerson } from '../customers/index.js';
import { announceAssignment, assignNewRecord } from './assignment.service.js';
import { type CustomerNames, withCustomerNames } from './deals.customers.js';
import * as repo from './deals.repository.js';
import { settingsRow } from './forecast.repository.js';
import { loadPipeline, resolvePipeline } from './pipelines.service.js';
import { findProducts } from './products.repository.js';
import { checkCurrency } from './products.service.js';
import type { SalesDb, SalesTx } from './sales.db.js';
import { maySeeSalesRecord } from './sales.policy.js';
import { presentDeal, presentLineItem } from './sales.presenter.js';

/** Whether a won/lost deal must give a reason: the administrators' sales setting (optional by default). */
async function closeReasonRequired(db: SalesDb, actor: Actor): Promise<boolean> {
  return (await settingsRow(db, actor.workspaceId))?.close_reason_required ?? false;
}

type Issue = { path: string; code: string; [k: string]: unknown };
const invalid = (issues: Issue[]) => new AppError('validation_failed', { issues });
const DEFAULT_CURRENCY = 'JPY';

async function checkRefs(
  trx: SalesDb,
  actor: Actor,
  input: { personId?: string | null; companyId?: string | null; ownerId?: string | null; teamId?: string | null },
) {
  const issues: Issue[] = [];
  const exists = async (f: () => Promise<unknown>) =>
    f().then(
      () => true,
      (e) => {
        if (e instanceof AppError && e.code === 'not_found') return false;
        throw e;
      },
    );
  if (input.personId && !(await exists(() => getPerson({ db: trx, actor, personId: input.personId as string }))))
    issues.push({ path: 'personId', code: 'not_found' });
  if (input.companyId && !(await exists(() => getCompany({ db: trx, actor, companyId: input.companyId as string }))))
    issues.push({ path: 'companyId', code: 'not_found' });
  if (input.ownerId && !(await userInWorkspace(trx, actor.workspaceId, input.ownerId))) issues.push({ path: 'ownerId', code: 'not_found' });
  if (input.teamId && !(await teamInWorkspace(trx, actor.workspaceId, input.teamId))) issues.push({ path: 'teamId', code: 'not_found' });
  if (issues.length) throw invalid(issues);
}

function stageOf(pipeline: Pipeline, stageId: string | undefined, path = 'stageId'): Stage {
  if (!stageId) {
    const first = pipeline.stages.find((s) => s.kind === 'open');
    if (!first) throw invalid([{ path, code: 'no_open_stage' }]);
    return first;
  }
  const stage = pipeline.stages.find((s) => s.id === stageId);
  if (!stage) throw invalid([{ path, code: 'not_in_pipeline' }]);
  return stage;
}

/** Line items priced and totalled in integers; a product's price and name fill what the caller left out. */
async function buildLines(trx: SalesTx, actor: Actor, dealId: string, currency: string, items: LineItemInput[]) {
  const products = await findProducts(
    trx,
    actor.workspaceId,
    items.map((i) => i.productId).filter((x): x is string => !!x),
  );
  const issues: Issue[] = [];
  const rows = items.map((item, i) => {
    const product = item.productId ? products.get(item.productId) : undefined;
    if (item.productId && !product) issues.push({ path: `lineItems.${i}.productId`, code: 'not_found' });
    if (product && String(product.currency).trim() !== currency)
      issues.push({
        path: `lineItems.${i}.productId`,
        code: 'currency_mismatch',
        expected: currency,
        actual: String(product.currency).trim(),
      });
    const name = item.name ?? product?.name;
    if (!name) issues.push({ path: `lineItems.${i}.name`, code: 'required' });
    const unitPrice = item.unitPrice ?? (product ? Number(product.unit_price) : undefined);
    if (unitPrice === undefined) issues.push({ path: `lineItems.${i}.unitPrice`, code: 'required' });
    if (item.discountType === 'percent' && item.discountValue > 10_000)
      issues.push({ path: `lineItems.${i}.discountValue`, code: 'max_100_percent' });
    const line = {
      quantity: item.quantity,
      unitPrice: unitPrice ?? 0,
      discountType: item.discountType ?? null,
      discountValue: item.discountValue,
    };
    return {
      workspace_id: actor.workspaceId,
      id: newId(),
      deal_id: dealId,
      position: i,
      product_id: item.productId ?? null,
      name: name ?? '',
      quantity: item.quantity,
      unit_price: line.unitPrice,
      discount_type: line.discountType,
      discount_value: item.discountType ? item.discountValue : 0,
      line_total: lineTotal(line),
      unit_cost: product?.cost === null || product?.cost === undefined ? null : Number(product.cost),
    };
  });
  if (issues.length) throw invalid(issues);
  const total = rows.reduce((sum, r) => sum + r.line_total, 0);
  if (total > 1e15) throw invalid([{ path: 'lineItems', code: 'total_too_large' }]);
  return { rows, total };
}

type TimelineDeal = Pick<repo.DealRecord, 'id' | 'title' | 'owner_id' | 'team_id' | 'person_id' | 'company_id'>;

function timeline(row: TimelineDeal, summary: Record<string, unknown>, at: Date) {
  // a deal link carries owner and team: the timeline applies the deal's visibility to its entries
  const links: { entityType: string; entityId: string; ownerId?: string | null; teamId?: string | null; label?: string }[] = [
    { entityType: 'deal', entityId: row.id, ownerId: row.owner_id, teamId: row.team_id, label: row.title },
  ];
  if (row.person_id) links.push({ entityType: 'person', entityId: row.person_id });
  if (row.company_id) links.push({ entityType: 'company', entityId: row.company_id });
  return { kind: 'deal', occurredAt: at.toISOString(), links, summary: { title: row.title, ...summary } };
}

/** A deal as the API shows it: with its stage and its customers' names. */
type NamedDeal = repo.DealRow & CustomerNames;

async function named(db: SalesDb, workspaceId: string, row: repo.DealRow): Promise<NamedDeal> {
  const [one] = await withCustomerNames(db, workspaceId, [row]);
  return one as NamedDeal;
}

async function view(db: SalesDb, workspaceId: string, id: string): Promise<Deal> {
  const row = await repo.findDealRow(db, workspaceId, id, { includeDeleted: true });
  if (!row) throw new AppError('not_found');
  return presentDeal(await named(db, workspaceId, row));
}

export async function createDeal(options: { db: SalesDb; actor: Actor; input: DealCreate; leadId?: string }): Promise<Deal> {
  const { actor, input } = options;
  const currency = input.currency ?? DEFAULT_CURRENCY;
  checkCurrency(currency);
  return inTransaction(options.db, async (trx) => {
    const pipeline = await resolvePipeline(trx, actor, input.pipelineId);
    const stage = stageOf(pipeline, input.stageId);
    await checkRefs(trx, actor, input);
    if (stage.kind !== 'open' && !input.closeReason && (await closeReasonRequired(trx, actor)))
      throw invalid([{ path: 'closeReason', code: 'required' }]);
    const id = newId();
    const lines = input.lineItems?.length ? await buildLines(trx, actor, id, currency, input.lineItems) : null;
    const now = new Date();
    const row: Insertable<Deals> & TimelineDeal & { amount: number } = {
      workspace_id: actor.workspaceId,
      id,
      title: input.title,
      pipeline_id: pipeline.id,
      stage_id: stage.id,
      status: stage.kind,
      amount: lines ? lines.total : input.amount,
      currency,
      expected_close_date: input.expectedCloseDate ?? null,
      person_id: input.personId ?? null,
      company_id: input.companyId ?? null,
      lead_id: options.leadId ?? null,
      owner_id: input.ownerId ?? actor.userId,
      team_id: input.teamId ?? null,
      next_step: input.nextStep ?? null,
      forecast_category: input.forecastCategory ?? 'pipeline',
      close_reason: stage.kind === 'open' ? null : (input.closeReason ?? null),
      competitor: stage.kind === 'open' ? null : (input.competitor ?? null),
      closed_at: stage.kind === 'open' ? null : now,
      stage_entered_at: now,
      created_by: actor.userId,
      updated_by: actor.userId,
    };
    await repo.insertDeal(trx, row);
    if (lines) await repo.replaceLineItems(trx, actor.workspaceId, id, lines.rows);
    await repo.enterStage(trx, {
      workspace_id: actor.workspaceId,
      id: newId(),
      deal_id: id,
      pipeline_id: pipeline.id,
      stage_id: stage.id,
      entered_at: now,
      entered_by: actor.userId,
    });
    await repo.applyTotals(trx, actor.workspaceId, [
      { pipelineId: pipeline.id, stageId: stage.id, currency, count: 1, amount: row.amount },
    ]);
    // Without an explicit owner the assignment rules choose one (assignment.service.ts says why in the transaction).
    const assignment = input.ownerId ? null : await assignNewRecord(trx, actor, { objectType: 'deal', row });
    if (assignment) Object.assign(row, { owner_id: assignment.row.owner_id, team_id: assignment.row.team_id });
    const deal = await view(trx, actor.workspaceId, id);
    await recordChange(trx, actor, {
      audit: { action: 'deal.created', entityType: 'deal', entityId: id, after: deal },
      event: {
        type: 'deal.created',
        entityType: 'deal',
        entityId: id,
        ownerId: row.owner_id,
        teamId: row.team_id,
        payload: { timeline: timeline(row, { action: 'created', stage: stage.name, amount: row.amount, currency }, now) },
      },
    });
    if (assignment) await announceAssignment(trx, actor, 'deal', assignment);
    return deal;
  });
}

async function visibleRow(db: SalesDb, actor: Actor, dealId: string, opts: { includeDeleted?: boolean } = {}): Promise<NamedDeal> {
  const row = await repo.findDealRow(db, actor.workspaceId, dealId, opts);
  if (!row || !maySeeSalesRecord(actor, row)) throw new AppError('not_found');
  return named(db, actor.workspaceId, row);
}

export async function getDeal(options: { db: SalesDb; actor: Actor; dealId: string }): Promise<DealDetail> {
  const row = await visibleRow(options.db, options.actor, options.dealId, { includeDeleted: true });
  const items = await repo.lineItemRows(options.db, options.actor.workspaceId, row.id);
  return { ...presentDeal(row), lineItems: items.map(presentLineItem) };
}

/** Locks the deal, checks visibility and version; the caller's write happens in the same transaction. */
async function lockForWrite(trx: SalesTx, actor: Actor, dealId: string, version: number) {
  if (!(await repo.lockDeal(trx, actor.workspaceId, dealId))) throw new AppError('not_found');
  const row = await visibleRow(trx, actor, dealId);
  if (row.version !== version) throw new AppError('conflict', { current: presentDeal(row) });
  return row;
}

/**
 * One change of a deal: fields, amount, and its stage (a move). Entering a won or lost stage closes the
 * deal (with a reason when the sales settings require one); going back to an open stage reopens it.
 */
export async function updateDeal(options: { db: SalesDb; actor: Actor; dealId: string; patch: DealPatch }): Promise<Deal> {
  const { actor, patch } = options;
  if (patch.currency !== undefined) checkCurrency(patch.currency);
  return options.db.transaction().execute(async (trx) => {
    const before = await lockForWrite(trx, actor, options.dealId, patch.version);
    const beforeView = presentDeal(before);
    const pipelineId = patch.pipelineId ?? before.pipeline_id;
    const pipeline = await loadPipeline(trx, actor.workspaceId, pipelineId);
    if (!pipeline) throw invalid([{ path: 'pipelineId', code: 'not_found' }]);
    if (pipelineId !== before.pipeline_id && !patch.stageId) throw invalid([{ path: 'stageId', code: 'required' }]);
    const stage = stageOf(pipeline, patch.stageId ?? before.stage_id);
    const stageChanged = stage.id !== before.stage_id;
    await checkRefs(trx, actor, {
      personId: patch.personId,
      companyId: patch.companyId,
      ownerId: patch.ownerId,
      teamId: patch.teamId,
    });
    if (before.has_line_items && patch.amount !== undefined && patch.amount !== Number(before.amount))
      throw invalid([{ path: 'amount', code: 'computed_from_line_items' }]);
    if (before.has_line_items && patch.currency !== undefined && patch.currency !== String(before.currency).trim())
      throw invalid([{ path: 'currency', code: 'fixed_by_line_items' }]);
    const now = new Date();
    const set: Updateable<Deals> = {
      updated_by: actor.userId,
      title: patch.title,
      amount: patch.amount,
      currency: patch.currency,
      expected_close_date: patch.expectedCloseDate,
      person_id: patch.personId,
      company_id: patch.companyId,
      owner_id: patch.ownerId,
      team_id: patch.teamId,
      next_step: patch.nextStep,
      forecast_category: patch.forecastCategory,
    };
    if (stageChanged) {
      set.pipeline_id = pipeline.id;
      set.stage_id = stage.id;
      set.status = stage.kind;
      set.stage_entered_at = now;
      set.closed_at = stage.kind === 'open' ? null : now;
      if (stage.kind === 'open') {
        set.close_reason = null;
        set.competitor = null;
      }
    }
    if (stage.kind !== 'open') {
      if (patch.closeReason !== undefined) set.close_reason = patch.closeReason;
      if (patch.competitor !== undefined) set.competitor = patch.competitor;
      const reason = set.close_reason !== undefined ? set.close_reason : before.close_reason;
      const reasonAsked = stageChanged || patch.closeReason !== undefined;
      if (reasonAsked && !reason && (await closeReasonRequired(trx, actor))) throw invalid([{ path: 'closeReason', code: 'required' }]);
    }
    await repo.updateDeal(trx, actor.workspaceId, before.id, set);
    if (stageChanged) {
      await repo.enterStage(trx, {
        workspace_id: actor.workspaceId,
        id: newId(),
        deal_id: before.id,
        pipeline_id: pipeline.id,
        stage_id: stage.id,
        entered_at: now,
        entered_by: actor.userId,
      });
    }
    const after = await view(trx, actor.workspaceId, before.id);
    await repo.applyTotals(trx, actor.workspaceId, [
      { pipelineId: before.pipeline_id, stageId: before.stage_id, currency: beforeView.currency, count: -1, amount: -beforeView.amount },
      { pipelineId: after.pipelineId, stageId: after.stageId, currency: after.currency, count: 1, amount: after.amount },
    ]);
    await recordDealChange(trx, actor, before, beforeView, after, stageChanged, now);
    return after;
  });
}

async function recordDealChange(
  trx: SalesTx,
  actor: Actor,
  before: repo.DealRow,
  beforeView: Deal,
  after: Deal,
  stageChanged: boolean,
  now: Date,
) {
  const row: TimelineDeal = {
    id: after.id,
    title: after.title,
    person_id: after.person?.id ?? null,
    company_id: after.company?.id ?? null,
    owner_id: after.ownerId,
    team_id: after.teamId,
  };
  const base = { entityType: 'deal', entityId: after.id, ownerId: after.ownerId, teamId: after.teamId };
  if (!stageChanged) {
    await recordChange(trx, actor, {
      audit: { action: 'deal.updated', entityType: 'deal', entityId: after.id, before: beforeView, after },
      event: { type: 'deal.updated', ...base, payload: { changed: changedKeys(beforeView, after) } },
    });
    return;
  }
  const closing = after.status === 'won' || after.status === 'lost';
  const move = { from: { id: before.stage_id, name: before.stage_name }, to: { id: after.stageId, name: after.stageName } };
  await recordChange(trx, actor, {
    audit: { action: 'deal.stage_changed', entityType: 'deal', entityId: after.id, before: beforeView, after },
    event: {
      type: 'deal.stage_changed',
      ...base,
      // the won/lost event below carries the timeline entry of a closing move
      payload: closing ? move : { ...move, timeline: timeline(row, { action: 'stage_changed', ...move }, now) },
    },
  });
  if (closing) {
    const summary = {
      action: after.status,
      amount: after.amount,
      currency: after.currency,
      reason: after.closeReason,
      competitor: after.competitor,
    };
    await emitEvent(trx, actor, {
      type: `deal.${after.status}`,
      ...base,
      payload: { ...move, ...summary, timeline: timeline(row, summary, now) },
    });
  }
}

function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>) {
  return Object.keys(b).filter((k) => !['version', 'updatedAt'].includes(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** Replaces the line items; the deal's amount becomes their sum (an empty list frees the amount again). */
export async function setLineItems(options: {
  db: SalesDb;
  actor: Actor;
  dealId: string;
  version: number;
  items: LineItemInput[];
}): Promise<DealDetail> {
  const { actor } = options;
  return options.db.transaction().execute(async (trx) => {
    const before = await lockForWrite(trx, actor, options.dealId, options.version);
    const beforeView = presentDeal(before);
    const lines = await buildLines(trx, actor, before.id, beforeView.currency, options.items);
    await repo.replaceLineItems(trx, actor.workspaceId, before.id, lines.rows);
    const amount = options.items.length ? lines.total : beforeView.amount;
    await repo.updateDeal(trx, actor.workspaceId, before.id, { amount, updated_by: actor.userId });
    await repo.applyTotals(trx, actor.workspaceId, [
      {
        pipelineId: before.pipeline_id,
        stageId: before.stage_id,
        currency: beforeView.currency,
        count: 0,
        amount: amount - beforeView.amount,
      },
    ]);
    const after = await view(trx, actor.workspaceId, before.id);
    const items = (await repo.lineItemRows(trx, actor.workspaceId, before.id)).map(presentLineItem);
    await recordChange(trx, actor, {
      audit: {
        action: 'deal.line_items_changed',
        entityType: 'deal',
        entityId: before.id,
        before: beforeView,
        after: { ...after, lineItems: items },
      },
      event: {
        type: 'deal.updated',
        entityType: 'deal',
        entityId: before.id,
        ownerId: after.ownerId,
        teamId: after.teamId,
        payload: { changed: ['lineItems', 'amount'] },
      },
    });
    return { ...after, lineItems: items };
  });
}

export async function trashDeal(options: { db: SalesDb; actor: Actor; dealId: string; restore?: boolean }) {
  const { actor } = options;
  return options.db.transaction().execute(async (trx) => {
    if (!(await repo.lockDeal(trx, actor.workspaceId, options.dealId))) throw new AppError('not_found');
    const before = await visibleRow(trx, actor, options.dealId, { includeDeleted: true });
    if (!!before.deleted_at === !options.restore) throw new AppError('not_found');
    const beforeView = presentDeal(before);
    await repo.updateDeal(trx, actor.workspaceId, before.id, {
      deleted_at: options.restore ? null : new Date(),
      deleted_by: options.restore ? null : actor.userId,
      updated_by: actor.userId,
    });
    const sign = options.restore ? 1 : -1;
    await repo.applyTotals(trx, actor.workspaceId, [
      {
        pipelineId: before.pipeline_id,
        stageId: before.stage_id,
        currency: beforeView.currency,
        count: sign,
        amount: sign * beforeView.amount,
      },
    ]);
    const action = options.restore ? 'deal.restored' : 'deal.deleted';
    await recordChange(trx, actor, {
      audit: { action, entityType: 'deal', entityId: before.id, before: beforeView },
      event: { type: action, entityType: 'deal', entityId: before.id, ownerId: before.owner_id, teamId: before.team_id },
    });
  });
}

export async function stageHistory(options: { db: SalesDb; actor: Actor; dealId: string }) {
  const row = await visibleRow(options.db, options.actor, options.dealId, { includeDeleted: true });
  const rows = await repo.stageHistoryRows(options.db, options.actor.workspaceId, row.id);
  return rows.map((r) => ({
    id: r.id,
    stageId: r.stage_id,
    stageName: r.stage_name,
    enteredAt: new Date(r.entered_at).toISOString(),
    leftAt: r.left_at ? new Date(r.left_at).toISOString() : null,
    durationSeconds: Math.max(0, Math.round(Number(r.duration_seconds))),
  }));
}

export async function listDeals(options: {
  db: SalesDb;
  actor: Actor;
  scope: repo.DealScope & { pipelineId?: string; sort: Sort; cursor?: string; limit: number };
}) {
  const { rows, nextCursor } = await repo.listDealRows(options.db, options.actor, options.scope);
  return { data: (await withCustomerNames(options.db, options.actor.workspaceId, rows)).map(presentDeal), nextCursor };
}
