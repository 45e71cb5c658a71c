import { describe, expect, it } from 'vitest';
import { expandSeries } from '../../../lambdas/shared/domain/expansion/index.ts';
import { localStartsOf, startsOf, timedSeries, WIDE } from './series-builder.ts';

describe('instances keep their wall-clock time in the series zone across DST', () => {
  it('Europe/Berlin weekly across spring-forward and fall-back', () => {
    const series = timedSeries('Europe/Berlin', '2024-03-25T10:00:00', '2024-03-25T11:00:00', [
      'RRULE:FREQ=WEEKLY;UNTIL=20241104T235959Z',
    ]);
    const occurrences = expandSeries(series, [], WIDE).filter((o) => {
      const day = ('dateTime' in o.start ? o.start.dateTime : '').slice(0, 10);
      return ['2024-03-25', '2024-04-01', '2024-10-21', '2024-10-28'].includes(day);
    });
    expect(localStartsOf(occurrences)).toEqual([
      '2024-03-25T10:00:00+01:00',
      '2024-04-01T10:00:00+02:00',
      '2024-10-21T10:00:00+02:00',
      '2024-10-28T10:00:00+01:00',
    ]);
    expect(startsOf(occurrences)).toEqual([
      '2024-03-25T09:00:00Z',
      '2024-04-01T08:00:00Z',
      '2024-10-21T08:00:00Z',
      '2024-10-28T09:00:00Z',
    ]);
    expect(occurrences.map((o) => ('dateTime' in o.end ? o.end.dateTime : ''))).toEqual([
      '2024-03-25T11:00:00+01:00',
      '2024-04-01T11:00:00+02:00',
      '2024-10-21T11:00:00+02:00',
      '2024-10-28T11:00:00+01:00',
    ]);
    expect(occurrences.every((o) => 'timeZone' in o.start && o.start.timeZone === 'Europe/Berlin')).toBe(
      true,
    );
  });

  it('America/New_York daily across the March change', () => {
    const series = timedSeries('America/New_York', '2024-03-09T09:00:00', '2024-03-09T09:30:00', [
      'RRULE:FREQ=DAILY;COUNT=3',
    ]);
    expect(startsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-03-09T14:00:00Z',
      '2024-03-10T13:00:00Z',
      '2024-03-11T13:00:00Z',
    ]);
  });

  it('a wall time skipped by spring-forward moves forward by the gap instead of vanishing', () => {
    const series = timedSeries('America/New_York', '2024-03-09T02:30:00', '2024-03-09T03:00:00', [
      'RRULE:FREQ=DAILY;COUNT=3',
    ]);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-03-09T02:30:00-05:00',
      '2024-03-10T03:30:00-04:00',
      '2024-03-11T02:30:00-04:00',
    ]);
  });

  it('a wall time repeated by fall-back is its first occurrence', () => {
    const series = timedSeries('America/New_York', '2024-11-02T01:30:00', '2024-11-02T02:00:00', [
      'RRULE:FREQ=DAILY;COUNT=2',
    ]);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-11-02T01:30:00-04:00',
      '2024-11-03T01:30:00-04:00',
    ]);
  });

  it('an instance exactly on UNTIL is kept, also when its offset differs from DTSTART', () => {
    // 09:00 CEST on 2 April is 07:00Z: exactly UNTIL.
    const series = timedSeries('Europe/Berlin', '2024-03-29T09:00:00', '2024-03-29T10:00:00', [
      'RRULE:FREQ=DAILY;UNTIL=20240402T070000Z',
    ]);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-03-29T09:00:00+01:00',
      '2024-03-30T09:00:00+01:00',
      '2024-03-31T09:00:00+02:00',
      '2024-04-01T09:00:00+02:00',
      '2024-04-02T09:00:00+02:00',
    ]);
  });

  it('a start written with an offset is placed in its timeZone', () => {
    const series = timedSeries('Asia/Tokyo', '2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z', [
      'RRULE:FREQ=DAILY;COUNT=2',
    ]);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-01-01T09:00:00+09:00',
      '2024-01-02T09:00:00+09:00',
    ]);
  });

  it('a zone with a 30-minute offset and southern-hemisphere DST (Australia/Adelaide)', () => {
    const series = timedSeries('Australia/Adelaide', '2024-04-06T12:00:00', '2024-04-06T13:00:00', [
      'RRULE:FREQ=DAILY;COUNT=2',
    ]);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-04-06T12:00:00+10:30',
      '2024-04-07T12:00:00+09:30',
    ]);
  });
});
