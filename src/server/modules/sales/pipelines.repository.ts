import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { StageKind } from '../../../shared/contracts/sales.js';
import type { PipelineStages, Pipelines } from '../../platform/db/schema.js';
import type { SalesDb } from './sales.db.js';

export type PipelineRow = Selectable<Pipelines>;
/** A stage row with its kind narrowed to the contract's values (the table's CHECK). */
export type StageRow = Omit<Selectable<PipelineStages>, 'kind'> & { kind: StageKind };

export function listPipelineRows(db: SalesDb, workspaceId: string) {
  return db
    .selectFrom('pipelines')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export function findPipelineRow(db: SalesDb, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db
    .selectFrom('pipelines')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export function defaultPipelineRow(db: SalesDb, workspaceId: string) {
  return db
    .selectFrom('pipelines')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('is_default', '=', true)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Inserts the default pipeline unless another transaction already did (the partial unique index decides). */
export async function insertDefaultPipeline(
  db: SalesDb,
  row: { workspace_id: string; id: string; name: string; created_by: string | null },
): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`INSERT INTO pipelines (workspace_id, id, name, position, is_default, created_by, updated_by)
    VALUES (${row.workspace_id}, ${row.id}, ${row.name}, 0, true, ${row.created_by}, ${row.created_by})
    ON CONFLICT (workspace_id) WHERE is_default DO NOTHING RETURNING id`.execute(db);
  return rows.length === 1;
}

export function insertPipeline(db: SalesDb, row: Insertable<Pipelines>) {
  return db.insertInto('pipelines').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updatePipeline(db: SalesDb, workspaceId: string, id: string, set: Updateable<Pipelines>) {
  return db
    .updateTable('pipelines')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function maxPipelinePosition(db: SalesDb, workspaceId: string): Promise<number> {
  const r = await db
    .selectFrom('pipelines')
    .select(sql<number>`coalesce(max(position), -1)::int`.as('p'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return r?.p ?? -1;
}

export async function stageRows(db: SalesDb, workspaceId: string, pipelineIds: string[]): Promise<StageRow[]> {
  if (!pipelineIds.length) return [];
  return db
    .selectFrom('pipeline_stages')
    .selectAll()
    .$narrowType<{ kind: StageKind }>()
    .where('workspace_id', '=', workspaceId)
    .where('pipeline_id', 'in', pipelineIds)
    .where('deleted_at', 'is', null)
    .orderBy('position')
    .execute();
}

export function findStage(db: SalesDb, workspaceId: string, stageId: string) {
  return db
    .selectFrom('pipeline_stages')
    .selectAll()
    .$narrowType<{ kind: StageKind }>()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', stageId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export function insertStages(db: SalesDb, rows: Insertable<PipelineStages>[]) {
  return db.insertInto('pipeline_stages').values(rows).execute();
}

export function updateStage(db: SalesDb, workspaceId: string, id: string, set: Updateable<PipelineStages>) {
  return db
    .updateTable('pipeline_stages')
    .set({ ...set, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export async function stageHasDeals(db: SalesDb, workspaceId: string, pipelineId: string, stageId: string): Promise<boolean> {
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
