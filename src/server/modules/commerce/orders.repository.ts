import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { Order, OrderStatus } from '../../../shared/contracts/commerce.js';
import type { Actor } from '../../platform/actor.js';
import type { OrderLines, Orders } from '../../platform/db/schema.js';
import { workspaceSettings } from '../accounts/index.js';
import { type CommerceDb, type CommerceTx, commerceDb } from './commerce.db.js';
import { whereOrderVisible } from './commerce.policy.js';

/** An order row with its status and source narrowed to the contract's values (the table's CHECKs). */
export type OrderRow = Omit<Selectable<Orders>, 'status' | 'source'> & { status: OrderStatus; source: Order['source'] };
type Narrowed = { status: OrderStatus; source: Order['source'] };
export type OrderLineRow = Selectable<OrderLines>;

export function insertOrder(db: CommerceDb, row: Insertable<Orders>) {
  return db.insertInto('orders').values(row).returningAll().$narrowType<Narrowed>().executeTakeFirstOrThrow();
}

export async function insertLines(db: CommerceDb, rows: Insertable<OrderLines>[]) {
  if (rows.length) await db.insertInto('order_lines').values(rows).execute();
}

export function findOrder(db: CommerceDb, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('orders').selectAll().$narrowType<Narrowed>().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export function findOrderByExternalId(db: CommerceDb, workspaceId: string, externalId: string) {
  return db
    .selectFrom('orders')
    .selectAll()
    .$narrowType<Narrowed>()
    .where('workspace_id', '=', workspaceId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

export async function orderNumberTaken(db: CommerceDb, workspaceId: string, orderNumber: string) {
  const r = await db
    .selectFrom('orders')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('order_number', '=', orderNumber)
    .executeTakeFirst();
  return !!r;
}

export function findLines(db: CommerceDb, workspaceId: string, orderId: string) {
  return db
    .selectFrom('order_lines')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('order_id', '=', orderId)
    .orderBy('position')
    .execute();
}

export function updateOrder(db: CommerceDb, workspaceId: string, id: string, set: Updateable<Orders>) {
  return db
    .updateTable('orders')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .$narrowType<Narrowed>()
    .executeTakeFirstOrThrow();
}

/** Reserves n order numbers of the workspace (one row lock, held to the end of the transaction). */
export async function reserveOrderNumbers(trx: CommerceTx, workspaceId: string, n: number): Promise<number> {
  const r = await sql<{ last_value: string }>`
    INSERT INTO order_counters AS c (workspace_id, last_value) VALUES (${workspaceId}, ${n})
    ON CONFLICT (workspace_id) DO UPDATE SET last_value = c.last_value + ${n}
    RETURNING last_value`.execute(trx);
  return Number(r.rows[0]?.last_value) - n + 1;
}

/** A merged customer's orders move to the survivor. */
export async function moveOrders(trx: CommerceTx, workspaceId: string, kind: 'person' | 'company', fromId: string, toId: string) {
  const column = kind === 'person' ? 'person_id' : 'company_id';
  await trx
    .updateTable('orders')
    .set({ [column]: toId, updated_at: sql`now()` })
    .where('workspace_id', '=', workspaceId)
    .where(column, '=', fromId)
    .execute();
}

/** Whether the workspace has stored an order, deleted ones included (their amounts are in the workspace's currency). */
export async function anyOrders<D>(db: Kysely<D>, workspaceId: string): Promise<boolean> {
  const row = await commerceDb(db).selectFrom('orders').select('id').where('workspace_id', '=', workspaceId).limit(1).executeTakeFirst();
  return !!row;
}

/** The workspace's currency (every order is in it), read through accounts' settings port. */
export async function workspaceCurrency<D>(db: Kysely<D>, workspaceId: string): Promise<string> {
  return (await workspaceSettings(db, workspaceId)).currency;
}

export interface ListOptions {
  personId?: string;
  companyId?: string;
  status?: string;
  after?: [string, string];
  limit: number;
}

/** Newest first, keyset on (ordered_at, id): one index range per customer or for the workspace; visible orders only. */
export function listOrders(db: CommerceDb, actor: Actor, o: ListOptions) {
  let q = db
    .selectFrom('orders as o')
    .selectAll('o')
    .$narrowType<Narrowed>()
    .where('o.workspace_id', '=', actor.workspaceId)
    .where('o.deleted_at', 'is', null);
  q = whereOrderVisible(db, q, actor);
  if (o.personId) q = q.where('o.person_id', '=', o.personId);
  if (o.companyId) q = q.where('o.company_id', '=', o.companyId);
  if (o.status) q = q.where('o.status', '=', o.status);
  if (o.after) q = q.where(sql<boolean>`(o.ordered_at, o.id) < (${o.after[0]}::timestamptz, ${o.after[1]}::uuid)`);
  return q
    .orderBy('o.ordered_at', 'desc')
    .orderBy('o.id', 'desc')
    .limit(o.limit + 1)
    .execute();
}

/** A person's live orders with their lines, oldest first: commerce's part of a disclosure (APPI 開示). */
export async function ordersForDisclosure(db: CommerceDb, workspaceId: string, personIds: string[]) {
  const r = await sql<Record<string, unknown>>`
    SELECT o.order_number, o.ordered_at, o.status, o.currency, o.total, o.refunded_amount, o.payment_method, o.channel, o.store,
      (SELECT json_agg(json_build_object('sku', l.sku, 'name', l.name, 'quantity', l.quantity, 'unitPrice', l.unit_price,
        'amount', l.amount) ORDER BY l.position) FROM order_lines l WHERE l.workspace_id = o.workspace_id AND l.order_id = o.id) AS lines
    FROM orders o WHERE o.workspace_id = ${workspaceId} AND o.person_id = ANY(${personIds}::uuid[]) AND o.deleted_at IS NULL
    ORDER BY o.ordered_at`.execute(db);
  return r.rows;
}
