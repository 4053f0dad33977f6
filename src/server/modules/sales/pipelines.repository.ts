import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.js';

export function listPipelineRows(db: DbOrTx, workspaceId: string) {
  return db
    .selectFrom('pipelines')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .orderBy('position')
    .orderBy('id')
    .execute() as Promise<Record<string, any>[]>;
}

export function findPipelineRow(db: DbOrTx, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db
    .selectFrom('pipelines')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst() as Promise<Record<string, any> | undefined>;
}

export function defaultPipelineRow(db: DbOrTx, workspaceId: string) {
  return db
    .selectFrom('pipelines')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('is_default', '=', true)
    .where('deleted_at', 'is', null)
    .executeTakeFirst() as Promise<Record<string, any> | undefined>;
}

/** Inserts the default pipeline unless another transaction already did (the partial unique index decides). */
export async function insertDefaultPipeline(db: DbOrTx, row: Record<string, unknown>): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`INSERT INTO pipelines (workspace_id, id, name, position, is_default, created_by, updated_by)
    VALUES (${row.workspace_id}, ${row.id}, ${row.name}, 0, true, ${row.created_by}, ${row.created_by})
    ON CONFLICT (workspace_id) WHERE is_default DO NOTHING RETURNING id`.execute(db);
  return rows.length === 1;
}

export function insertPipeline(db: DbOrTx, row: Record<string, unknown>) {
  return db.insertInto('pipelines').values(row).returningAll().executeTakeFirstOrThrow() as Promise<Record<string, any>>;
}

export function updatePipeline(db: DbOrTx, workspaceId: string, id: string, set: Record<string, unknown>) {
  return db
    .updateTable('pipelines')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow() as Promise<Record<string, any>>;
}

export async function maxPipelinePosition(db: DbOrTx, workspaceId: string): Promise<number> {
  const r = await db
    .selectFrom('pipelines')
    .select(sql<number>`coalesce(max(position), -1)::int`.as('p'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return r?.p ?? -1;
}

export function stageRows(db: DbOrTx, workspaceId: string, pipelineIds: string[]) {
  if (!pipelineIds.length) return Promise.resolve([] as Record<string, any>[]);
  return db
    .selectFrom('pipeline_stages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('pipeline_id', 'in', pipelineIds)
    .where('deleted_at', 'is', null)
    .orderBy('position')
    .execute() as Promise<Record<string, any>[]>;
}

export function findStage(db: DbOrTx, workspaceId: string, stageId: string) {
  return db
    .selectFrom('pipeline_stages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', stageId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst() as Promise<Record<string, any> | undefined>;
}

export function insertStages(db: DbOrTx, rows: Record<string, unknown>[]) {
  return db.insertInto('pipeline_stages').values(rows).execute();
}

export function updateStage(db: DbOrTx, workspaceId: string, id: string, set: Record<string, unknown>) {
  return db
    .updateTable('pipeline_stages')
    .set({ ...set, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export async function stageHasDeals(db: DbOrTx, workspaceId: string, pipelineId: string, stageId: string): Promise<boolean> {
  const r = await db
    .selectFrom('deals')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('pipeline_id', '=', pipelineId)
    .where('stage_id', '=', stageId)
    .where('deleted_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return !!r;
}
