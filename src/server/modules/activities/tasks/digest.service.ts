import { sql } from 'kysely';
import type { Config } from '../../../platform/config.js';
import type { Db } from '../../../platform/db/database.js';
import { sendWorkspaceMail } from '../mail/outgoing-mail.js';
import { countUnread, listNotifications } from '../notifications/notifications.repository.js';
import { formatDue } from './tasks.mail.js';
import { type Recipient, reminderRecipient } from './tasks.people.js';
import type { TaskRow } from './tasks.repository.js';
import { dayBounds } from './tasks.time.js';

const kindText: Record<string, { ja: string; en: string }> = {
  mention: { ja: 'メンションされました', en: 'You were mentioned' },
  task_assigned: { ja: 'タスクが割り当てられました', en: 'A task was assigned to you' },
  task_reminder: { ja: 'タスクのリマインダー', en: 'Task reminder' },
  email_unmatched: { ja: '差出人不明のメール', en: 'E-mail from an unknown sender' },
};

interface DigestContent {
  overdue: TaskRow[];
  today: TaskRow[];
  unread: number;
  notifications: { kind: string; params: Record<string, unknown>; created_at: Date }[];
}

export function digestMail(c: DigestContent, to: Recipient, localDay: string, publicUrl: string) {
  const ja = to.locale === 'ja';
  const line = (t: TaskRow) => `  - ${t.title}（${formatDue(t.due_at, t.all_day, to.locale, to.time_zone)}）`;
  const lines: string[] = [ja ? `${to.name} さん` : `${to.name},`, ''];
  lines.push(ja ? `${localDay} のダイジェストです。` : `Your digest for ${localDay}.`, '');
  lines.push(ja ? `■ 期限切れのタスク (${c.overdue.length})` : `Overdue tasks (${c.overdue.length})`);
  lines.push(...(c.overdue.length ? c.overdue.map(line) : [ja ? '  なし' : '  none']), '');
  lines.push(ja ? `■ 今日のタスク (${c.today.length})` : `Due today (${c.today.length})`);
  lines.push(...(c.today.length ? c.today.map(line) : [ja ? '  なし' : '  none']), '');
  lines.push(ja ? `■ 未読の通知 (${c.unread})` : `Unread notifications (${c.unread})`);
  for (const n of c.notifications) {
    const text = kindText[n.kind]?.[to.locale] ?? (ja ? 'お知らせ' : 'Notification');
    const title = typeof n.params.title === 'string' ? `: ${n.params.title}` : '';
    lines.push(`  - ${text}${title}`);
  }
  lines.push(
    '',
    `${publicUrl}/tasks`,
    '',
    ja ? 'ダイジェストは「タスク」の設定で停止できます。' : 'Turn the digest off under Tasks > Settings.',
  );
  const subject = ja
    ? `【ダイジェスト】期限切れ ${c.overdue.length} 件・今日 ${c.today.length} 件・未読 ${c.unread} 件`
    : `Digest: ${c.overdue.length} overdue, ${c.today.length} today, ${c.unread} unread`;
  return { subject, text: `${lines.join('\n')}\n` };
}

async function openTasks(db: Db, workspaceId: string, userId: string, from: Date | null, to: Date) {
  let q = db
    .selectFrom('tasks')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('owner_id', '=', userId)
    .where('status', '=', 'open')
    .where('deleted_at', 'is', null)
    .where('due_at', '<', to);
  if (from) q = q.where('due_at', '>=', from);
  return (await q.orderBy('due_at').orderBy('id').limit(50).execute()) as TaskRow[];
}

/**
 * Sends the daily digest to every user whose hour has come in their time zone and who has not had today's.
 * The day is claimed in the same transaction that sends, so two runs send one mail; an SMTP error rolls the
 * claim back and the next run (every minute) tries again. Nothing to report: no mail, the day still counts.
 */
export async function runDigests(db: Db, config: Config, now = new Date()): Promise<number> {
  const { rows: due } = await sql<{ workspace_id: string; user_id: string; local_day: string }>`
    SELECT p.workspace_id, p.user_id, to_char((${now}::timestamptz AT TIME ZONE coalesce(p.time_zone, w.time_zone)), 'YYYY-MM-DD') AS local_day
    FROM notification_preferences p JOIN workspaces w ON w.id = p.workspace_id
    WHERE p.digest_enabled
      AND extract(hour FROM ${now}::timestamptz AT TIME ZONE coalesce(p.time_zone, w.time_zone)) >= p.digest_hour
      AND (p.last_digest_on IS NULL OR p.last_digest_on < (${now}::timestamptz AT TIME ZONE coalesce(p.time_zone, w.time_zone))::date)
    LIMIT 500`.execute(db);
  let sent = 0;
  for (const d of due) {
    const ok = await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('notification_preferences')
        .set({ last_digest_on: d.local_day })
        .where('workspace_id', '=', d.workspace_id)
        .where('user_id', '=', d.user_id)
        .where((eb) => eb.or([eb('last_digest_on', 'is', null), eb('last_digest_on', '<', d.local_day)]))
        .returning('user_id')
        .executeTakeFirst();
      if (!claimed) return false;
      const to = await reminderRecipient(trx, d.workspace_id, d.user_id);
      if (to?.status !== 'active') return false;
      const bounds = dayBounds(now, to.time_zone);
      const content: DigestContent = {
        overdue: await openTasks(db, d.workspace_id, d.user_id, null, bounds.start),
        today: await openTasks(db, d.workspace_id, d.user_id, bounds.start, bounds.end),
        unread: await countUnread(trx, d.workspace_id, d.user_id),
        notifications: (
          await listNotifications(trx, { workspaceId: d.workspace_id, userId: d.user_id, unread: true, cursor: null, limit: 10 })
        ).slice(0, 10) as DigestContent['notifications'],
      };
      if (!content.overdue.length && !content.today.length && !content.unread) return false;
      const mail = digestMail(content, to, bounds.today, config.publicUrl);
      return (await sendWorkspaceMail(trx, config, d.workspace_id, { to: to.email, ...mail })) !== null;
    });
    if (ok) sent++;
  }
  return sent;
}
