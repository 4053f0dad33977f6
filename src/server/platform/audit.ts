import { sql, type Transaction } from 'kysely';
import type { Actor } from './actor.js';
import { txTablesOf } from './db/database.js';
import type { PlatformDb } from './db/platform-tables.js';
import { newId } from './ids.js';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

const SECRET_KEYS = new Set(['password', 'password_hash', 'passwordHash', 'token_hash', 'tokenHash', 'token', 'csrf_token']);

/** Never let a secret reach the audit trail. */
function redact(value: unknown): unknown {
  if (value === null || value === undefined || typeof value !== 'object') return value ?? null;
  if (Array.isArray(value)) return value.map(redact);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k) ? '[redacted]' : redact(v);
  return out;
}

/** Write the audit row inside the caller's transaction: no change without its record. */
export async function writeAudit<D>(trx: Transaction<D>, actor: Actor, entry: AuditEntry): Promise<void> {
  await txTablesOf<'audit_log', D>(trx)
    .insertInto('audit_log')
    .values({
      workspace_id: actor.workspaceId,
      id: newId(),
      actor_id: actor.userId,
      actor_type: actor.kind,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId ?? null,
      before: entry.before === undefined ? null : JSON.stringify(redact(entry.before)),
      after: entry.after === undefined ? null : JSON.stringify(redact(entry.after)),
      ip: actor.ip ?? null,
    })
    .execute();
}

export interface AuditQuery {
  workspaceId: string;
  actorId?: string;
  entityType?: string;
  entityId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  cursor?: { createdAt: Date; id: string };
  limit: number;
}

/** A page of the workspace's audit trail, newest first. Names of actors are the caller's to add (platform knows no users). */
export async function listAudit(db: PlatformDb, q: AuditQuery) {
  let query = db
    .selectFrom('audit_log as a')
    .select([
      'a.id',
      'a.actor_id',
      'a.actor_type',
      'a.action',
      'a.entity_type',
      'a.entity_id',
      'a.before',
      'a.after',
      'a.ip',
      'a.created_at',
    ])
    .where('a.workspace_id', '=', q.workspaceId);
  if (q.actorId) query = query.where('a.actor_id', '=', q.actorId);
  if (q.entityType) query = query.where('a.entity_type', '=', q.entityType);
  if (q.entityId) query = query.where('a.entity_id', '=', q.entityId);
  if (q.action) query = query.where('a.action', '=', q.action);
  if (q.from) query = query.where('a.created_at', '>=', q.from);
  if (q.to) query = query.where('a.created_at', '<', q.to);
  if (q.cursor) {
    const c = q.cursor;
    query = query.where((eb) =>
      eb.or([eb('a.created_at', '<', c.createdAt), eb.and([eb('a.created_at', '=', c.createdAt), eb('a.id', '<', c.id)])]),
    );
  }
  return query.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(q.limit).execute();
}

/** The audit rows about these entities of one type, oldest first (a disclosure of everything held about a person). */
export function auditOfEntities(db: PlatformDb, workspaceId: string, entityType: string, ids: readonly string[]) {
  return db
    .selectFrom('audit_log')
    .select(['id', 'action', 'entity_id', 'actor_id', 'actor_type', 'before', 'after', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where('entity_id', 'in', ids)
    .$narrowType<{ entity_id: string }>()
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * Erasure: the audit rows about these entities keep who did what and when, but their before/after values are
 * replaced by a marker (the module that owns the entities decides when, in its erasure's transaction).
 */
export async function scrubAuditValues(db: PlatformDb, workspaceId: string, entityType: string, ids: readonly string[]) {
  await db
    .updateTable('audit_log')
    .set({
      before: sql`CASE WHEN before IS NULL THEN NULL ELSE '{"erased":true}'::jsonb END`,
      after: sql`CASE WHEN after IS NULL THEN NULL ELSE '{"erased":true}'::jsonb END`,
    })
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where('entity_id', 'in', ids)
    .execute();
}
