import { countsAsPurchase, type OrderCreate, type OrderPatch, type OrderStatus } from '../../../shared/contracts/commerce.js';
import { lineTotal } from '../../../shared/contracts/sales.js';
import type { Actor } from '../../platform/actor.js';
import { inTransaction } from '../../platform/db/database.js';
import { recordChange } from '../../platform/events/outbox.js';
import { decodeCursor, encodeCursor } from '../../platform/filter/compile.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { userInWorkspace } from '../accounts/index.js';
import { getCompany, getPerson, recordKey, recordNames } from '../customers/index.js';
import { lookupProducts } from '../sales/index.js';
import type { CommerceDb, CommerceTx } from './commerce.db.js';
import { presentOrder } from './commerce.presenter.js';
import * as metrics from './metrics.repository.js';
import * as repo from './orders.repository.js';

type Issue = { path: string; code: string; [k: string]: unknown };
const invalid = (issues: Issue[]) => new AppError('validation_failed', { issues });

export const formatOrderNumber = (n: number) => `O-${String(n).padStart(6, '0')}`;

/** The customer of an order must exist in the workspace and be visible to the actor; a person brings their company. */
async function resolveCustomer(db: CommerceDb, actor: Actor, personId?: string | null, companyId?: string | null) {
  if (!personId && !companyId) throw invalid([{ path: 'personId', code: 'customer_required' }]);
  let company = companyId ?? null;
  if (personId) {
    const person = await getPerson({ db, actor, personId });
    company ??= person.companyId ?? null;
  }
  if (companyId) await getCompany({ db, actor, companyId });
  return { personId: personId ?? null, companyId: company };
}

/** Lines priced from the products (by id or SKU) in the order's currency; every problem named by its line. */
export async function priceLines(db: CommerceDb, workspaceId: string, currency: string, lines: OrderCreate['lines']) {
  const ids = lines.flatMap((l) => (l.productId ? [l.productId] : []));
  const skus = lines.flatMap((l) => (!l.productId && l.sku ? [l.sku] : []));
  const products = await lookupProducts(db, workspaceId, { ids, skus });
  const byId = new Map(products.map((p) => [p.id, p]));
  const bySku = new Map(products.map((p) => [p.sku.toLowerCase(), p]));
  const issues: Issue[] = [];
  const priced = lines.map((l, i) => {
    const p = l.productId ? byId.get(l.productId) : bySku.get(String(l.sku).toLowerCase());
    if (!p) {
      issues.push({ path: `lines.${i}.${l.productId ? 'productId' : 'sku'}`, code: 'unknown_product' });
      return null;
    }
    if (p.currency !== currency) {
      issues.push({ path: `lines.${i}.productId`, code: 'currency_mismatch', expected: currency, actual: p.currency });
      return null;
    }
    const unitPrice = l.unitPrice ?? p.unitPrice;
    return {
      position: i + 1,
      product_id: p.id,
      sku: p.sku,
      name: p.name,
      quantity: l.quantity,
      unit_price: unitPrice,
      amount: lineTotal({ quantity: l.quantity, unitPrice }),
    };
  });
  if (issues.length) throw invalid(issues);
  return priced as NonNullable<(typeof priced)[number]>[];
}

export async function checkCurrency(db: CommerceDb, workspaceId: string, currency: string) {
  const expected = await repo.workspaceCurrency(db, workspaceId);
  if (currency !== expected) throw invalid([{ path: 'currency', code: 'wrong_currency', expected }]);
}

type CustomerOf = { person_id: string | null; company_id: string | null };

/** Each order's customer name (the person's, else the company's), through customers' names port: two reads a page. */
async function customerNamesOf(db: CommerceDb, workspaceId: string, orders: CustomerOf[]): Promise<(string | null)[]> {
  const person = (id: string) => ({ entityType: 'person', entityId: id }) as const;
  const company = (id: string) => ({ entityType: 'company', entityId: id }) as const;
  const refs = orders.flatMap((o) => [...(o.person_id ? [person(o.person_id)] : []), ...(o.company_id ? [company(o.company_id)] : [])]);
  const names = await recordNames(db, workspaceId, refs);
  const nameOf = (ref: ReturnType<typeof person> | ReturnType<typeof company>) => names.get(recordKey(ref))?.name;
  return orders.map((o) => (o.person_id && nameOf(person(o.person_id))) || (o.company_id && nameOf(company(o.company_id))) || null);
}

const customerName = async (db: CommerceDb, workspaceId: string, personId: string | null, companyId: string | null) =>
  (await customerNamesOf(db, workspaceId, [{ person_id: personId, company_id: companyId }]))[0];

/** Metrics rows of the order's customers, locked first so concurrent orders of one customer serialise. */
async function lockCustomers(trx: CommerceTx, workspaceId: string, rows: { person_id?: string | null; company_id?: string | null }[]) {
  const people = rows.flatMap((r) => (r.person_id ? [r.person_id] : []));
  const companies = rows.flatMap((r) => (r.company_id ? [r.company_id] : []));
  await metrics.lockMetrics(trx, workspaceId, 'person', people);
  await metrics.lockMetrics(trx, workspaceId, 'company', companies);
  return async () => {
    await metrics.recomputeMetrics(trx, workspaceId, 'person', people);
    await metrics.recomputeMetrics(trx, workspaceId, 'company', companies);
  };
}

type TimelineOrder = Pick<
  ReturnType<typeof presentOrder>,
  'id' | 'personId' | 'companyId' | 'orderedAt' | 'orderNumber' | 'total' | 'currency' | 'status' | 'version'
>;

/** The `payload.timeline` of an order's events (the activities consumer writes the customer's timeline entry). */
export function orderTimeline(order: TimelineOrder, mode: 'replace' | 'remove' = 'replace') {
  const link = order.personId ? { entityType: 'person', entityId: order.personId } : { entityType: 'company', entityId: order.companyId };
  return {
    kind: 'purchase',
    occurredAt: order.orderedAt,
    links: [link],
    summary: { orderNumber: order.orderNumber, total: order.total, currency: order.currency, status: order.status, version: order.version },
    sourceType: 'order',
    sourceId: order.id,
    mode,
  };
}

export interface CreateOrderOptions {
  db: CommerceDb;
  actor: Actor;
  input: OrderCreate;
  source: 'ui' | 'api' | 'webhook';
}

/** One transaction: the order, its lines, product pairs, the customers' metrics, audit and the timeline event. */
export async function createOrder(options: CreateOrderOptions): Promise<{ order: ReturnType<typeof presentOrder>; created: boolean }> {
  const { actor, input } = options;
  const ws = actor.workspaceId;
  await checkCurrency(options.db, ws, input.currency);
  const lines = await priceLines(options.db, ws, input.currency, input.lines);
  const customer = await resolveCustomer(options.db, actor, input.personId, input.companyId);
  if (input.repId && !(await userInWorkspace(options.db, ws, input.repId))) throw invalid([{ path: 'repId', code: 'unknown_user' }]);
  const total = lines.reduce((s, l) => s + l.amount, 0);
  const quantity = lines.reduce((s, l) => s + l.quantity, 0);
  const refunded = input.status === 'refunded' ? total : input.refundedAmount;
  if (refunded > total) throw invalid([{ path: 'refundedAmount', code: 'exceeds_total', total }]);
  return inTransaction(options.db, async (trx) => {
    const recompute = await lockCustomers(trx, ws, [{ person_id: customer.personId, company_id: customer.companyId }]);
    if (input.externalId) {
      const existing = await repo.findOrderByExternalId(trx, ws, input.externalId);
      if (existing) return { order: presentOrder(existing, await repo.findLines(trx, ws, existing.id)), created: false };
    }
    let orderNumber = input.orderNumber;
    if (orderNumber) {
      if (await repo.orderNumberTaken(trx, ws, orderNumber)) throw new AppError('order_number_taken', { orderNumber });
    } else {
      orderNumber = formatOrderNumber(await repo.reserveOrderNumbers(trx, ws, 1));
      while (await repo.orderNumberTaken(trx, ws, orderNumber)) orderNumber = formatOrderNumber(await repo.reserveOrderNumbers(trx, ws, 1));
    }
    const id = newId();
    const row = await repo.insertOrder(trx, {
      workspace_id: ws,
      id,
      order_number: orderNumber,
      external_id: input.externalId ?? null,
      source: options.source,
      ordered_at: input.orderedAt ? new Date(input.orderedAt) : new Date(),
      person_id: customer.personId,
      company_id: customer.companyId,
      status: input.status,
      currency: input.currency,
      total,
      refunded_amount: refunded,
      quantity,
      payment_method: input.paymentMethod ?? null,
      channel: input.channel ?? null,
      store: input.store ?? null,
      rep_id: input.repId ?? null,
      note: input.note ?? null,
      created_by: actor.userId,
      updated_by: actor.userId,
    });
    await repo.insertLines(
      trx,
      lines.map((l) => ({ ...l, workspace_id: ws, order_id: id })),
    );
    if (countsAsPurchase(input.status)) await metrics.applyPairs(trx, ws, [id], 1);
    await recompute();
    const name = await customerName(trx, ws, customer.personId, customer.companyId);
    const order = presentOrder(row, await repo.findLines(trx, ws, id), name);
    await recordChange(trx, actor, {
      audit: { action: 'order.created', entityType: 'order', entityId: id, after: order },
      event: {
        type: 'order.created',
        entityType: 'order',
        entityId: id,
        payload: { source: options.source, timeline: orderTimeline(order) },
      },
    });
    return { order, created: true };
  });
}

export async function getOrder(options: { db: CommerceDb; actor: Actor; orderId: string }) {
  const ws = options.actor.workspaceId;
  const row = await repo.findOrder(options.db, ws, options.orderId);
  if (!row || row.deleted_at) throw new AppError('not_found');
  await resolveCustomer(options.db, options.actor, row.person_id, row.person_id ? null : row.company_id);
  const name = await customerName(options.db, ws, row.person_id, row.company_id);
  return presentOrder(row, await repo.findLines(options.db, ws, row.id), name);
}

/** Status, refund and detail changes; the metrics and pairs follow a status that starts or stops counting. */
export async function updateOrder(options: { db: CommerceDb; actor: Actor; orderId: string; patch: OrderPatch }) {
  const { actor, patch } = options;
  const ws = actor.workspaceId;
  if (patch.repId && !(await userInWorkspace(options.db, ws, patch.repId))) throw invalid([{ path: 'repId', code: 'unknown_user' }]);
  return options.db.transaction().execute(async (trx) => {
    const peek = await repo.findOrder(trx, ws, options.orderId);
    if (!peek || peek.deleted_at) throw new AppError('not_found');
    await resolveCustomer(trx, actor, peek.person_id, peek.person_id ? null : peek.company_id);
    const recompute = await lockCustomers(trx, ws, [peek]);
    const before = await repo.findOrder(trx, ws, options.orderId, { forUpdate: true });
    if (!before || before.deleted_at) throw new AppError('not_found');
    const lines = await repo.findLines(trx, ws, before.id);
    const beforeView = presentOrder(before, lines);
    if (before.version !== patch.version) throw new AppError('conflict', { current: beforeView });
    const status = (patch.status ?? before.status) as OrderStatus;
    const total = Number(before.total);
    let refunded = patch.refundedAmount ?? Number(before.refunded_amount);
    if (status === 'refunded' && patch.refundedAmount === undefined) refunded = total;
    if (refunded > total) throw invalid([{ path: 'refundedAmount', code: 'exceeds_total', total }]);
    const row = await repo.updateOrder(trx, ws, before.id, {
      updated_by: actor.userId,
      status,
      refunded_amount: refunded,
      payment_method: patch.paymentMethod,
      channel: patch.channel,
      store: patch.store,
      rep_id: patch.repId,
      note: patch.note,
    });
    const was = countsAsPurchase(before.status);
    const now = countsAsPurchase(status);
    if (was !== now) await metrics.applyPairs(trx, ws, [before.id], now ? 1 : -1);
    await recompute();
    const name = await customerName(trx, ws, row.person_id, row.company_id);
    const after = presentOrder(row, lines, name);
    await recordChange(trx, actor, {
      audit: { action: 'order.updated', entityType: 'order', entityId: before.id, before: beforeView, after },
      event: { type: 'order.updated', entityType: 'order', entityId: before.id, payload: { timeline: orderTimeline(after) } },
    });
    return after;
  });
}

export async function trashOrder(options: { db: CommerceDb; actor: Actor; orderId: string }) {
  const { actor } = options;
  const ws = actor.workspaceId;
  return options.db.transaction().execute(async (trx) => {
    const peek = await repo.findOrder(trx, ws, options.orderId);
    if (!peek || peek.deleted_at) throw new AppError('not_found');
    await resolveCustomer(trx, actor, peek.person_id, peek.person_id ? null : peek.company_id);
    const recompute = await lockCustomers(trx, ws, [peek]);
    const before = await repo.findOrder(trx, ws, options.orderId, { forUpdate: true });
    if (!before || before.deleted_at) throw new AppError('not_found');
    const row = await repo.updateOrder(trx, ws, before.id, { deleted_at: new Date(), deleted_by: actor.userId, updated_by: actor.userId });
    if (countsAsPurchase(before.status)) await metrics.applyPairs(trx, ws, [before.id], -1);
    await recompute();
    const after = presentOrder(row);
    await recordChange(trx, actor, {
      audit: { action: 'order.deleted', entityType: 'order', entityId: before.id, before: presentOrder(before) },
      event: { type: 'order.deleted', entityType: 'order', entityId: before.id, payload: { timeline: orderTimeline(after, 'remove') } },
    });
  });
}

export async function listOrders(options: {
  db: CommerceDb;
  actor: Actor;
  personId?: string;
  companyId?: string;
  status?: OrderStatus;
  cursor?: string;
  limit: number;
}) {
  const { db, actor } = options;
  if (options.personId) await getPerson({ db, actor, personId: options.personId });
  if (options.companyId) await getCompany({ db, actor, companyId: options.companyId });
  const after = options.cursor ? decodeCursor(options.cursor) : undefined;
  if (after && (after.length !== 2 || Number.isNaN(Date.parse(String(after[0]))) || !/^[0-9a-f-]{36}$/i.test(String(after[1])))) {
    throw invalid([{ path: 'cursor', code: 'invalid' }]);
  }
  const rows = await repo.listOrders(db, actor, { ...options, after: after as [string, string] | undefined });
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  const names = await customerNamesOf(db, actor.workspaceId, page);
  return {
    data: page.map((r, i) => presentOrder(r, undefined, names[i])),
    nextCursor: rows.length > options.limit && last ? encodeCursor([new Date(last.ordered_at).toISOString(), last.id]) : null,
  };
}
