import { describe, expect, it } from 'vitest';
import { expandEvents } from '../../../lambdas/shared/domain/expansion/index.ts';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import { calendar, map, only, vevent } from './helpers.ts';

const startsOf = (events: GoogleEvent[]) =>
  expandEvents(events, {
    timeMin: new Date('2023-12-01T00:00:00Z'),
    timeMax: new Date('2024-03-01T00:00:00Z'),
  }).map((o) => `${'dateTime' in o.start ? o.start.dateTime : o.start.date} ${o.event.summary}`);

const newYork = (...lines: string[]) =>
  vevent(
    'UID:ny',
    'DTSTART;TZID=America/New_York:20240101T090000',
    'DTEND;TZID=America/New_York:20240101T100000',
    'RRULE:FREQ=DAILY;COUNT=4',
    'SUMMARY:Daily',
    ...lines,
  );

describe('floating EXDATE and RDATE values', () => {
  it('are read in the zone of a zoned DTSTART, not in the default zone', () => {
    const feed = map(calendar(...newYork('EXDATE:20240102T090000', 'RDATE:20240110T090000')), {
      defaultTimeZone: 'Europe/Berlin',
    });
    expect(only(feed).recurrence).toEqual([
      'RRULE:FREQ=DAILY;COUNT=4',
      'RDATE;TZID=America/New_York:20240110T090000',
      'EXDATE;TZID=America/New_York:20240102T090000',
    ]);
    expect(startsOf(feed.events)).toEqual([
      '2024-01-01T09:00:00-05:00 Daily',
      '2024-01-03T09:00:00-05:00 Daily',
      '2024-01-04T09:00:00-05:00 Daily',
      '2024-01-10T09:00:00-05:00 Daily',
    ]);
    expect(feed.warnings).toEqual([]);
  });

  it('are read in the zone of a DTSTART whose TZID is a VTIMEZONE or a Windows name', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:w',
          'DTSTART;TZID=Eastern Standard Time:20240101T090000',
          'DTEND;TZID=Eastern Standard Time:20240101T100000',
          'RRULE:FREQ=DAILY;COUNT=3',
          'EXDATE:20240102T090000',
          'SUMMARY:Daily',
        ),
      ),
    );
    expect(startsOf(feed.events)).toEqual([
      '2024-01-01T09:00:00-05:00 Daily',
      '2024-01-03T09:00:00-05:00 Daily',
    ]);
  });

  it('leave UTC values and values with their own TZID as they are', () => {
    const feed = map(
      calendar(...newYork('EXDATE:20240102T140000Z', 'EXDATE;TZID=Europe/Berlin:20240103T150000')),
    );
    expect(startsOf(feed.events)).toEqual([
      '2024-01-01T09:00:00-05:00 Daily',
      '2024-01-04T09:00:00-05:00 Daily',
    ]);
  });

  it('stay in the default zone (or X-WR-TIMEZONE) when DTSTART is floating too', () => {
    const feed = map(
      calendar(
        'X-WR-TIMEZONE:Europe/Berlin',
        ...vevent(
          'UID:f',
          'DTSTART:20240101T090000',
          'DTEND:20240101T100000',
          'RRULE:FREQ=DAILY;COUNT=3',
          'EXDATE:20240102T090000',
          'SUMMARY:Floating',
        ),
      ),
    );
    expect(only(feed).recurrence).toEqual([
      'RRULE:FREQ=DAILY;COUNT=3',
      'EXDATE;TZID=Europe/Berlin:20240102T090000',
    ]);
    expect(startsOf(feed.events)).toHaveLength(2);
  });

  it('are read in the zone of DTSTART when a RANGE=THISANDFUTURE override moves them', () => {
    const feed = map(
      calendar(
        ...newYork('EXDATE:20240104T090000'),
        ...vevent(
          'UID:ny',
          'RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/New_York:20240103T090000',
          'DTSTART;TZID=America/New_York:20240103T110000',
          'DTEND;TZID=America/New_York:20240103T120000',
          'SUMMARY:Later',
        ),
      ),
    );
    expect(startsOf(feed.events)).toEqual([
      '2024-01-01T09:00:00-05:00 Daily',
      '2024-01-02T09:00:00-05:00 Daily',
      '2024-01-03T11:00:00-05:00 Later',
    ]);
  });
});

describe('an override of an occurrence the series excludes with EXDATE', () => {
  const override = (sequence: number) =>
    vevent(
      'UID:ny',
      'RECURRENCE-ID;TZID=America/New_York:20240102T090000',
      'DTSTART;TZID=America/New_York:20240102T150000',
      'DTEND;TZID=America/New_York:20240102T160000',
      `SEQUENCE:${sequence}`,
      'SUMMARY:Edited',
    );

  it('is left out when the series is newer (edited, then deleted): no exception, no standalone event', () => {
    const feed = map(
      calendar(...newYork('SEQUENCE:3', 'EXDATE;TZID=America/New_York:20240102T090000'), ...override(2)),
    );
    expect(feed.events).toHaveLength(1);
    expect(startsOf(feed.events)).toEqual([
      '2024-01-01T09:00:00-05:00 Daily',
      '2024-01-03T09:00:00-05:00 Daily',
      '2024-01-04T09:00:00-05:00 Daily',
    ]);
    expect(feed.warnings).toEqual([
      {
        uid: 'ny',
        reason:
          'override 20240102T140000Z left out: the series deletes that occurrence (EXDATE, higher SEQUENCE)',
      },
    ]);
  });

  it('is left out also when the EXDATE is a floating value or a UTC value naming the same instant', () => {
    for (const exdate of ['EXDATE:20240102T090000', 'EXDATE:20240102T140000Z']) {
      const feed = map(calendar(...newYork('SEQUENCE:1', exdate), ...override(0)));
      expect(feed.events).toHaveLength(1);
      expect(startsOf(feed.events)).toHaveLength(3);
    }
  });

  it('is left out on an all-day series too', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:d',
          'DTSTART;VALUE=DATE:20240101',
          'RRULE:FREQ=DAILY;COUNT=3',
          'EXDATE;VALUE=DATE:20240102',
          'SEQUENCE:2',
          'SUMMARY:Day',
        ),
        ...vevent(
          'UID:d',
          'RECURRENCE-ID;VALUE=DATE:20240102',
          'DTSTART;VALUE=DATE:20240102',
          'SUMMARY:Edited',
        ),
      ),
    );
    expect(startsOf(feed.events)).toEqual(['2024-01-01 Day', '2024-01-03 Day']);
  });

  it('is kept (standalone, as before) when it is as new as the series or newer: EXDATE + override at one time', () => {
    // Apple iCal writes an edited occurrence this way, with equal SEQUENCEs (corpus: ical4j blalor.ics).
    for (const sequence of [3, 4]) {
      const feed = map(
        calendar(
          ...newYork('SEQUENCE:3', 'EXDATE;TZID=America/New_York:20240102T090000'),
          ...override(sequence),
        ),
      );
      expect(startsOf(feed.events)).toEqual([
        '2024-01-01T09:00:00-05:00 Daily',
        '2024-01-02T15:00:00-05:00 Edited',
        '2024-01-03T09:00:00-05:00 Daily',
        '2024-01-04T09:00:00-05:00 Daily',
      ]);
      expect(feed.events[1]?.recurringEventId).toBeUndefined();
    }
  });

  it('does not affect an override whose occurrence is not excluded', () => {
    const feed = map(
      calendar(...newYork('SEQUENCE:3', 'EXDATE;TZID=America/New_York:20240103T090000'), ...override(0)),
    );
    expect(feed.events[1]).toMatchObject({ recurringEventId: feed.events[0]?.id, summary: 'Edited' });
    expect(startsOf(feed.events)).toEqual([
      '2024-01-01T09:00:00-05:00 Daily',
      '2024-01-02T15:00:00-05:00 Edited',
      '2024-01-04T09:00:00-05:00 Daily',
    ]);
  });
});
