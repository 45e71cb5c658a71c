import { describe, expect, it } from 'vitest';
import { expandEvents } from '../../../lambdas/shared/domain/expansion/index.ts';
import { calendar, map, only, vevent } from './helpers.ts';

const recurrenceOf = (...lines: string[]) => only(map(calendar(...vevent('UID:r', ...lines)))).recurrence;

describe('recurrence lines', () => {
  it('passes RRULEs through, several if the feed has several, normalised', () => {
    expect(
      recurrenceOf(
        'DTSTART;TZID=Europe/Berlin:20240105T100000',
        'RRULE:freq=weekly;byday=FR;;count=5',
        'RRULE:FREQ=MONTHLY;BYMONTHDAY=1;COUNT=3',
      ),
    ).toEqual(['RRULE:FREQ=WEEKLY;COUNT=5;BYDAY=FR', 'RRULE:FREQ=MONTHLY;COUNT=3;BYMONTHDAY=1']);
  });

  it('writes UNTIL in UTC for zoned starts (a local UNTIL read in the start zone)', () => {
    expect(
      recurrenceOf('DTSTART;TZID=Europe/Berlin:20240105T100000', 'RRULE:FREQ=DAILY;UNTIL=20240110T100000'),
    ).toEqual(['RRULE:FREQ=DAILY;UNTIL=20240110T090000Z']);
  });

  it('reads a DATE UNTIL on a timed series as the end of that day', () => {
    expect(
      recurrenceOf('DTSTART;TZID=America/Boise:20211018T130000', 'RRULE:FREQ=DAILY;UNTIL=20211020'),
    ).toEqual(['RRULE:FREQ=DAILY;UNTIL=20211021T055959Z']);
  });

  it('writes a DATE UNTIL for all-day series; an Exchange UTC midnight names the day it starts', () => {
    expect(recurrenceOf('DTSTART;VALUE=DATE:20210210', 'RRULE:FREQ=WEEKLY;UNTIL=20210701T220000Z')).toEqual([
      'RRULE:FREQ=WEEKLY;UNTIL=20210702',
    ]);
    expect(recurrenceOf('DTSTART;VALUE=DATE:20210210', 'RRULE:FREQ=WEEKLY;UNTIL=20210701T235959Z')).toEqual([
      'RRULE:FREQ=WEEKLY;UNTIL=20210701',
    ]);
  });

  it('drops COUNT when UNTIL is also given, and an RRULE without FREQ, with warnings', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:r',
          'DTSTART:20240105T100000Z',
          'RRULE:FREQ=DAILY;COUNT=3;UNTIL=20240110T000000Z',
          'RRULE:COUNT=2',
        ),
      ),
    );
    expect(only(feed).recurrence).toEqual(['RRULE:FREQ=DAILY;UNTIL=20240110T000000Z']);
    expect(feed.warnings.map((w) => w.reason)).toEqual([
      'RRULE with both UNTIL and COUNT: COUNT ignored',
      'recurrence rule without a valid FREQ ignored: COUNT=2',
    ]);
  });

  it('drops rule parts Google would refuse, with warnings', () => {
    const feed = map(
      calendar(...vevent('UID:r', 'DTSTART:20240105T100000Z', 'RRULE:FREQ=DAILY;X-EXT=1;INTERVAL=0;COUNT=3')),
    );
    expect(only(feed).recurrence).toEqual(['RRULE:FREQ=DAILY;COUNT=3']);
    expect(feed.warnings.map((w) => w.reason)).toEqual([
      'recurrence rule part X-EXT=1 ignored',
      'recurrence rule part INTERVAL=0 ignored',
    ]);
  });

  it('writes EXDATE and RDATE with the value type and zone of DTSTART', () => {
    expect(
      recurrenceOf(
        'DTSTART;TZID=Europe/Berlin:20240105T100000',
        'RRULE:FREQ=DAILY;COUNT=10',
        'EXDATE:20240107T090000Z',
        'EXDATE;VALUE=DATE:20240108',
        'EXDATE;TZID=America/New_York:20240109T040000',
        'RDATE;TZID=Europe/Berlin:20240120T100000,20240121T100000',
      ),
    ).toEqual([
      'RRULE:FREQ=DAILY;COUNT=10',
      'RDATE;TZID=Europe/Berlin:20240120T100000,20240121T100000',
      'EXDATE;TZID=Europe/Berlin:20240107T100000,20240108T100000,20240109T100000',
    ]);
    expect(
      recurrenceOf('DTSTART;VALUE=DATE:20240105', 'RRULE:FREQ=DAILY;COUNT=5', 'EXDATE:20240106T000000Z'),
    ).toEqual(['RRULE:FREQ=DAILY;COUNT=5', 'EXDATE;VALUE=DATE:20240106']);
    expect(
      recurrenceOf('DTSTART:20240105T100000Z', 'RRULE:FREQ=DAILY;COUNT=5', 'EXDATE:20240106T100000Z'),
    ).toEqual(['RRULE:FREQ=DAILY;COUNT=5', 'EXDATE:20240106T100000Z']);
  });

  it('turns RDATE;VALUE=PERIOD into an instance, with an exception where its length differs', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:p',
          'DTSTART:20240105T100000Z',
          'DTEND:20240105T110000Z',
          'RDATE;VALUE=PERIOD:20240110T100000Z/PT1H,20240112T140000Z/20240112T170000Z',
        ),
      ),
    );
    const [series, exception] = feed.events;
    expect(series?.recurrence).toEqual(['RDATE:20240110T100000Z,20240112T140000Z']);
    expect(exception).toMatchObject({
      recurringEventId: series?.id,
      originalStartTime: { dateTime: '2024-01-12T14:00:00Z', timeZone: 'UTC' },
      start: { dateTime: '2024-01-12T14:00:00Z', timeZone: 'UTC' },
      end: { dateTime: '2024-01-12T17:00:00Z', timeZone: 'UTC' },
    });
    const occurrences = expandEvents(feed.events, {
      timeMin: new Date('2024-01-01T00:00:00Z'),
      timeMax: new Date('2024-02-01T00:00:00Z'),
    });
    expect(
      occurrences.map((o) => [o.start, o.end].map((t) => ('dateTime' in t ? t.dateTime : t.date))),
    ).toEqual([
      ['2024-01-05T10:00:00Z', '2024-01-05T11:00:00Z'],
      ['2024-01-10T10:00:00Z', '2024-01-10T11:00:00Z'],
      ['2024-01-12T14:00:00Z', '2024-01-12T17:00:00Z'],
    ]);
  });

  it('keeps a weekly zoned series at the same wall time across DST (Google expands in the zone)', () => {
    const feed = map(
      calendar(...vevent('UID:w', 'DTSTART;TZID=Europe/Berlin:20240328T100000', 'RRULE:FREQ=WEEKLY;COUNT=2')),
    );
    const occurrences = expandEvents(feed.events, {
      timeMin: new Date('2024-03-01T00:00:00Z'),
      timeMax: new Date('2024-04-30T00:00:00Z'),
    });
    expect(occurrences.map((o) => ('dateTime' in o.start ? o.start.dateTime : ''))).toEqual([
      '2024-03-28T10:00:00+01:00',
      '2024-04-04T10:00:00+02:00',
    ]);
  });
});
