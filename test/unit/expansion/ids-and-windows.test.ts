import { describe, expect, it } from 'vitest';
import {
  ExpansionError,
  expandEvents,
  expandSeries,
  instanceId,
} from '../../../lambdas/shared/domain/expansion/index.ts';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import { allDaySeries, exception, localStartsOf, startsOf, timedSeries, windowOf } from './series-builder.ts';

describe('instanceId', () => {
  it('timed: the original start in UTC, basic format', () => {
    expect(instanceId('abc123', { dateTime: '2024-01-05T11:00:00+01:00', timeZone: 'Europe/Berlin' })).toBe(
      'abc123_20240105T100000Z',
    );
    expect(instanceId('abc123', { dateTime: '2024-07-05T11:00:00', timeZone: 'Europe/Berlin' })).toBe(
      'abc123_20240705T090000Z',
    );
  });

  it('all-day: the date, basic format', () => {
    expect(instanceId('abc123', { date: '2024-01-05' })).toBe('abc123_20240105');
  });

  it('is the id of the instances expandSeries produces', () => {
    const series = timedSeries('America/New_York', '2024-01-05T09:00:00', '2024-01-05T10:00:00', [
      'RRULE:FREQ=DAILY;COUNT=2',
    ]);
    const [first] = expandSeries(series, [], windowOf('2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'));
    expect(first?.id).toBe('series0001_20240105T140000Z');
    expect(first?.originalStartTime).toEqual({
      dateTime: '2024-01-05T09:00:00-05:00',
      timeZone: 'America/New_York',
    });
  });
});

describe('window overlap: end > timeMin and start < timeMax', () => {
  const hourly = timedSeries('UTC', '2024-01-01T10:00:00', '2024-01-01T11:00:00', [
    'RRULE:FREQ=DAILY;COUNT=3',
  ]);

  it('an instance ending exactly at timeMin is out; one running across timeMin is in', () => {
    expect(
      startsOf(expandSeries(hourly, [], windowOf('2024-01-02T11:00:00Z', '2024-01-05T00:00:00Z'))),
    ).toEqual(['2024-01-03T10:00:00Z']);
    expect(
      startsOf(expandSeries(hourly, [], windowOf('2024-01-02T10:59:00Z', '2024-01-05T00:00:00Z'))),
    ).toEqual(['2024-01-02T10:00:00Z', '2024-01-03T10:00:00Z']);
  });

  it('an instance starting exactly at timeMax is out', () => {
    expect(
      startsOf(expandSeries(hourly, [], windowOf('2024-01-01T00:00:00Z', '2024-01-02T10:00:00Z'))),
    ).toEqual(['2024-01-01T10:00:00Z']);
  });

  it('all-day dates are placed at UTC midnight', () => {
    const series = allDaySeries('2024-01-01', '2024-01-02', ['RRULE:FREQ=DAILY;COUNT=3']);
    expect(
      localStartsOf(expandSeries(series, [], windowOf('2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z'))),
    ).toEqual(['2024-01-02']);
    expect(
      localStartsOf(expandSeries(series, [], windowOf('2024-01-01T23:59:00Z', '2024-01-02T00:01:00Z'))),
    ).toEqual(['2024-01-01', '2024-01-02']);
  });

  it('an unbounded rule over a ten-year window is expanded quickly and completely', () => {
    const weekly = timedSeries('Europe/Berlin', '2020-01-06T09:00:00', '2020-01-06T10:00:00', [
      'RRULE:FREQ=WEEKLY;BYDAY=MO',
    ]);
    const occurrences = expandSeries(weekly, [], windowOf('2026-01-01T00:00:00Z', '2036-01-01T00:00:00Z'));
    expect(occurrences).toHaveLength(522);
    expect(occurrences[0]?.start).toEqual({
      dateTime: '2026-01-05T09:00:00+01:00',
      timeZone: 'Europe/Berlin',
    });
  });
});

describe('expandEvents (events.list with singleEvents=true)', () => {
  const properties = { private: { icsUid: 'u', icsHash: 'h' } };
  const single = (id: string, start: string, end: string, status?: 'cancelled'): GoogleEvent => ({
    id,
    start: { dateTime: start, timeZone: 'UTC' },
    end: { dateTime: end, timeZone: 'UTC' },
    extendedProperties: properties,
    ...(status ? { status } : {}),
  });

  it('groups exceptions with their series, shows orphans and single events, sorted by start', () => {
    const series = timedSeries(
      'UTC',
      '2024-01-01T09:00:00',
      '2024-01-01T10:00:00',
      ['RRULE:FREQ=DAILY;COUNT=3'],
      'ser01',
    );
    const moved = exception(
      'ser01',
      { dateTime: '2024-01-02T09:00:00Z', timeZone: 'UTC' },
      { dateTime: '2024-01-02T07:00:00Z', timeZone: 'UTC' },
      { dateTime: '2024-01-02T08:00:00Z', timeZone: 'UTC' },
    );
    const orphan = exception(
      'gone1',
      { dateTime: '2024-01-01T12:00:00Z', timeZone: 'UTC' },
      { dateTime: '2024-01-01T12:00:00Z', timeZone: 'UTC' },
      { dateTime: '2024-01-01T13:00:00Z', timeZone: 'UTC' },
    );
    const events = [
      single('single1', '2024-01-02T20:00:00Z', '2024-01-02T21:00:00Z'),
      moved,
      single('deleted1', '2024-01-02T22:00:00Z', '2024-01-02T23:00:00Z', 'cancelled'),
      orphan,
      series,
    ];
    const occurrences = expandEvents(events, windowOf('2024-01-01T00:00:00Z', '2024-01-10T00:00:00Z'));
    expect(occurrences.map((o) => o.id)).toEqual([
      'ser01_20240101T090000Z',
      'gone1_20240101T120000Z',
      'ser01_20240102T090000Z',
      'single1',
      'ser01_20240103T090000Z',
    ]);
    expect(occurrences[2]?.start).toEqual({ dateTime: '2024-01-02T07:00:00Z', timeZone: 'UTC' });
    const withDeleted = expandEvents(events, windowOf('2024-01-01T00:00:00Z', '2024-01-10T00:00:00Z'), {
      includeCancelled: true,
    });
    expect(withDeleted.map((o) => o.id)).toContain('deleted1');
  });
});

describe('bad input', () => {
  it('an unknown time zone is a typed error', () => {
    const series = timedSeries('Mars/Olympus', '2024-01-01T09:00:00', '2024-01-01T10:00:00', [
      'RRULE:FREQ=DAILY',
    ]);
    const attempt = () => expandSeries(series, [], windowOf('2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'));
    expect(attempt).toThrow(ExpansionError);
    expect(attempt).toThrow(/Unknown time zone "Mars\/Olympus"/);
  });

  it.each([
    ['RRULE:INTERVAL=2', /FREQ is missing/],
    ['RRULE:FREQ=FORTNIGHTLY', /unknown FREQ/],
    ['RRULE:FREQ=MONTHLY;BYMONTHDAY=0', /BYMONTHDAY value "0"/],
    ['RRULE:FREQ=WEEKLY;BYDAY=XX', /BYDAY value "XX"/],
    ['EXDATE:2024-01-01', /neither an iCalendar DATE nor DATE-TIME/],
    ['DTSTART:20240101T090000Z', /not a recurrence line/],
  ])('%s is refused with a reason', (line, reason) => {
    const series = timedSeries('UTC', '2024-01-01T09:00:00', '2024-01-01T10:00:00', [line]);
    let error: unknown;
    try {
      expandSeries(series, [], windowOf('2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ExpansionError);
    expect((error as ExpansionError).message).toMatch(reason);
  });
});

describe('one-minute instances (the span the mapping gives zero-length timed events)', () => {
  const pings = timedSeries('Europe/Berlin', '2024-03-30T02:30:00', '2024-03-30T02:31:00', [
    'RRULE:FREQ=DAILY;COUNT=3',
    'EXDATE;TZID=Europe/Berlin:20240401T023000',
    'RDATE;TZID=Europe/Berlin:20240402T120000',
  ]);

  it('last one minute each, also across a DST gap (02:30 moves to 03:30), with RDATE and EXDATE', () => {
    const occurrences = expandSeries(pings, [], windowOf('2024-03-01T00:00:00Z', '2024-05-01T00:00:00Z'));
    expect(
      occurrences.map((o) => [
        'dateTime' in o.start && o.start.dateTime,
        'dateTime' in o.end && o.end.dateTime,
      ]),
    ).toEqual([
      ['2024-03-30T02:30:00+01:00', '2024-03-30T02:31:00+01:00'],
      ['2024-03-31T03:30:00+02:00', '2024-03-31T03:31:00+02:00'],
      ['2024-04-02T12:00:00+02:00', '2024-04-02T12:01:00+02:00'],
    ]);
  });

  it('count in a window that holds their minute only: end > timeMin and start < timeMax', () => {
    // 2024-03-30T02:30+01:00 is 01:30Z: it lasts until 01:31Z.
    const at = (timeMin: string, timeMax: string) =>
      startsOf(expandSeries(pings, [], windowOf(timeMin, timeMax)));
    expect(at('2024-03-30T01:30:59Z', '2024-03-30T01:31:00Z')).toEqual(['2024-03-30T01:30:00Z']);
    expect(at('2024-03-30T01:31:00Z', '2024-03-30T02:00:00Z')).toEqual([]);
    expect(at('2024-03-30T01:00:00Z', '2024-03-30T01:30:00Z')).toEqual([]);
  });

  it('are replaced by a one-minute exception at its own time', () => {
    const moved = exception(
      'series0001',
      { dateTime: '2024-03-30T02:30:00', timeZone: 'Europe/Berlin' },
      { dateTime: '2024-03-30T09:00:00', timeZone: 'Europe/Berlin' },
      { dateTime: '2024-03-30T09:01:00', timeZone: 'Europe/Berlin' },
    );
    const occurrences = expandSeries(
      pings,
      [moved],
      windowOf('2024-03-01T00:00:00Z', '2024-05-01T00:00:00Z'),
    );
    expect(localStartsOf(occurrences)).toEqual([
      '2024-03-30T09:00:00+01:00',
      '2024-03-31T03:30:00+02:00',
      '2024-04-02T12:00:00+02:00',
    ]);
  });
});
