import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import { whereVisible } from '../../platform/policy.js';

type Row = Record<string, any>;

export function insertOrder(db: DbOrTx, row: Row) {
  return db.insertInto('orders').values(row).returningAll().executeTakeFirstOrThrow() as Promise<Row>;
}

export async function insertLines(db: DbOrTx, rows: Row[]) {
  if (rows.length) await db.insertInto('order_lines').values(rows).execute();
}

export function findOrder(db: DbOrTx, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('orders').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst() as Promise<Row | undefined>;
}

export function findOrderByExternalId(db: DbOrTx, workspaceId: string, externalId: string) {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('external_id', '=', externalId)
    .executeTakeFirst() as Promise<Row | undefined>;
}

export async function orderNumberTaken(db: DbOrTx, workspaceId: string, orderNumber: string) {
  const r = await db
    .selectFrom('orders')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('order_number', '=', orderNumber)
    .executeTakeFirst();
  return !!r;
}

export function findLines(db: DbOrTx, workspaceId: string, orderId: string) {
  return db
    .selectFrom('order_lines')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('order_id', '=', orderId)
    .orderBy('position')
    .execute() as Promise<Row[]>;
}

export function updateOrder(db: DbOrTx, workspaceId: string, id: string, set: Row) {
  return db
    .updateTable('orders')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow() as Promise<Row>;
}

/** Reserves n order numbers of the workspace (one row lock, held to the end of the transaction). */
export async function reserveOrderNumbers(trx: Tx, workspaceId: string, n: number): Promise<number> {
  const r = await sql<{ last_value: string }>`
    INSERT INTO order_counters AS c (workspace_id, last_value) VALUES (${workspaceId}, ${n})
    ON CONFLICT (workspace_id) DO UPDATE SET last_value = c.last_value + ${n}
    RETURNING last_value`.execute(trx);
  return Number(r.rows[0]?.last_value) - n + 1;
}

export async function workspaceCurrency(db: DbOrTx, workspaceId: string): Promise<string> {
  const r = await db.selectFrom('workspaces').select('currency').where('id', '=', workspaceId).executeTakeFirstOrThrow();
  return String(r.currency).trim();
}

/** Live people matched by a normalised email or E.164 phone (customers' contact points, read only). */
export async function personByContact(db: DbOrTx, workspaceId: string, kind: 'email' | 'phone', value: string) {
  const r = await sql<{ id: string; company_id: string | null }>`
    SELECT p.id, p.company_id FROM contact_points cp
    JOIN people p ON p.workspace_id = cp.workspace_id AND p.id = cp.entity_id
    WHERE cp.workspace_id = ${workspaceId} AND cp.kind = ${kind} AND cp.value = ${value} AND cp.entity_type = 'person'
      AND p.deleted_at IS NULL
    ORDER BY p.id LIMIT 1`.execute(db);
  return r.rows[0];
}

export interface ListOptions {
  personId?: string;
  companyId?: string;
  status?: string;
  after?: [string, string];
  limit: number;
}

/**
 * Newest first, keyset on (ordered_at, id): one index range per customer or for the workspace. An order is
 * visible when its customer is (the person, else the company: owner/team policy).
 */
export function listOrders(db: DbOrTx, actor: Actor, o: ListOptions) {
  const workspaceId = actor.workspaceId;
  let q = db
    .selectFrom('orders as o')
    .leftJoin('people as p', (j) => j.onRef('p.workspace_id', '=', 'o.workspace_id').onRef('p.id', '=', 'o.person_id'))
    .leftJoin('companies as c', (j) => j.onRef('c.workspace_id', '=', 'o.workspace_id').onRef('c.id', '=', 'o.company_id'))
    .selectAll('o')
    .select([sql<string | null>`nullif(concat_ws(' ', p.family_name, p.given_name), '')`.as('person_name'), 'c.name as company_name'])
    .innerJoin(
      sql<{ owner_id: string | null; team_id: string | null }>`LATERAL (SELECT
        CASE WHEN o.person_id IS NOT NULL THEN p.owner_id ELSE c.owner_id END AS owner_id,
        CASE WHEN o.person_id IS NOT NULL THEN p.team_id ELSE c.team_id END AS team_id)`.as('v'),
      (j) => j.on(sql<boolean>`true`),
    )
    .where('o.workspace_id', '=', workspaceId)
    .where('o.deleted_at', 'is', null);
  q = whereVisible(q, actor, 'v');
  if (o.personId) q = q.where('o.person_id', '=', o.personId);
  if (o.companyId) q = q.where('o.company_id', '=', o.companyId);
  if (o.status) q = q.where('o.status', '=', o.status);
  if (o.after) q = q.where(sql<boolean>`(o.ordered_at, o.id) < (${o.after[0]}::timestamptz, ${o.after[1]}::uuid)`);
  return q
    .orderBy('o.ordered_at', 'desc')
    .orderBy('o.id', 'desc')
    .limit(o.limit + 1)
    .execute() as Promise<Row[]>;
}

export async function customerNames(db: DbOrTx, workspaceId: string, personId: string | null, companyId: string | null) {
  if (personId) {
    const p = await db
      .selectFrom('people')
      .select(['family_name', 'given_name'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', personId)
      .executeTakeFirst();
    if (p) return [p.family_name, p.given_name].filter(Boolean).join(' ');
  }
  if (companyId) {
    const c = await db
      .selectFrom('companies')
      .select('name')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', companyId)
      .executeTakeFirst();
    if (c) return c.name as string;
  }
  return null;
}
