import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import ical from 'ical-generator';
import { sql } from 'kysely';
import type { Preferences, PreferencesPatch } from '../../../../shared/contracts/tasks.js';
import type { Actor } from '../../../platform/actor.js';
import { recordChange } from '../../../platform/events/outbox.js';
import { AppError } from '../../../platform/http/errors.js';
import { userSummaries } from '../../accounts/index.js';
import type { ActivitiesDb } from '../activities.db.js';
import * as preferences from './preferences.repository.js';
import { workspaceTimeZone } from './tasks.people.js';
import * as repo from './tasks.repository.js';
import { localDate } from './tasks.time.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
/** Feed window: tasks due from 90 days ago on, at most this many. */
const FEED_PAST_DAYS = 90;
const FEED_LIMIT = 2000;

function presentPreferences(row: preferences.PreferencesRow | undefined, workspaceTimeZone: string): Preferences {
  return {
    timeZone: row?.time_zone ?? null,
    effectiveTimeZone: row?.time_zone ?? workspaceTimeZone,
    digestEnabled: row?.digest_enabled ?? false,
    digestHour: row?.digest_hour ?? 8,
    reminderEmail: row?.reminder_email ?? true,
    calendarFeed: Boolean(row?.calendar_token_hash),
    calendarTokenCreatedAt: row?.calendar_token_created_at ? new Date(row.calendar_token_created_at).toISOString() : null,
    // 0: nothing saved yet (the defaults above); the first save sends version 0.
    version: row?.version ?? 0,
  };
}

function me(actor: Actor): string {
  if (!actor.userId) throw new AppError('forbidden');
  return actor.userId;
}

export async function getPreferences(options: { db: ActivitiesDb; actor: Actor }): Promise<Preferences> {
  const { db, actor } = options;
  const row = await preferences.findPreferences(db, actor.workspaceId, me(actor));
  return presentPreferences(row, await workspaceTimeZone(db, actor.workspaceId));
}

export async function updatePreferences(options: { db: ActivitiesDb; actor: Actor; patch: PreferencesPatch }): Promise<Preferences> {
  const { actor, patch } = options;
  const userId = me(actor);
  return options.db.transaction().execute(async (trx) => {
    // Two first saves would both see version 0: one waits for the other (there is no row to lock yet).
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`notification_preferences:${actor.workspaceId}:${userId}`}, 0))`.execute(trx);
    const before = await getPreferences({ db: trx, actor });
    if (before.version !== patch.version) throw new AppError('conflict', { current: before });
    const set: preferences.PreferencesSet = {};
    if (patch.timeZone !== undefined) set.time_zone = patch.timeZone;
    if (patch.digestEnabled !== undefined) set.digest_enabled = patch.digestEnabled;
    if (patch.digestHour !== undefined) set.digest_hour = patch.digestHour;
    if (patch.reminderEmail !== undefined) set.reminder_email = patch.reminderEmail;
    const row = await preferences.upsertPreferences(trx, actor.workspaceId, userId, set);
    const after = presentPreferences(row, await workspaceTimeZone(options.db, actor.workspaceId));
    await recordChange(trx, actor, {
      audit: { action: 'notification_preferences.updated', entityType: 'user', entityId: userId, before, after },
    });
    return after;
  });
}

/** A new secret feed URL (the old one stops working). Only its hash is stored; the URL is shown once. */
export async function regenerateCalendarToken(options: { db: ActivitiesDb; actor: Actor; publicUrl: string }) {
  const { actor } = options;
  const userId = me(actor);
  const token = randomBytes(32).toString('base64url');
  return options.db.transaction().execute(async (trx) => {
    const createdAt = new Date();
    await preferences.upsertPreferences(trx, actor.workspaceId, userId, {
      calendar_token_hash: hashToken(token),
      calendar_token_created_at: createdAt,
    });
    await recordChange(trx, actor, { audit: { action: 'calendar_feed.regenerated', entityType: 'user', entityId: userId } });
    return { url: `${options.publicUrl}/api/v1/calendar/${token}.ics`, createdAt: createdAt.toISOString() };
  });
}

export async function revokeCalendarToken(options: { db: ActivitiesDb; actor: Actor }) {
  const { actor } = options;
  const userId = me(actor);
  await options.db.transaction().execute(async (trx) => {
    await preferences.upsertPreferences(trx, actor.workspaceId, userId, { calendar_token_hash: null, calendar_token_created_at: null });
    await recordChange(trx, actor, { audit: { action: 'calendar_feed.revoked', entityType: 'user', entityId: userId } });
  });
}

/**
 * The iCalendar feed of a user's tasks. Timed tasks are events at their due time (UTC, so every calendar app
 * shows them right in its own zone); all-day tasks are whole-day events on their date in the user's zone.
 */
export async function calendarFeed(options: { db: ActivitiesDb; token: string; publicUrl: string; now?: Date }): Promise<string> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(options.token)) throw new AppError('not_found');
  const hash = hashToken(options.token);
  const owner = await preferences.findByCalendarToken(options.db, hash);
  // The index finds the row by hash; compare again in constant time so the lookup leaks nothing either way.
  if (
    !owner?.calendar_token_hash ||
    !timingSafeEqual(Buffer.from(owner.calendar_token_hash), Buffer.from(hash)) ||
    (await userSummaries(options.db, owner.workspace_id, [owner.user_id])).get(owner.user_id)?.status !== 'active'
  )
    throw new AppError('not_found');
  const timeZone = owner.time_zone ?? (await workspaceTimeZone(options.db, owner.workspace_id));
  const now = options.now ?? new Date();
  const tasks = await repo.tasksForFeed(
    options.db,
    owner.workspace_id,
    owner.user_id,
    new Date(now.getTime() - FEED_PAST_DAYS * 86_400_000),
    FEED_LIMIT,
  );
  const cal = ical({ name: 'CRM タスク / Tasks', prodId: { company: 'crm', product: 'tasks', language: 'JA' }, ttl: 15 * 60 });
  for (const t of tasks) {
    if (!t.due_at) continue;
    const url = `${options.publicUrl}/tasks?task=${t.id}`;
    const base = {
      id: `${t.id}@crm`,
      summary: t.status === 'done' ? `✓ ${t.title}` : t.title,
      description: [t.description, url].filter(Boolean).join('\n\n'),
      url,
      stamp: t.updated_at,
      lastModified: t.updated_at,
    };
    if (t.all_day) {
      // ical-generator writes an all-day date from the UTC date: give it UTC midnight of the local day.
      cal.createEvent({ ...base, start: new Date(`${localDate(t.due_at, timeZone)}T00:00:00Z`), allDay: true });
    } else {
      cal.createEvent({ ...base, start: t.due_at, end: new Date(t.due_at.getTime() + 30 * 60_000) });
    }
  }
  return cal.toString();
}
