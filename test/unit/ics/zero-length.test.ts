import { describe, expect, it } from 'vitest';
import { expandEvents } from '../../../lambdas/shared/domain/expansion/index.ts';
import type { EventDateTime, GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import { calendar, map, only, vevent } from './helpers.ts';

/**
 * Google refuses a timed event that does not end after it starts (400 timeRangeEmpty), and RFC 5545 3.6.1
 * makes a timed VEVENT with DTSTART alone zero-length: such events (and inverted ones) end one minute after
 * they start, the shortest span Google's minute grid shows as a point in time.
 */
const BERLIN_TEN = { dateTime: '2024-01-05T10:00:00+01:00', timeZone: 'Europe/Berlin' };
const BERLIN_TEN_ONE = { dateTime: '2024-01-05T10:01:00+01:00', timeZone: 'Europe/Berlin' };

const single = (...lines: string[]) => map(calendar(...vevent('UID:z', 'SUMMARY:Deadline', ...lines)));

const instantMs = (value: EventDateTime) => Date.parse('date' in value ? value.date : value.dateTime);

/** Every mapped event, instance and exception must end after it starts (what Google checks). */
function expectNoEmptyRange(events: GoogleEvent[]): void {
  for (const event of events) expect(instantMs(event.end)).toBeGreaterThan(instantMs(event.start));
}

const occurrencesOf = (events: GoogleEvent[]) =>
  expandEvents(events, {
    timeMin: new Date('2023-12-01T00:00:00Z'),
    timeMax: new Date('2024-03-01T00:00:00Z'),
  }).map((o) => [
    'dateTime' in o.start ? o.start.dateTime : o.start.date,
    'dateTime' in o.end ? o.end.dateTime : o.end.date,
    o.event.summary,
  ]);

describe('zero-length and inverted timed events', () => {
  it('gives a DTSTART-only event one minute in its own zone', () => {
    const event = only(single('DTSTART;TZID=Europe/Berlin:20240105T100000'));
    expect([event.start, event.end]).toEqual([BERLIN_TEN, BERLIN_TEN_ONE]);
  });

  it('gives DTEND == DTSTART one minute, without a warning', () => {
    const feed = single(
      'DTSTART;TZID=Europe/Berlin:20240105T100000',
      'DTEND;TZID=Europe/Berlin:20240105T100000',
    );
    expect([only(feed).start, only(feed).end]).toEqual([BERLIN_TEN, BERLIN_TEN_ONE]);
    expect(feed.warnings).toEqual([]);
  });

  it('keeps the start of an inverted range (DTEND before DTSTART, also in another zone) and gives it one minute', () => {
    const inverted = single('DTSTART;TZID=Europe/Berlin:20240105T100000', 'DTEND:20240105T080000Z');
    expect([only(inverted).start, only(inverted).end]).toEqual([BERLIN_TEN, BERLIN_TEN_ONE]);
    expect(inverted.warnings.map((w) => w.reason)).toEqual([
      'DTEND before DTSTART: the event is shown as a point in time (1 minute) at its start',
    ]);
  });

  it('gives DURATION:PT0S and a negative DURATION one minute', () => {
    for (const duration of ['DURATION:PT0S', 'DURATION:P0D', 'DURATION:-PT1H']) {
      const event = only(single('DTSTART;TZID=Europe/Berlin:20240105T100000', duration));
      expect([event.start, event.end]).toEqual([BERLIN_TEN, BERLIN_TEN_ONE]);
    }
  });

  it('keeps seconds: a start at 10:00:30 ends at 10:01:30', () => {
    const event = only(single('DTSTART:20240105T100030Z'));
    expect(event.end).toEqual({ dateTime: '2024-01-05T10:01:30Z', timeZone: 'UTC' });
  });

  it('writes the same resource and hash however the zero length is spelled, and as an explicit minute', () => {
    const spellings = [
      ['DTSTART:20240105T100000Z'],
      ['DTSTART:20240105T100000Z', 'DTEND:20240105T100000Z'],
      ['DTSTART:20240105T100000Z', 'DURATION:PT0S'],
      ['DTSTART:20240105T100000Z', 'DTEND:20240105T100100Z'],
    ].map((lines) => only(single(...lines)));
    const [first, ...rest] = spellings;
    for (const event of rest) expect(event).toEqual(first);
    // Mapping again gives byte-identical output (the hash is computed after the span is set).
    expect(only(single('DTSTART:20240105T100000Z'))).toEqual(first);
  });

  it('leaves all-day events and events with a real duration alone', () => {
    expect(only(single('DTSTART;VALUE=DATE:20240105')).end).toEqual({ date: '2024-01-06' });
    expect(only(single('DTSTART:20240105T100000Z', 'DURATION:PT30S')).end).toEqual({
      dateTime: '2024-01-05T10:00:30Z',
      timeZone: 'UTC',
    });
  });

  it('gives a zero-length weekly series and its zero-length override one minute each', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:w',
          'DTSTART;TZID=America/New_York:20240101T090000',
          'RRULE:FREQ=WEEKLY;COUNT=4',
          'SUMMARY:Standup',
        ),
        ...vevent(
          'UID:w',
          'RECURRENCE-ID;TZID=America/New_York:20240115T090000',
          'DTSTART;TZID=America/New_York:20240115T113000',
          'DTEND;TZID=America/New_York:20240115T113000',
          'SUMMARY:Moved',
        ),
      ),
    );
    const [series, exception] = feed.events;
    expect(series?.end).toEqual({ dateTime: '2024-01-01T09:01:00-05:00', timeZone: 'America/New_York' });
    expect(exception).toMatchObject({
      recurringEventId: series?.id,
      originalStartTime: { dateTime: '2024-01-15T09:00:00-05:00', timeZone: 'America/New_York' },
      start: { dateTime: '2024-01-15T11:30:00-05:00', timeZone: 'America/New_York' },
      end: { dateTime: '2024-01-15T11:31:00-05:00', timeZone: 'America/New_York' },
    });
    expectNoEmptyRange(feed.events);
    expect(occurrencesOf(feed.events)).toEqual([
      ['2024-01-01T09:00:00-05:00', '2024-01-01T09:01:00-05:00', 'Standup'],
      ['2024-01-08T09:00:00-05:00', '2024-01-08T09:01:00-05:00', 'Standup'],
      ['2024-01-15T11:30:00-05:00', '2024-01-15T11:31:00-05:00', 'Moved'],
      ['2024-01-22T09:00:00-05:00', '2024-01-22T09:01:00-05:00', 'Standup'],
    ]);
  });

  it('gives an empty RDATE period of a zero-length series no exception of its own', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:p',
          'DTSTART:20240101T090000Z',
          'RRULE:FREQ=DAILY;COUNT=2',
          'RDATE;VALUE=PERIOD:20240110T090000Z/20240110T090000Z,20240111T090000Z/PT0S',
          'SUMMARY:Ping',
        ),
      ),
    );
    expect(feed.events).toHaveLength(1);
    expect(only(feed).recurrence).toEqual([
      'RRULE:FREQ=DAILY;COUNT=2',
      'RDATE:20240110T090000Z,20240111T090000Z',
    ]);
    expect(occurrencesOf(feed.events).map(([start, end]) => `${start}/${end}`)).toEqual([
      '2024-01-01T09:00:00Z/2024-01-01T09:01:00Z',
      '2024-01-02T09:00:00Z/2024-01-02T09:01:00Z',
      '2024-01-10T09:00:00Z/2024-01-10T09:01:00Z',
      '2024-01-11T09:00:00Z/2024-01-11T09:01:00Z',
    ]);
  });

  it('gives the series split off by a zero-length RANGE=THISANDFUTURE override one minute', () => {
    const feed = map(
      calendar(
        ...vevent('UID:t', 'DTSTART:20240101T090000Z', 'RRULE:FREQ=DAILY;COUNT=4', 'SUMMARY:Before'),
        ...vevent(
          'UID:t',
          'RECURRENCE-ID;RANGE=THISANDFUTURE:20240103T090000Z',
          'DTSTART:20240103T100000Z',
          'SUMMARY:After',
        ),
      ),
    );
    expectNoEmptyRange(feed.events);
    expect(occurrencesOf(feed.events).map(([start, end, summary]) => `${start}/${end} ${summary}`)).toEqual([
      '2024-01-01T09:00:00Z/2024-01-01T09:01:00Z Before',
      '2024-01-02T09:00:00Z/2024-01-02T09:01:00Z Before',
      '2024-01-03T10:00:00Z/2024-01-03T10:01:00Z After',
      '2024-01-04T10:00:00Z/2024-01-04T10:01:00Z After',
    ]);
  });
});
