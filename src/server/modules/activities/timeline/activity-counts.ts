import { sql } from 'kysely';
import { z } from 'zod';
import { addDays, localDate, zonedInstant } from '../../../../shared/zoned-time.js';
import type { Actor } from '../../../platform/actor.js';
import type { App, ModuleDeps } from '../../../platform/http/app.js';
import { type ActivitiesDb, activitiesDb } from '../activities.db.js';
import { visibleAuthors } from '../activities.policy.js';
import { workspaceTimeZone } from '../tasks/tasks.people.js';

const counts = z.object({ total: z.number(), call: z.number(), meeting: z.number() });
export const activityCountsSchema = z.object({
  weekStart: z.string(),
  monthStart: z.string(),
  data: z.array(z.object({ userId: z.string(), week: counts, month: counts })),
});
type Counts = z.infer<typeof counts>;

/**
 * Activities per author this week (from Monday) and this month, in the workspace's time zone: counts only,
 * no content. The caller sees the authors their visibility allows (own: themselves; team: their teammates).
 */
export async function countActivitiesByAuthor(db: ActivitiesDb, actor: Actor, now = new Date()) {
  const tz = await workspaceTimeZone(db, actor.workspaceId);
  const today = localDate(now, tz);
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
  const weekDay = addDays(today, -weekday);
  const monthDay = `${today.slice(0, 7)}-01`;
  const weekStart = zonedInstant(weekDay, '00:00', tz);
  const monthStart = zonedInstant(monthDay, '00:00', tz);
  const since = new Date(Math.min(weekStart.getTime(), monthStart.getTime()));
  const ids = visibleAuthors(actor);
  const authors = ids ? sql`AND created_by = ANY(${ids}::uuid[])` : sql``;
  const { rows } = await sql<{ author_id: string; kind: string; week: string; month: string }>`
    SELECT created_by AS author_id, kind,
           count(*) FILTER (WHERE occurred_at >= ${weekStart}) AS week,
           count(*) FILTER (WHERE occurred_at >= ${monthStart}) AS month
    FROM activities
    WHERE workspace_id = ${actor.workspaceId} AND deleted_at IS NULL AND created_by IS NOT NULL
      AND occurred_at >= ${since} AND occurred_at <= ${now} ${authors}
    GROUP BY created_by, kind`.execute(db);
  const byUser = new Map<string, { week: Counts; month: Counts }>();
  for (const r of rows) {
    const u = byUser.get(r.author_id) ?? { week: { total: 0, call: 0, meeting: 0 }, month: { total: 0, call: 0, meeting: 0 } };
    for (const w of ['week', 'month'] as const) {
      const n = Number(r[w]);
      u[w].total += n;
      if (r.kind === 'call' || r.kind === 'meeting') u[w][r.kind] += n;
    }
    byUser.set(r.author_id, u);
  }
  return {
    weekStart: weekDay,
    monthStart: monthDay,
    data: [...byUser].map(([userId, c]) => ({ userId, ...c })).sort((a, b) => b.month.total - a.month.total),
  };
}

export async function activityCountsRoutes(app: App, { database }: ModuleDeps) {
  const db = activitiesDb(database.db);
  app.get(
    '/api/v1/activity-counts',
    {
      config: { access: 'records.read' },
      schema: {
        tags: ['activities'],
        description: 'Activities per user this week (Monday first) and this month (the sales dashboard).',
        response: { 200: activityCountsSchema },
      },
    },
    async (req) => countActivitiesByAuthor(db, req.actor as Actor),
  );
}
