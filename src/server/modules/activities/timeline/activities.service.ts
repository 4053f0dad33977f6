import type { ActivityCreate, ActivityPatch, TimelinePayload } from '../../../../shared/contracts/activities.js';
import type { Actor } from '../../../platform/actor.js';
import type { Config } from '../../../platform/config.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { newId } from '../../../platform/ids.js';
import { withSpooled } from '../../../platform/spool.js';
import { userInWorkspace } from '../../accounts/index.js';
import type { ActivitiesDb } from '../activities.db.js';
import * as repo from './activities.repository.js';
import { checkAttachmentName, listAttachments, registerAttachmentOwner, type StoredAttachment, storeAttachment } from './attachments.js';
import { findRecord, type RecordInfo } from './timeline.records.js';

const SNIPPET = 120;
const BODY_IN_TIMELINE = 2000;

type Details = repo.ActivityRow['details'];

function detailsOf(input: { kind: string; call?: Details; meeting?: Details; message?: Details }): Details {
  if (input.kind === 'call') return input.call ?? {};
  if (input.kind === 'meeting') return input.meeting ?? {};
  if (input.kind === 'sms' || input.kind === 'chat') return input.message ?? {};
  return {};
}

function present(row: repo.ActivityRow, links: repo.LinkRow[], attachments: StoredAttachment[]) {
  return {
    id: row.id,
    kind: row.kind as ActivityCreate['kind'],
    subject: row.subject,
    body: row.body,
    occurredAt: new Date(row.occurred_at).toISOString(),
    details: row.details ?? {},
    links: links.map((l) => ({ entityType: l.entity_type as 'person' | 'company' | 'deal', entityId: l.entity_id })),
    mentionIds: row.mentions ?? [],
    attachments,
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
    updatedAt: new Date(row.updated_at).toISOString(),
    updatedBy: row.updated_by,
  };
}
export type ActivityView = ReturnType<typeof present>;

/** Each linked record the actor may see, in order; a record they cannot see is "not found". */
async function visibleRecords(db: ActivitiesDb, actor: Actor, links: { entityType: string; entityId: string }[]): Promise<RecordInfo[]> {
  const out: RecordInfo[] = [];
  for (const [i, l] of links.entries()) {
    const info = await findRecord(db, actor, l.entityType, l.entityId);
    if (!info) throw new AppError('not_found', { path: `links.${i}`, entityType: l.entityType, entityId: l.entityId });
    out.push(info);
  }
  return out;
}

async function checkMentions(db: ActivitiesDb, actor: Actor, ids: string[]) {
  for (const [i, id] of ids.entries()) {
    if (!(await userInWorkspace(db, actor.workspaceId, id))) {
      throw new AppError('validation_failed', { issues: [{ path: `mentionIds.${i}`, code: 'unknown_user' }] });
    }
  }
}

const linkPath = (r: { entityType: string; entityId: string }) => `/${r.entityType === 'company' ? 'companies' : 'people'}/${r.entityId}`;

/** The event that tells the timeline (and, for new mentions, the notifications) about the activity. */
function activityEvent(
  type: string,
  actor: Actor,
  view: ActivityView,
  records: RecordInfo[],
  options: { mode: 'add' | 'replace' | 'remove'; notifyIds?: string[] },
) {
  const first = records[0];
  const timeline: TimelinePayload = {
    kind: view.kind,
    occurredAt: view.occurredAt,
    links: view.links,
    sourceType: 'activity',
    sourceId: view.id,
    actorId: view.createdBy,
    mode: options.mode,
    summary: {
      subject: view.subject,
      body: view.body.length > BODY_IN_TIMELINE ? `${view.body.slice(0, BODY_IN_TIMELINE)}…` : view.body,
      details: view.details,
      attachments: view.attachments.map((a) => ({ id: a.id, filename: a.filename, size: a.size })),
      mentionIds: view.mentionIds,
      version: view.version,
    },
  };
  const notifyIds = (options.notifyIds ?? []).filter((id) => id !== actor.userId);
  return {
    type,
    entityType: 'activity',
    entityId: view.id,
    ownerId: first?.ownerId ?? null,
    teamId: first?.teamId ?? null,
    payload: {
      timeline,
      ...(notifyIds.length && first
        ? {
            notify: {
              userIds: notifyIds,
              kind: 'mention',
              params: {
                activityKind: view.kind,
                recordType: first.entityType,
                recordLabel: first.label,
                snippet: (view.subject ? `${view.subject} — ${view.body}` : view.body).slice(0, SNIPPET),
              },
              link: linkPath(first),
              record: { ownerId: first.ownerId ?? null, teamId: first.teamId ?? null },
            },
          }
        : {}),
    },
  };
}

export async function createActivity(options: { db: ActivitiesDb; actor: Actor; input: ActivityCreate }) {
  const { db, actor, input } = options;
  const records = await visibleRecords(db, actor, input.links);
  const mentionIds = [...new Set(input.mentionIds)];
  await checkMentions(db, actor, mentionIds);
  return db.transaction().execute(async (trx) => {
    const id = newId();
    const row = await repo.insertActivity(
      trx,
      {
        workspace_id: actor.workspaceId,
        id,
        kind: input.kind,
        subject: input.subject || null,
        body: input.body,
        occurred_at: input.occurredAt ? new Date(input.occurredAt) : new Date(),
        details: detailsOf(input),
        mentions: mentionIds,
        created_by: actor.userId,
      },
      input.links.map((l) => ({ entity_type: l.entityType, entity_id: l.entityId })),
    );
    const view = present(row, await repo.findLinks(trx, actor.workspaceId, id), []);
    await recordChange(trx, actor, {
      audit: { action: 'activity.created', entityType: 'activity', entityId: id, after: view },
      event: activityEvent('activity.created', actor, view, records, { mode: 'add', notifyIds: mentionIds }),
    });
    return view;
  });
}

/** The activity if the actor may see one of its records; else not found. */
async function loadVisible(db: ActivitiesDb, actor: Actor, id: string) {
  const row = await repo.findActivity(db, actor.workspaceId, id);
  if (!row) throw new AppError('not_found');
  const links = await repo.findLinks(db, actor.workspaceId, id);
  const records: RecordInfo[] = [];
  for (const l of links) {
    const info = await findRecord(db, actor, l.entity_type, l.entity_id);
    if (info) records.push(info);
  }
  if (!records.length) throw new AppError('not_found');
  return { row, links, records };
}

export async function maySeeActivity(db: ActivitiesDb, actor: Actor, id: string): Promise<boolean> {
  try {
    await loadVisible(db, actor, id);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') return false;
    throw err;
  }
}
registerAttachmentOwner('activity', maySeeActivity);

async function attachmentsOf(db: ActivitiesDb, workspaceId: string, id: string): Promise<StoredAttachment[]> {
  return (await listAttachments(db, workspaceId, 'activity', [id])).map(({ ownerId: _o, ...a }) => a);
}

export async function getActivity(options: { db: ActivitiesDb; actor: Actor; activityId: string }) {
  const { row, links } = await loadVisible(options.db, options.actor, options.activityId);
  return present(row, links, await attachmentsOf(options.db, options.actor.workspaceId, row.id));
}

export async function updateActivity(options: { db: ActivitiesDb; actor: Actor; activityId: string; patch: ActivityPatch }) {
  const { db, actor, patch } = options;
  const { row: before, links, records } = await loadVisible(db, actor, options.activityId);
  return db.transaction().execute(async (trx) => {
    const attachments = await attachmentsOf(trx, actor.workspaceId, before.id);
    const beforeView = present(before, links, attachments);
    if (before.version !== patch.version) throw new AppError('conflict', { current: beforeView });
    const kindDetails = detailsOf({ kind: before.kind, ...patch });
    const row = await repo.updateActivity(trx, actor.workspaceId, before.id, patch.version, {
      ...(patch.subject !== undefined ? { subject: patch.subject || null } : {}),
      ...(patch.body !== undefined ? { body: patch.body } : {}),
      ...(patch.occurredAt ? { occurred_at: new Date(patch.occurredAt) } : {}),
      ...(Object.keys(kindDetails).length ? { details: kindDetails } : {}),
      updated_by: actor.userId,
    });
    if (!row) {
      const current = await repo.findActivity(trx, actor.workspaceId, before.id);
      if (!current) throw new AppError('not_found');
      throw new AppError('conflict', { current: present(current, links, attachments) });
    }
    const view = present(row, links, attachments);
    await recordChange(trx, actor, {
      audit: { action: 'activity.updated', entityType: 'activity', entityId: view.id, before: beforeView, after: view },
      event: activityEvent('activity.updated', actor, view, records, { mode: 'replace' }),
    });
    return view;
  });
}

export async function deleteActivity(options: { db: ActivitiesDb; actor: Actor; activityId: string }) {
  const { db, actor } = options;
  const { row, links, records } = await loadVisible(db, actor, options.activityId);
  await db.transaction().execute(async (trx) => {
    await repo.trashActivity(trx, actor.workspaceId, row.id, actor.userId);
    const view = present({ ...row, version: row.version + 1 }, links, []);
    await recordChange(trx, actor, {
      audit: { action: 'activity.deleted', entityType: 'activity', entityId: row.id },
      event: activityEvent('activity.deleted', actor, view, records, { mode: 'remove' }),
    });
  });
}

export async function attachToActivity(options: {
  db: ActivitiesDb;
  config: Pick<Config, 'attachments'>;
  actor: Actor;
  activityId: string;
  filename: string;
  contentType: string;
  content: NodeJS.ReadableStream;
}) {
  const { db, actor } = options;
  const { row, links, records } = await loadVisible(db, actor, options.activityId);
  checkAttachmentName(options.config, options.filename);
  return withSpooled(options.content, (open) =>
    db.transaction().execute(async (trx) => {
      // Lock the activity so concurrent uploads each announce the full list.
      await repo.findActivity(trx, actor.workspaceId, row.id, { forUpdate: true });
      const stored = await storeAttachment(trx, options.config, {
        workspaceId: actor.workspaceId,
        ownerType: 'activity',
        ownerId: row.id,
        filename: options.filename,
        contentType: options.contentType,
        content: open(),
        createdBy: actor.userId,
      });
      const current = (await repo.updateActivity(
        trx,
        actor.workspaceId,
        row.id,
        (await repo.findActivity(trx, actor.workspaceId, row.id))!.version,
        {
          updated_by: actor.userId,
        },
      )) as repo.ActivityRow;
      const view = present(current, links, await attachmentsOf(trx, actor.workspaceId, row.id));
      await recordChange(trx, actor, {
        audit: { action: 'activity.attachment_added', entityType: 'activity', entityId: row.id, after: stored },
        event: activityEvent('activity.updated', actor, view, records, { mode: 'replace' }),
      });
      return stored;
    }),
  );
}
