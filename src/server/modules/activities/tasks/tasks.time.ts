import rrulePkg from 'rrule';
import { zonedInstant, zoneOffsetMs } from '../../../../shared/zoned-time.js';

export { addDays, dayBounds, localDate, localHour, zonedInstant, zoneOffsetMs } from '../../../../shared/zoned-time.js';

const { RRule } = rrulePkg;

const allowedFreq = new Set([RRule.DAILY, RRule.WEEKLY, RRule.MONTHLY, RRule.YEARLY]);

/**
 * A recurrence rule as we store it (`FREQ=...;...`), or null when it is not one we accept: RFC 5545 RRULE
 * syntax, daily or coarser, interval 1-366, no DTSTART of its own (the task's due time starts the series).
 */
export function normalizeRrule(input: string): string | null {
  const text = input.trim().replace(/^RRULE:/i, '');
  if (!text || /[\r\n]/.test(text) || /DTSTART|TZID/i.test(text)) return null;
  try {
    const options = RRule.parseString(text);
    if (options.freq === undefined || !allowedFreq.has(options.freq)) return null;
    if (options.interval !== undefined && (options.interval < 1 || options.interval > 366)) return null;
    if (options.count !== undefined && (options.count === null || options.count < 1 || options.count > 10_000)) return null;
    const rule = new RRule({ ...options, dtstart: new Date(Date.UTC(2026, 0, 5, 9)) });
    // A rule that never produces a date (e.g. BYMONTHDAY=31;BYMONTH=2) is refused rather than stored.
    if (!rule.after(new Date(Date.UTC(2026, 0, 5, 9)), true)) return null;
    return RRule.optionsToString(options).replace(/^RRULE:/, '');
  } catch {
    return null;
  }
}

/**
 * The next due time of a series after `current`, computed on the wall clock of the time zone so that
 * "every Monday 08:00" stays Monday 08:00 there whatever the UTC date. Null when the series has ended.
 */
export function nextOccurrence(rrule: string, seriesStart: Date, current: Date, timeZone: string): Date | null {
  // rrule works on "floating" UTC dates: shift instants to wall-clock-as-UTC and back.
  const toWall = (d: Date) => new Date(d.getTime() + zoneOffsetMs(d, timeZone));
  const options = RRule.parseString(rrule);
  const rule = new RRule({ ...options, dtstart: toWall(seriesStart) });
  const next = rule.after(toWall(current), false);
  if (!next) return null;
  const iso = next.toISOString();
  return zonedInstant(iso.slice(0, 10), iso.slice(11, 16), timeZone);
}
