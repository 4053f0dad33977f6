import type { Config } from '../../../platform/config.js';
import { workspaceSettings } from '../../accounts/index.js';
import type { ActivitiesDb } from '../activities.db.js';
import { sendWorkspaceMail } from '../mail/outgoing-mail.js';
import { countUnread, listNotifications } from '../notifications/notifications.repository.js';
import { claimDigestDay, dueDigests, openTasksDue, workspacesDueByTheirZone } from './digest.repository.js';
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
  notifications: { kind: string; params: Record<string, unknown> }[];
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

/**
 * Sends the daily digest to every user whose hour has come in their time zone and who has not had today's.
 * The day is claimed in the same transaction that sends, so two runs send one mail; an SMTP error rolls the
 * claim back and the next run (every minute) tries again. Nothing to report: no mail, the day still counts.
 * The zone of a user who set none is their workspace's (accounts' settings, read once per workspace per run).
 */
export async function runDigests(db: ActivitiesDb, config: Config, now = new Date()): Promise<number> {
  const zones = new Map<string, string>();
  for (const workspaceId of await workspacesDueByTheirZone(db, now)) {
    zones.set(workspaceId, (await workspaceSettings(db, workspaceId)).timeZone);
  }
  const due = await dueDigests(db, now, zones, 500);
  let sent = 0;
  for (const d of due) {
    const ok = await db.transaction().execute(async (trx) => {
      if (!(await claimDigestDay(trx, d.workspace_id, d.user_id, d.local_day))) return false;
      const to = await reminderRecipient(trx, d.workspace_id, d.user_id);
      if (to?.status !== 'active') return false;
      const bounds = dayBounds(now, to.time_zone);
      const content: DigestContent = {
        overdue: await openTasksDue(db, d.workspace_id, d.user_id, null, bounds.start),
        today: await openTasksDue(db, d.workspace_id, d.user_id, bounds.start, bounds.end),
        unread: await countUnread(trx, d.workspace_id, d.user_id),
        notifications: (
          await listNotifications(trx, { workspaceId: d.workspace_id, userId: d.user_id, unread: true, cursor: null, limit: 10 })
        ).slice(0, 10),
      };
      if (!content.overdue.length && !content.today.length && !content.unread) return false;
      const mail = digestMail(content, to, bounds.today, config.publicUrl);
      return (await sendWorkspaceMail(trx, config, d.workspace_id, { to: to.email, ...mail })) !== null;
    });
    if (ok) sent++;
  }
  return sent;
}
