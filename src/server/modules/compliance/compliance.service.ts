import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../../platform/actor.js';
import { type AuditQuery, listAudit } from '../../platform/audit.js';
import { sealAudit, verifyAudit } from '../../platform/audit-chain.js';
import { platformDb } from '../../platform/db/platform-tables.js';
import { AppError } from '../../platform/http/errors.js';
import { userNames } from '../accounts/index.js';

export interface AuditEntryView {
  id: string;
  actorId: string | null;
  actorType: string;
  /** The acting user's current name; null for the system, or a user no longer there. */
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  createdAt: string;
}

/** The workspace's audit trail, newest first, with the actors' names: what the audit page and a record's history show. */
export async function auditTrail<D>(db: Kysely<D>, query: AuditQuery): Promise<AuditEntryView[]> {
  const rows = await listAudit(platformDb(db), query);
  const names = await userNames(
    db,
    query.workspaceId,
    rows.flatMap((r) => (r.actor_id ? [r.actor_id] : [])),
  );
  return rows.map((r) => ({
    id: r.id,
    actorId: r.actor_id,
    actorType: r.actor_type,
    actorName: (r.actor_id && names.get(r.actor_id)) ?? null,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    before: r.before,
    after: r.after,
    ip: r.ip,
    createdAt: r.created_at.toISOString(),
  }));
}

export interface AuditFilter {
  actorId?: string;
  entityType?: string;
  entityId?: string;
  action?: string;
  from?: string;
  to?: string;
  /** Opaque: the nextCursor of the page before. */
  cursor?: string;
  limit: number;
}

/** One page of the audit page's list and the cursor of the next. */
export async function listAuditEntries<D>(options: { db: Kysely<D>; actor: Actor; filter: AuditFilter }) {
  const { filter } = options;
  const rows = await auditTrail(options.db, {
    workspaceId: options.actor.workspaceId,
    actorId: filter.actorId,
    entityType: filter.entityType,
    entityId: filter.entityId,
    action: filter.action,
    from: filter.from ? new Date(filter.from) : undefined,
    to: filter.to ? new Date(filter.to) : undefined,
    cursor: decodeCursor(filter.cursor),
    limit: filter.limit + 1,
  });
  const data = rows.slice(0, filter.limit);
  const last = data.at(-1);
  return { data, nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null };
}

function encodeCursor(last: AuditEntryView): string {
  return Buffer.from(`${last.createdAt}|${last.id}`).toString('base64url');
}

function decodeCursor(cursor: string | undefined) {
  if (!cursor) return undefined;
  const [t, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(t ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !z.uuid().safeParse(id).success) {
    throw new AppError('validation_failed', { issues: [{ in: 'querystring', path: 'cursor', code: 'invalid' }] });
  }
  return { createdAt, id };
}

/** Seals pending rows, then walks the actor's workspace chain. */
export async function verifyAuditChain<D>(options: { db: Kysely<D>; actor: Actor }) {
  const { workspaceId: _ws, ...report } = await verifyAudit(platformDb(options.db), options.actor.workspaceId);
  return report;
}

/** Seals every workspace's new audit rows into its chain (run periodically by an instance with workers). */
export function sealAuditChains<D>(db: Kysely<D>): Promise<number> {
  return sealAudit(platformDb(db));
}
