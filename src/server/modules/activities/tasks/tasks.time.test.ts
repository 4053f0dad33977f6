import { describe, expect, it } from 'vitest';
import { dayBounds, localDate, nextOccurrence, normalizeRrule, zonedInstant } from './tasks.time.js';

describe('time zone helpers', () => {
  it('puts 23:30 UTC on the next calendar day in Tokyo', () => {
    expect(localDate(new Date('2026-11-23T15:30:00Z'), 'Asia/Tokyo')).toBe('2026-11-24');
    expect(localDate(new Date('2026-11-23T14:59:00Z'), 'Asia/Tokyo')).toBe('2026-11-23');
  });

  it('finds the start and end of a Tokyo day', () => {
    const b = dayBounds(new Date('2026-11-23T20:00:00Z'), 'Asia/Tokyo');
    expect(b.today).toBe('2026-11-24');
    expect(b.start.toISOString()).toBe('2026-11-23T15:00:00.000Z');
    expect(b.end.toISOString()).toBe('2026-11-24T15:00:00.000Z');
  });

  it('turns a wall-clock time into the instant, across a DST change too', () => {
    expect(zonedInstant('2026-11-24', '09:00', 'Asia/Tokyo').toISOString()).toBe('2026-11-24T00:00:00.000Z');
    expect(zonedInstant('2026-03-30', '09:00', 'Europe/Berlin').toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(zonedInstant('2026-03-27', '09:00', 'Europe/Berlin').toISOString()).toBe('2026-03-27T08:00:00.000Z');
  });
});

describe('recurrence rules', () => {
  it.each([
    ['FREQ=WEEKLY;BYDAY=MO', 'FREQ=WEEKLY;BYDAY=MO'],
    ['RRULE:FREQ=DAILY;INTERVAL=2', 'FREQ=DAILY;INTERVAL=2'],
    ['freq=monthly;bymonthday=25', 'FREQ=MONTHLY;BYMONTHDAY=25'],
    ['FREQ=HOURLY', null],
    ['FREQ=DAILY;INTERVAL=0', null],
    ['FREQ=FOO', null],
    ['garbage', null],
    ['', null],
    ['DTSTART:20200101T000000Z\nRRULE:FREQ=DAILY', null],
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31', null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeRrule(input)).toBe(expected);
  });

  it('keeps "every Monday 08:00" on Monday in Tokyo although that is Sunday in UTC', () => {
    const start = new Date('2026-11-22T23:00:00Z'); // Monday 2026-11-23 08:00 JST
    const next = nextOccurrence('FREQ=WEEKLY;BYDAY=MO', start, start, 'Asia/Tokyo');
    expect(next?.toISOString()).toBe('2026-11-29T23:00:00.000Z'); // Monday 2026-11-30 08:00 JST
  });

  it('ends a series after COUNT occurrences', () => {
    const start = new Date('2026-11-23T00:00:00Z');
    const second = nextOccurrence('FREQ=DAILY;COUNT=2', start, start, 'Asia/Tokyo');
    expect(second?.toISOString()).toBe('2026-11-24T00:00:00.000Z');
    expect(nextOccurrence('FREQ=DAILY;COUNT=2', start, second as Date, 'Asia/Tokyo')).toBeNull();
  });
});
