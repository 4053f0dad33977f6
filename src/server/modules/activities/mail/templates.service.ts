import { type Selectable, sql } from 'kysely';
import type { EmailTemplate } from '../../../../shared/contracts/mail.js';
import { unknownMergeFields } from '../../../../shared/contracts/mail.js';
import type { Actor } from '../../../platform/actor.js';
import type { EmailTemplates } from '../../../platform/db/schema.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import type { ActivitiesDb } from '../activities.db.js';

type TemplateRow = Pick<Selectable<EmailTemplates>, 'id' | 'name' | 'subject' | 'body' | 'version' | 'created_at' | 'updated_at'>;

export function presentTemplate(r: TemplateRow): EmailTemplate {
  return {
    id: r.id,
    name: r.name,
    subject: r.subject,
    body: r.body,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

function checkFields(...texts: string[]) {
  const unknown = unknownMergeFields(...texts);
  if (unknown.length) throw new AppError('mail_unknown_merge_field', { fields: unknown });
}

async function findTemplate(db: ActivitiesDb, workspaceId: string, id: string, lock = false): Promise<TemplateRow> {
  let q = db
    .selectFrom('email_templates')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new AppError('not_found');
  return row;
}

export async function getTemplate(options: { db: ActivitiesDb; actor: Actor; templateId: string }) {
  return presentTemplate(await findTemplate(options.db, options.actor.workspaceId, options.templateId));
}

/** Templates by name; a workspace keeps tens, not millions, so one bounded page. */
export async function listTemplates(options: { db: ActivitiesDb; actor: Actor }) {
  const rows = await options.db
    .selectFrom('email_templates')
    .selectAll()
    .where('workspace_id', '=', options.actor.workspaceId)
    .where('deleted_at', 'is', null)
    .orderBy(sql`lower(name)`)
    .orderBy('id')
    .limit(500)
    .execute();
  return rows.map(presentTemplate);
}

async function nameTaken(db: ActivitiesDb, workspaceId: string, name: string, exceptId?: string) {
  let q = db
    .selectFrom('email_templates')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where(sql`lower(name)`, '=', name.toLowerCase())
    .where('deleted_at', 'is', null);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return Boolean(await q.executeTakeFirst());
}

function nameConflict(name: string) {
  return new AppError('validation_failed', { issues: [{ in: 'body', path: 'name', code: 'taken', message: `「${name}」 exists` }] });
}

export async function createTemplate(options: { db: ActivitiesDb; actor: Actor; input: { name: string; subject: string; body: string } }) {
  const { db, actor, input } = options;
  checkFields(input.subject, input.body);
  return db.transaction().execute(async (trx) => {
    if (await nameTaken(trx, actor.workspaceId, input.name)) throw nameConflict(input.name);
    const row = await trx
      .insertInto('email_templates')
      .values({ workspace_id: actor.workspaceId, id: newId(), ...input, created_by: actor.userId, updated_by: actor.userId })
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = presentTemplate(row);
    await recordChange(trx, actor, {
      audit: { action: 'email_template.created', entityType: 'email_template', entityId: row.id, after },
      event: { type: 'email_template.created', entityType: 'email_template', entityId: row.id },
    });
    return after;
  });
}

export async function updateTemplate(options: {
  db: ActivitiesDb;
  actor: Actor;
  templateId: string;
  patch: { version: number; name?: string; subject?: string; body?: string };
}) {
  const { db, actor, templateId, patch } = options;
  const { version, ...changes } = patch;
  return db.transaction().execute(async (trx) => {
    const current = await findTemplate(trx, actor.workspaceId, templateId, true);
    if (current.version !== version) throw new AppError('conflict', { current: presentTemplate(current) });
    checkFields(changes.subject ?? current.subject, changes.body ?? current.body);
    if (changes.name && (await nameTaken(trx, actor.workspaceId, changes.name, templateId))) throw nameConflict(changes.name);
    const row = await trx
      .updateTable('email_templates')
      .set({ ...changes, version: current.version + 1, updated_at: new Date(), updated_by: actor.userId })
      .where('workspace_id', '=', actor.workspaceId)
      .where('id', '=', templateId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = presentTemplate(row);
    await recordChange(trx, actor, {
      audit: {
        action: 'email_template.updated',
        entityType: 'email_template',
        entityId: templateId,
        before: presentTemplate(current),
        after,
      },
      event: { type: 'email_template.updated', entityType: 'email_template', entityId: templateId },
    });
    return after;
  });
}

export async function deleteTemplate(options: { db: ActivitiesDb; actor: Actor; templateId: string }) {
  const { db, actor, templateId } = options;
  await db.transaction().execute(async (trx) => {
    const current = await findTemplate(trx, actor.workspaceId, templateId, true);
    await trx
      .updateTable('email_templates')
      .set({ deleted_at: new Date(), deleted_by: actor.userId, version: current.version + 1 })
      .where('workspace_id', '=', actor.workspaceId)
      .where('id', '=', templateId)
      .execute();
    await recordChange(trx, actor, {
      audit: { action: 'email_template.deleted', entityType: 'email_template', entityId: templateId, before: presentTemplate(current) },
      event: { type: 'email_template.deleted', entityType: 'email_template', entityId: templateId },
    });
  });
}
