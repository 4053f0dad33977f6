import type { Recipient } from './tasks.people.js';
import type { TaskRow } from './tasks.repository.js';

/** "2026年11月24日(火) 09:00" / "Tue, Nov 24, 2026, 09:00" in the recipient's zone; the date alone for all-day tasks. */
export function formatDue(due: Date | null, allDay: boolean, locale: 'ja' | 'en', timeZone: string): string {
  if (!due) return locale === 'ja' ? '期日なし' : 'no due date';
  return new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-US', {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    ...(allDay ? {} : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const }),
  }).format(due);
}

export function reminderMail(task: TaskRow, to: Recipient, publicUrl: string): { subject: string; text: string } {
  const due = formatDue(task.due_at, task.all_day, to.locale, to.time_zone);
  const url = `${publicUrl}/tasks?task=${task.id}`;
  if (to.locale === 'en') {
    return {
      subject: `Reminder: ${task.title}`,
      text: `${to.name},\n\nA reminder for your task:\n\n  ${task.title}\n  Due: ${due}\n\nOpen it: ${url}\n\nYou can turn reminder e-mails off under Tasks > Settings.\n`,
    };
  }
  return {
    subject: `リマインダー: ${task.title}`,
    text: `${to.name} さん\n\nタスクのリマインダーです。\n\n  ${task.title}\n  期日: ${due}\n\n開く: ${url}\n\nリマインダーメールは「タスク」の設定で停止できます。\n`,
  };
}
