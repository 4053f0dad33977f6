import type { Insertable, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { Actor } from '../../../platform/actor.js';
import type { DuplicatePairs, DuplicateScans } from '../../../platform/db/schema.js';
import type { CustomersDb } from '../customers.db.js';
import { visibleTo } from '../customers.policy.js';
import type { DuplicateCandidate } from './duplicates.js';
import { type EntityType, recordFrom, tableOf } from './records.repository.js';

/** SQL of the duplicate review queue and the whole-workspace scans. */
export { type EntityType, tableOf } from './records.repository.js';
export type PairRow = Selectable<DuplicatePairs>;
export type ScanRow = Selectable<DuplicateScans>;

/** A value shared by more records than this is a switchboard or a shared inbox, not a sign of one customer. */
export const MAX_GROUP = 20;

/** Insert open pairs for one record's candidates; running twice changes nothing, and a dismissed pair stays dismissed. */
export async function upsertPairs(
  db: CustomersDb,
  workspaceId: string,
  entityType: EntityType,
  id: string,
  candidates: DuplicateCandidate[],
) {
  if (!candidates.length) return 0;
  const rows = candidates.map((c) => ({
    a: id < c.id ? id : c.id,
    b: id < c.id ? c.id : id,
    reasons: [...c.reasons].sort(),
  }));
  const res = await sql`
    INSERT INTO duplicate_pairs (workspace_id, id, entity_type, a_id, b_id, reasons)
    SELECT ${workspaceId}::uuid, crm_uuid_v7(), ${entityType}, x.a, x.b, x.reasons
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(a uuid, b uuid, reasons text[])
    ON CONFLICT (workspace_id, entity_type, a_id, b_id) DO UPDATE
      SET reasons = ARRAY(SELECT DISTINCT r FROM unnest(duplicate_pairs.reasons || EXCLUDED.reasons) r ORDER BY r)
      WHERE duplicate_pairs.status = 'open'`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}

/** Key rows (reason, key, record id) of every live record of a workspace: one SELECT per reason. */
function personKeySteps(workspaceId: string) {
  return [
    sql`SELECT 'email' AS reason, cp.value AS k, cp.entity_id AS id FROM contact_points cp
          JOIN people p ON p.workspace_id = cp.workspace_id AND p.id = cp.entity_id AND p.deleted_at IS NULL
         WHERE cp.workspace_id = ${workspaceId} AND cp.kind = 'email' AND cp.entity_type = 'person'`,
    // Work and fax numbers are often a company's switchboard: only personal numbers identify a person.
    sql`SELECT 'phone' AS reason, ph->>'e164' AS k, p.id FROM people p, jsonb_array_elements(p.phones) ph
         WHERE p.workspace_id = ${workspaceId} AND p.deleted_at IS NULL AND ph->>'label' NOT IN ('work', 'fax')`,
    // The company by its name key: people under 株式会社サンプル商事 and under a second record ㈱サンプル商事 pair too.
    sql`SELECT 'name_company' AS reason, p.name_key || '|' || c.name_key AS k, p.id FROM people p
          JOIN companies c ON c.workspace_id = p.workspace_id AND c.id = p.company_id
         WHERE p.workspace_id = ${workspaceId} AND p.deleted_at IS NULL AND p.name_key <> '' AND c.name_key <> ''`,
    sql`SELECT 'kana_company' AS reason, p.kana_key || '|' || c.name_key AS k, p.id FROM people p
          JOIN companies c ON c.workspace_id = p.workspace_id AND c.id = p.company_id
         WHERE p.workspace_id = ${workspaceId} AND p.deleted_at IS NULL AND p.kana_key IS NOT NULL AND c.name_key <> ''`,
    // A shared work number identifies a person together with the name (colleagues share the switchboard, not names).
    sql`SELECT 'name_phone' AS reason, p.name_key || '|' || (ph->>'e164') AS k, p.id FROM people p, jsonb_array_elements(p.phones) ph
         WHERE p.workspace_id = ${workspaceId} AND p.deleted_at IS NULL AND p.name_key <> '' AND ph->>'label' IN ('work', 'fax')`,
  ];
}

function companyKeySteps(workspaceId: string) {
  return [
    sql`SELECT 'name' AS reason, c.name_key AS k, c.id FROM companies c
         WHERE c.workspace_id = ${workspaceId} AND c.deleted_at IS NULL AND c.name_key <> ''`,
    sql`SELECT 'corporate_number' AS reason, c.corporate_number AS k, c.id FROM companies c
         WHERE c.workspace_id = ${workspaceId} AND c.deleted_at IS NULL AND c.corporate_number IS NOT NULL`,
    sql`SELECT cp.kind AS reason, cp.value AS k, cp.entity_id AS id FROM contact_points cp
          JOIN companies c ON c.workspace_id = cp.workspace_id AND c.id = cp.entity_id AND c.deleted_at IS NULL
         WHERE cp.workspace_id = ${workspaceId} AND cp.entity_type = 'company'`,
  ];
}

export function scanSteps(workspaceId: string, entityType: EntityType) {
  return entityType === 'person' ? personKeySteps(workspaceId) : companyKeySteps(workspaceId);
}

/**
 * One scan step, set-wise: group the key rows, pair the members of each small group, insert new pairs
 * (or add the reason to an open one). Hash aggregates over the workspace: no per-record queries.
 */
export async function runScanStep(
  db: CustomersDb,
  workspaceId: string,
  entityType: EntityType,
  keys: ReturnType<typeof scanSteps>[number],
) {
  const res = await sql`
    WITH keys AS (${keys}),
    groups AS (
      SELECT reason, array_agg(DISTINCT id) AS ids FROM keys GROUP BY reason, k
      HAVING count(DISTINCT id) BETWEEN 2 AND ${MAX_GROUP}
    ),
    pairs AS (
      SELECT a, b, array_agg(DISTINCT reason ORDER BY reason) AS reasons
        FROM groups, unnest(ids) a, unnest(ids) b WHERE a < b GROUP BY a, b
    )
    INSERT INTO duplicate_pairs (workspace_id, id, entity_type, a_id, b_id, reasons)
    SELECT ${workspaceId}::uuid, crm_uuid_v7(), ${entityType}, a, b, reasons FROM pairs
    ON CONFLICT (workspace_id, entity_type, a_id, b_id) DO UPDATE
      SET reasons = ARRAY(SELECT DISTINCT r FROM unnest(duplicate_pairs.reasons || EXCLUDED.reasons) r ORDER BY r)
      WHERE duplicate_pairs.status = 'open' AND NOT duplicate_pairs.reasons @> EXCLUDED.reasons`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}

export function insertScan(db: CustomersDb, row: Insertable<DuplicateScans>) {
  return db.insertInto('duplicate_scans').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateScan(db: CustomersDb, workspaceId: string, id: string, set: Updateable<DuplicateScans>) {
  return db.updateTable('duplicate_scans').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export function findScan(db: CustomersDb, workspaceId: string, id: string) {
  return db.selectFrom('duplicate_scans').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/**
 * A page of pairs, newest first, where the actor may see both records, optionally those of one record.
 * Open pairs are shown only while both records are live (a deleted or merged record leaves the queue).
 */
export async function listPairs(
  db: CustomersDb,
  actor: Actor,
  q: { entityType: EntityType; status: 'open' | 'merged' | 'dismissed'; recordId?: string; cursor?: string; limit: number },
) {
  const table = tableOf[q.entityType];
  let query = db
    .selectFrom('duplicate_pairs as d')
    .innerJoin(recordFrom(table, 'ra'), (j) => j.onRef('ra.workspace_id', '=', 'd.workspace_id').onRef('ra.id', '=', 'd.a_id'))
    .innerJoin(recordFrom(table, 'rb'), (j) => j.onRef('rb.workspace_id', '=', 'd.workspace_id').onRef('rb.id', '=', 'd.b_id'))
    .select(['d.id', 'd.entity_type', 'd.a_id', 'd.b_id', 'd.reasons', 'd.status', 'd.created_at', 'd.resolved_at', 'd.resolved_by'])
    .where('d.workspace_id', '=', actor.workspaceId)
    .where('d.entity_type', '=', q.entityType)
    .where('d.status', '=', q.status);
  if (q.status === 'open') query = query.where('ra.deleted_at', 'is', null).where('rb.deleted_at', 'is', null);
  if (q.cursor) query = query.where('d.id', '<', q.cursor);
  // One record's pairs: either side, through duplicate_pairs_pair (a_id) and duplicate_pairs_b (b_id).
  if (q.recordId) {
    const id = q.recordId;
    query = query.where((eb) => eb.or([eb('d.a_id', '=', id), eb('d.b_id', '=', id)]));
  }
  query = visibleTo(visibleTo(query, actor, 'ra'), actor, 'rb');
  return query
    .orderBy('d.id', 'desc')
    .limit(q.limit + 1)
    .execute();
}

export function findPair(db: CustomersDb, workspaceId: string, id: string, forUpdate = false) {
  let q = db.selectFrom('duplicate_pairs').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export function resolvePair(db: CustomersDb, workspaceId: string, id: string, status: 'merged' | 'dismissed', actorId: string | null) {
  return db
    .updateTable('duplicate_pairs')
    .set({ status, resolved_at: new Date(), resolved_by: actorId })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * After a merge: the pair of the two records is marked merged (created if the merge did not come from
 * the queue), and the other open pairs of the merged record are dropped (the survivor is re-checked).
 */
export async function settlePairsAfterMerge(
  db: CustomersDb,
  workspaceId: string,
  entityType: EntityType,
  survivorId: string,
  mergedId: string,
  actorId: string | null,
) {
  const [a, b] = survivorId < mergedId ? [survivorId, mergedId] : [mergedId, survivorId];
  await sql`
    INSERT INTO duplicate_pairs (workspace_id, id, entity_type, a_id, b_id, reasons, status, resolved_at, resolved_by)
    VALUES (${workspaceId}, crm_uuid_v7(), ${entityType}, ${a}, ${b}, '{}', 'merged', now(), ${actorId})
    ON CONFLICT (workspace_id, entity_type, a_id, b_id) DO UPDATE SET status = 'merged', resolved_at = now(), resolved_by = ${actorId}`.execute(
    db,
  );
  await db
    .deleteFrom('duplicate_pairs')
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where('status', '=', 'open')
    .where((eb) => eb.or([eb('a_id', '=', mergedId), eb('b_id', '=', mergedId)]))
    .execute();
}

/** Pairs of erased people say nothing useful any more and would keep the ids linked. */
export function deletePairsOf(db: CustomersDb, workspaceId: string, entityType: EntityType, ids: string[]) {
  return db
    .deleteFrom('duplicate_pairs')
    .where('workspace_id', '=', workspaceId)
    .where('entity_type', '=', entityType)
    .where((eb) => eb.or([eb('a_id', 'in', ids), eb('b_id', 'in', ids)]))
    .execute();
}
