import {
  type Deal,
  isRotting,
  type Lead,
  type LineItem,
  type Pipeline,
  type Product,
  weightedAmount,
} from '../../../shared/contracts/sales.js';
import { formatJapaneseName } from '../../../shared/jp-text.js';
import type { CustomerNames } from './deals.customers.js';
import type { DealRow, LineItemRow } from './deals.repository.js';
import type { LeadRow } from './leads.repository.js';
import type { PipelineRow, StageRow } from './pipelines.repository.js';
import type { ProductRow } from './products.repository.js';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const isoOf = (d: Date | string) => new Date(d).toISOString();
// int8 arrives as a string from pg; our amounts are capped at 10^15, exact in a JS number.
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function presentProduct(r: ProductRow): Product {
  const cost = num(r.cost);
  const unitPrice = Number(r.unit_price);
  return {
    id: r.id,
    sku: r.sku,
    name: r.name,
    category: r.category,
    description: r.description,
    unitPrice,
    cost,
    margin: cost === null ? null : unitPrice - cost,
    currency: r.currency.trim(),
    active: r.active,
    version: r.version,
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    deletedAt: iso(r.deleted_at),
  };
}

export function presentPipeline(p: PipelineRow, stages: StageRow[]): Pipeline {
  return {
    id: p.id,
    name: p.name,
    position: p.position,
    isDefault: p.is_default,
    rottingDays: p.rotting_days,
    version: p.version,
    stages: stages.map((s) => ({ id: s.id, name: s.name, position: s.position, probability: s.probability, kind: s.kind })),
  };
}

/**
 * 停滞: idle since the later of the last stage change and the last activity (both on the row, so this costs nothing
 * per card); rotting by the shared rule (isRotting) against the pipeline's threshold.
 */
export function idleOf(r: Pick<DealRow, 'stage_entered_at' | 'last_activity_at' | 'status' | 'rotting_days'>, now = Date.now()) {
  const entered = new Date(r.stage_entered_at).getTime();
  const active = r.last_activity_at ? new Date(r.last_activity_at).getTime() : 0;
  const idleSince = new Date(Math.max(entered, active)).toISOString();
  return { idleSince, rotting: isRotting({ status: r.status, idleSince }, r.rotting_days, now) };
}

/** A deal row joined with its stage (stage_name, probability) and the names of its person and company. */
export function presentDeal(r: DealRow & CustomerNames): Deal {
  const amount = Number(r.amount);
  return {
    id: r.id,
    title: r.title,
    pipelineId: r.pipeline_id,
    stageId: r.stage_id,
    stageName: r.stage_name,
    probability: r.probability,
    status: r.status,
    amount,
    weightedAmount: weightedAmount(amount, r.probability),
    currency: String(r.currency).trim(),
    expectedCloseDate: r.expected_close_date ?? null,
    person: r.person_id ? { id: r.person_id, name: r.person_name ?? '' } : null,
    company: r.company_id ? { id: r.company_id, name: r.company_name ?? '' } : null,
    leadId: r.lead_id,
    ownerId: r.owner_id,
    teamId: r.team_id,
    nextStep: r.next_step,
    forecastCategory: r.forecast_category,
    closeReason: r.close_reason,
    competitor: r.competitor,
    closedAt: iso(r.closed_at),
    stageEnteredAt: isoOf(r.stage_entered_at),
    ...idleOf(r),
    hasLineItems: r.has_line_items,
    version: r.version,
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    deletedAt: iso(r.deleted_at),
  };
}

export function presentLineItem(r: LineItemRow): LineItem {
  return {
    id: r.id,
    productId: r.product_id,
    sku: r.sku ?? null,
    name: r.name,
    quantity: r.quantity,
    unitPrice: Number(r.unit_price),
    discountType: r.discount_type,
    discountValue: Number(r.discount_value),
    lineTotal: Number(r.line_total),
    unitCost: num(r.unit_cost),
  };
}

export function presentLead(r: LeadRow): Lead {
  return {
    id: r.id,
    displayName: formatJapaneseName({ family: r.family_name, given: r.given_name ?? '' }, 'ja'),
    familyName: r.family_name,
    givenName: r.given_name,
    familyNameKana: r.family_name_kana,
    givenNameKana: r.given_name_kana,
    companyName: r.company_name,
    title: r.title,
    email: r.email,
    phone: r.phone,
    source: r.source,
    channel: r.channel,
    prefecture: r.prefecture ?? null,
    industry: r.industry ?? null,
    employeeCount: r.employee_count ?? null,
    status: r.status,
    disqualifiedReason: r.disqualified_reason,
    notes: r.notes,
    ownerId: r.owner_id,
    teamId: r.team_id,
    convertedAt: iso(r.converted_at),
    convertedPersonId: r.converted_person_id,
    convertedCompanyId: r.converted_company_id,
    convertedDealId: r.converted_deal_id,
    version: r.version,
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    deletedAt: iso(r.deleted_at),
  };
}
