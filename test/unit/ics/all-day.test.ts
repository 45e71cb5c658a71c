import { describe, expect, it } from 'vitest';
import { calendar, map, only, vevent } from './helpers.ts';

const timesOf = (...lines: string[]) => {
  const event = only(map(calendar(...vevent('UID:a', ...lines))));
  return { start: event.start, end: event.end };
};

describe('all-day and duration rules', () => {
  it('writes dates with an exclusive end', () => {
    expect(timesOf('DTSTART;VALUE=DATE:20240105', 'DTEND;VALUE=DATE:20240107')).toEqual({
      start: { date: '2024-01-05' },
      end: { date: '2024-01-07' },
    });
  });

  it('gives a lone DATE DTSTART one day', () => {
    expect(timesOf('DTSTART;VALUE=DATE:20240105').end).toEqual({ date: '2024-01-06' });
  });

  it('gives one day when DTEND equals DTSTART', () => {
    expect(timesOf('DTSTART;VALUE=DATE:20240105', 'DTEND;VALUE=DATE:20240105').end).toEqual({
      date: '2024-01-06',
    });
  });

  it('reads a date without VALUE=DATE as a date, and a DATE carrying a TZID as all-day', () => {
    expect(timesOf('DTSTART:20240105').start).toEqual({ date: '2024-01-05' });
    expect(timesOf('DTSTART;TZID=Europe/Berlin:20240105').start).toEqual({ date: '2024-01-05' });
  });

  it('honours DURATION on all-day events', () => {
    expect(timesOf('DTSTART;VALUE=DATE:20240105', 'DURATION:P3D').end).toEqual({ date: '2024-01-08' });
    expect(timesOf('DTSTART;VALUE=DATE:20240105', 'DURATION:P1W').end).toEqual({ date: '2024-01-12' });
  });

  it('honours DURATION on timed events: days keep the wall time across DST, hours are exact', () => {
    expect(timesOf('DTSTART;TZID=Europe/Berlin:20240330T100000', 'DURATION:P1D').end).toEqual({
      dateTime: '2024-03-31T10:00:00+02:00',
      timeZone: 'Europe/Berlin',
    });
    expect(timesOf('DTSTART;TZID=Europe/Berlin:20240330T100000', 'DURATION:PT24H').end).toEqual({
      dateTime: '2024-03-31T11:00:00+02:00',
      timeZone: 'Europe/Berlin',
    });
  });

  it('gives a timed event without DTEND or DURATION one minute (a point in time; see zero-length.test.ts)', () => {
    const { start, end } = timesOf('DTSTART:20240105T100000Z');
    expect(start).toEqual({ dateTime: '2024-01-05T10:00:00Z', timeZone: 'UTC' });
    expect(end).toEqual({ dateTime: '2024-01-05T10:01:00Z', timeZone: 'UTC' });
  });

  it('keeps the start and gives one minute, with a warning, when DTEND is before DTSTART', () => {
    const feed = map(calendar(...vevent('UID:a', 'DTSTART:20240105T100000Z', 'DTEND:20240105T090000Z')));
    expect(only(feed).start).toEqual({ dateTime: '2024-01-05T10:00:00Z', timeZone: 'UTC' });
    expect(only(feed).end).toEqual({ dateTime: '2024-01-05T10:01:00Z', timeZone: 'UTC' });
    expect(feed.warnings).toEqual([
      {
        uid: 'a',
        reason: 'DTEND before DTSTART: the event is shown as a point in time (1 minute) at its start',
      },
    ]);
  });
});
