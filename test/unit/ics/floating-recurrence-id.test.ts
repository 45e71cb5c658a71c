import { describe, expect, it } from 'vitest';
import { expandEvents } from '../../../lambdas/shared/domain/expansion/index.ts';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import { calendar, map, VTIMEZONE_CET_CUSTOM, vevent } from './helpers.ts';

/** What a calendar shows: every instance's start and summary, series and exceptions expanded as Google does. */
const startsOf = (events: GoogleEvent[]) =>
  expandEvents(events, {
    timeMin: new Date('2026-02-01T00:00:00Z'),
    timeMax: new Date('2026-05-01T00:00:00Z'),
  }).map((o) => `${'dateTime' in o.start ? o.start.dateTime : o.start.date} ${o.event.summary}`);

const exceptionsOf = (events: GoogleEvent[]) => events.filter((e) => e.recurringEventId !== undefined);
const standalonesOf = (events: GoogleEvent[]) =>
  events.filter((e) => !e.recurringEventId && !e.recurrence && e.extendedProperties.private.icsRecurrenceId);

/** A weekly New York series on Mondays at 09:00 (US DST starts on 8 March 2026, before the override). */
const newYorkWeekly = vevent(
  'UID:ny',
  'DTSTART;TZID=America/New_York:20260302T090000',
  'DTEND;TZID=America/New_York:20260302T100000',
  'RRULE:FREQ=WEEKLY;COUNT=4',
  'SUMMARY:Weekly',
);

/** A daily Auckland series at 23:30: read in UTC, 23:30 on 10 March is 12:30 on 11 March in Auckland. */
const aucklandDaily = (...lines: string[]) =>
  vevent(
    'UID:akl',
    'DTSTART;TZID=Pacific/Auckland:20260309T233000',
    'DTEND;TZID=Pacific/Auckland:20260310T000000',
    'RRULE:FREQ=DAILY;COUNT=4',
    'SUMMARY:Late',
    ...lines,
  );

describe('a floating RECURRENCE-ID of an override of a series whose DTSTART has a TZID', () => {
  it.each([
    'UTC',
    // 09:00 in Tokyo is 19:00 the Sunday before in New York, a day without an instance.
    'Asia/Tokyo',
  ])(
    "is read in the series' zone (default zone %s): one exception, no leftover instance, no standalone",
    (defaultTimeZone) => {
      const feed = map(
        calendar(
          ...newYorkWeekly,
          ...vevent(
            'UID:ny',
            'RECURRENCE-ID:20260309T090000',
            'DTSTART;TZID=America/New_York:20260309T110000',
            'DTEND;TZID=America/New_York:20260309T120000',
            'SUMMARY:Moved',
          ),
        ),
        { defaultTimeZone },
      );
      const [exception, ...more] = exceptionsOf(feed.events);
      expect(more).toEqual([]);
      expect(exception).toMatchObject({
        recurringEventId: feed.events[0]?.id,
        originalStartTime: { dateTime: '2026-03-09T09:00:00-04:00', timeZone: 'America/New_York' },
        start: { dateTime: '2026-03-09T11:00:00-04:00', timeZone: 'America/New_York' },
        extendedProperties: { private: { icsUid: 'ny', icsRecurrenceId: '20260309T130000Z' } },
      });
      expect(standalonesOf(feed.events)).toEqual([]);
      expect(startsOf(feed.events)).toEqual([
        '2026-03-02T09:00:00-05:00 Weekly',
        '2026-03-09T11:00:00-04:00 Moved',
        '2026-03-16T09:00:00-04:00 Weekly',
        '2026-03-23T09:00:00-04:00 Weekly',
      ]);
      expect(feed.warnings).toEqual([]);
    },
  );

  it('names the right instance where the default-zone reading falls on another day (Auckland 23:30)', () => {
    // In UTC 20260310T233000 is 11 March 12:30 in Auckland: same-day matching would move the 11 March instance.
    const feed = map(
      calendar(
        ...aucklandDaily(),
        ...vevent(
          'UID:akl',
          'RECURRENCE-ID:20260310T233000',
          'DTSTART;TZID=Pacific/Auckland:20260310T210000',
          'DTEND;TZID=Pacific/Auckland:20260310T220000',
          'SUMMARY:Earlier',
        ),
      ),
    );
    expect(exceptionsOf(feed.events)).toHaveLength(1);
    expect(exceptionsOf(feed.events)[0]?.originalStartTime).toEqual({
      dateTime: '2026-03-10T23:30:00+13:00',
      timeZone: 'Pacific/Auckland',
    });
    expect(standalonesOf(feed.events)).toEqual([]);
    expect(startsOf(feed.events)).toEqual([
      '2026-03-09T23:30:00+13:00 Late',
      '2026-03-10T21:00:00+13:00 Earlier',
      '2026-03-11T23:30:00+13:00 Late',
      '2026-03-12T23:30:00+13:00 Late',
    ]);
    expect(feed.warnings).toEqual([]);
  });

  it('is read in the zone of a Windows TZID or a custom VTIMEZONE, also against X-WR-TIMEZONE', () => {
    // Read in Kiritimati (+14), 09:00 would be the evening before in both zones: the previous day's instance.
    const series = (uid: string, tzid: string) => [
      ...vevent(
        `UID:${uid}`,
        `DTSTART;TZID=${tzid}:20260302T090000`,
        `DTEND;TZID=${tzid}:20260302T100000`,
        'RRULE:FREQ=DAILY;COUNT=5',
        'SUMMARY:Daily',
      ),
      ...vevent(
        `UID:${uid}`,
        'RECURRENCE-ID:20260304T090000',
        `DTSTART;TZID=${tzid}:20260304T140000`,
        `DTEND;TZID=${tzid}:20260304T150000`,
        'SUMMARY:Moved',
      ),
    ];
    for (const [uid, tzid, original] of [
      ['win', 'Eastern Standard Time', '2026-03-04T09:00:00-05:00'],
      ['custom', 'My Office Zone', '2026-03-04T09:00:00+01:00'],
    ] as const) {
      const feed = map(
        calendar('X-WR-TIMEZONE:Pacific/Kiritimati', ...VTIMEZONE_CET_CUSTOM, ...series(uid, tzid)),
        { defaultTimeZone: 'Pacific/Kiritimati' },
      );
      const exceptions = exceptionsOf(feed.events);
      expect(exceptions).toHaveLength(1);
      expect(exceptions[0]?.originalStartTime).toMatchObject({ dateTime: original });
      expect(standalonesOf(feed.events)).toEqual([]);
      expect(startsOf(feed.events).filter((s) => s.endsWith('Daily'))).toHaveLength(4);
      expect(feed.warnings).toEqual([]);
    }
  });

  it('meets an override of the same instance written with a TZID: the newer one is kept', () => {
    const override = (rid: string, sequence: number, summary: string) =>
      vevent(
        'UID:akl',
        rid,
        'DTSTART;TZID=Pacific/Auckland:20260310T200000',
        'DTEND;TZID=Pacific/Auckland:20260310T210000',
        `SEQUENCE:${sequence}`,
        `SUMMARY:${summary}`,
      );
    const feed = map(
      calendar(
        ...aucklandDaily(),
        ...override('RECURRENCE-ID:20260310T233000', 2, 'Newer'),
        ...override('RECURRENCE-ID;TZID=Pacific/Auckland:20260310T233000', 1, 'Older'),
      ),
    );
    expect(exceptionsOf(feed.events).map((e) => e.summary)).toEqual(['Newer']);
    expect(startsOf(feed.events)).toHaveLength(4);
  });

  it('is left out with the occurrence a newer series deletes with a floating EXDATE', () => {
    const feed = map(
      calendar(
        ...aucklandDaily('SEQUENCE:2', 'EXDATE:20260310T233000'),
        ...vevent(
          'UID:akl',
          'RECURRENCE-ID:20260310T233000',
          'DTSTART;TZID=Pacific/Auckland:20260310T200000',
          'SEQUENCE:1',
          'SUMMARY:Edited',
        ),
      ),
    );
    expect(feed.events).toHaveLength(1);
    expect(startsOf(feed.events)).toEqual([
      '2026-03-09T23:30:00+13:00 Late',
      '2026-03-11T23:30:00+13:00 Late',
      '2026-03-12T23:30:00+13:00 Late',
    ]);
  });

  it('replaces a single zoned event when it names its start', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:one',
          'DTSTART;TZID=Pacific/Auckland:20260310T233000',
          'DTEND;TZID=Pacific/Auckland:20260311T003000',
          'SUMMARY:Once',
        ),
        ...vevent(
          'UID:one',
          'RECURRENCE-ID:20260310T233000',
          'DTSTART;TZID=Pacific/Auckland:20260310T200000',
          'DTEND;TZID=Pacific/Auckland:20260310T210000',
          'SUMMARY:Changed',
        ),
      ),
    );
    expect(feed.events).toHaveLength(1);
    expect(feed.events[0]).toMatchObject({
      summary: 'Changed',
      start: { dateTime: '2026-03-10T20:00:00+13:00' },
    });
    expect(feed.events[0]?.extendedProperties.private.icsRecurrenceId).toBeUndefined();
    expect(feed.warnings).toEqual([]);
  });

  it('splits a series at the right instance with RANGE=THISANDFUTURE, and later floating overrides follow', () => {
    // In UTC the split would fall after the 10 March instance, which would then show beside the new series.
    const feed = map(
      calendar(
        ...aucklandDaily(),
        ...vevent(
          'UID:akl',
          'RECURRENCE-ID;RANGE=THISANDFUTURE:20260310T233000',
          'DTSTART;TZID=Pacific/Auckland:20260310T223000',
          'DTEND;TZID=Pacific/Auckland:20260310T233000',
          'SUMMARY:Earlier',
        ),
        ...vevent(
          'UID:akl',
          'RECURRENCE-ID:20260312T233000',
          'DTSTART;TZID=Pacific/Auckland:20260312T080000',
          'DTEND;TZID=Pacific/Auckland:20260312T090000',
          'SUMMARY:Morning',
        ),
      ),
    );
    expect(startsOf(feed.events)).toEqual([
      '2026-03-09T23:30:00+13:00 Late',
      '2026-03-10T22:30:00+13:00 Earlier',
      '2026-03-11T22:30:00+13:00 Earlier',
      '2026-03-12T08:00:00+13:00 Morning',
    ]);
    expect(exceptionsOf(feed.events)).toHaveLength(1);
    expect(exceptionsOf(feed.events)[0]?.originalStartTime).toMatchObject({
      dateTime: '2026-03-12T22:30:00+13:00',
    });
    expect(standalonesOf(feed.events)).toEqual([]);
    expect(feed.warnings).toEqual([]);
  });
});

describe('a floating RECURRENCE-ID where the master gives no zone', () => {
  it('of a floating series is read in the default zone, like the series', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:f',
          'DTSTART:20260302T090000',
          'DTEND:20260302T100000',
          'RRULE:FREQ=WEEKLY;COUNT=3',
          'SUMMARY:Floating',
        ),
        ...vevent(
          'UID:f',
          'RECURRENCE-ID:20260309T090000',
          'DTSTART:20260309T110000',
          'DTEND:20260309T120000',
          'SUMMARY:Moved',
        ),
      ),
      { defaultTimeZone: 'Europe/Berlin' },
    );
    expect(exceptionsOf(feed.events)[0]?.originalStartTime).toEqual({
      dateTime: '2026-03-09T09:00:00+01:00',
      timeZone: 'Europe/Berlin',
    });
    expect(startsOf(feed.events)).toEqual([
      '2026-03-02T09:00:00+01:00 Floating',
      '2026-03-09T11:00:00+01:00 Moved',
      '2026-03-16T09:00:00+01:00 Floating',
    ]);
    expect(feed.warnings).toEqual([]);
  });

  it('of an override without a master keeps the default-zone reading: a standalone event at its own time', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:lost',
          'RECURRENCE-ID:20260309T090000',
          'DTSTART;TZID=America/New_York:20260309T110000',
          'DTEND;TZID=America/New_York:20260309T120000',
          'SUMMARY:Moved',
        ),
      ),
    );
    expect(feed.events).toHaveLength(1);
    expect(feed.events[0]).toMatchObject({
      start: { dateTime: '2026-03-09T11:00:00-04:00', timeZone: 'America/New_York' },
      extendedProperties: { private: { icsUid: 'lost', icsRecurrenceId: '20260309T090000Z' } },
    });
    expect(feed.events[0]?.recurringEventId).toBeUndefined();
  });
});
