/**
 * How a series in a zone Google has no name for is written (lambdas/shared/domain/ics/zone-series.ts): left as
 * it was when Google's UTC expansion is already right, split into stretches of constant offset keyed apart,
 * or written as its occurrences. Whether the instants are right is test/conformance/custom-zones.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { calendar, map, vevent } from './helpers.ts';

const HORIZON = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z') };

/** -05:00/-04:00, changing on the third Sunday of March and the last Sunday of October (no IANA zone does). */
const OTHER_DAYS = [
  'BEGIN:VTIMEZONE',
  'TZID:Other Days',
  'BEGIN:DAYLIGHT',
  'DTSTART:19700315T020000',
  'TZOFFSETFROM:-0500',
  'TZOFFSETTO:-0400',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=3SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'DTSTART:19701025T020000',
  'TZOFFSETFROM:-0400',
  'TZOFFSETTO:-0500',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/** A constant -03:10, an offset no IANA zone has. */
const NO_CHANGES = [
  'BEGIN:VTIMEZONE',
  'TZID:Fixed Minus Three',
  'BEGIN:STANDARD',
  'DTSTART:19700101T000000',
  'TZOFFSETFROM:-0310',
  'TZOFFSETTO:-0310',
  'END:STANDARD',
  'END:VTIMEZONE',
];

describe('series in a zone Google has no name for', () => {
  it('is left in UTC, without a warning, where Google already expands it at the feed instants', () => {
    const feed = map(
      calendar(
        ...NO_CHANGES,
        ...vevent(
          'UID:plain@x',
          'DTSTART;TZID=Fixed Minus Three:20260105T090000',
          'DURATION:PT1H',
          'RRULE:FREQ=WEEKLY;BYDAY=MO',
        ),
      ),
      { horizon: HORIZON },
    );
    expect(feed.events).toHaveLength(1);
    expect(feed.events[0]?.start).toEqual({ dateTime: '2026-01-05T12:10:00Z', timeZone: 'UTC' });
    expect(feed.events[0]?.recurrence).toEqual(['RRULE:FREQ=WEEKLY;BYDAY=MO']);
    expect(feed.warnings.filter((w) => /no name for/.test(w.reason))).toEqual([]);
  });

  it('is split at its offset changes: the stretch DTSTART begins keeps the UID, overrides and EXDATEs follow their stretch', () => {
    const feed = map(
      calendar(
        ...OTHER_DAYS,
        ...vevent(
          'UID:weekly@x',
          'DTSTART;TZID=Other Days:20260302T090000',
          'DURATION:PT1H',
          'RRULE:FREQ=WEEKLY;BYDAY=MO',
          'EXDATE;TZID=Other Days:20260608T090000',
        ),
        ...vevent(
          'UID:weekly@x',
          'RECURRENCE-ID;TZID=Other Days:20261109T090000',
          'DTSTART;TZID=Other Days:20261109T100000',
          'DURATION:PT1H',
        ),
      ),
      { horizon: HORIZON },
    );
    const series = feed.events.filter((e) => e.recurrence);
    const uids = series.map((e) => e.extendedProperties.private.icsUid);
    expect(uids[0]).toBe('weekly@x');
    // March 2 (EST) to the change of March 15, then EDT, EST from October 25, and so on to the horizon's end.
    expect(uids).toContain('weekly@x#20260316T130000Z');
    expect(uids).toContain('weekly@x#20261026T140000Z');
    expect(series[0]?.start).toEqual({ dateTime: '2026-03-02T09:00:00-05:00', timeZone: 'America/Bogota' });
    expect(series[0]?.recurrence).toEqual(['RRULE:FREQ=WEEKLY;UNTIL=20260309T140000Z;BYDAY=MO']);
    const summer = series.find((e) => e.extendedProperties.private.icsUid === 'weekly@x#20260316T130000Z');
    expect(summer?.extendedProperties.private.icsSplitFrom).toBe('weekly@x');
    expect(summer?.start).toMatchObject({ timeZone: 'America/Puerto_Rico' });
    expect(summer?.recurrence).toContain('EXDATE;TZID=America/Puerto_Rico:20260608T090000');
    const override = feed.events.find((e) => e.recurringEventId);
    const autumn = series.find((e) => e.extendedProperties.private.icsUid === 'weekly@x#20261026T140000Z');
    expect(override?.recurringEventId).toBe(autumn?.id);
    expect(override?.originalStartTime).toEqual({
      dateTime: '2026-11-09T09:00:00-05:00',
      timeZone: 'America/Bogota',
    });
  });

  it('with an offset no real zone keeps and hours of its own, is written as its occurrences in UTC', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:hours@x',
          'DTSTART;TZID=Etc/GMT+12:20270101T090000',
          'DURATION:PT30M',
          'RRULE:FREQ=DAILY;COUNT=3;BYHOUR=9,15',
        ),
      ),
      { horizon: HORIZON },
    );
    const event = feed.events[0];
    expect(event?.start).toEqual({ dateTime: '2027-01-01T21:00:00Z', timeZone: 'UTC' });
    expect(event?.recurrence).toEqual(['RDATE:20270102T030000Z,20270102T210000Z']);
    expect(feed.warnings.map((w) => w.reason)).toContain(
      'series in a time zone Google has no name for: its 3 occurrence(s) over the horizon written as dates',
    );
  });
});
