import { describe, expect, it } from 'vitest';
import { ExpansionError, expandSeries } from '../../../lambdas/shared/domain/expansion/index.ts';
import { allDaySeries, localStartsOf, timedSeries, WIDE } from './series-builder.ts';

const weeklyBerlin = (extra: string[]) =>
  timedSeries('Europe/Berlin', '2024-01-01T10:00:00', '2024-01-01T11:00:00', [
    'RRULE:FREQ=WEEKLY;COUNT=4',
    ...extra,
  ]);

describe('EXDATE', () => {
  it('matches instants written in UTC or in another zone', () => {
    const series = weeklyBerlin([
      'EXDATE:20240108T090000Z',
      'EXDATE;TZID=America/New_York:20240115T040000',
      'EXDATE:20240122T100000Z', // 11:00 Berlin: not an instance, removes nothing
    ]);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-01-01T10:00:00+01:00',
      '2024-01-22T10:00:00+01:00',
    ]);
  });

  it('takes several values on one line and a quoted TZID', () => {
    const series = weeklyBerlin(['EXDATE;TZID="Europe/Berlin":20240108T100000,20240115T100000']);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-01-01T10:00:00+01:00',
      '2024-01-22T10:00:00+01:00',
    ]);
  });

  it('a DATE on a timed series excludes nothing, as in Google (value types must match)', () => {
    const series = weeklyBerlin(['EXDATE;VALUE=DATE:20240108']);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toHaveLength(4);
  });

  it('removes a date from an all-day series', () => {
    const series = allDaySeries('2024-01-01', '2024-01-02', [
      'RRULE:FREQ=DAILY;COUNT=3',
      'EXDATE;VALUE=DATE:20240102',
    ]);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual(['2024-01-01', '2024-01-03']);
  });
});

describe('RDATE', () => {
  it('adds instants (in the series zone when floating), deduplicated with rule instances', () => {
    const series = weeklyBerlin(['RDATE:20240103T150000', 'RDATE:20240108T090000Z']);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-01-01T10:00:00+01:00',
      '2024-01-03T15:00:00+01:00',
      '2024-01-08T10:00:00+01:00',
      '2024-01-15T10:00:00+01:00',
      '2024-01-22T10:00:00+01:00',
    ]);
  });

  it("VALUE=PERIOD is refused, as Google does (the ICS mapping writes the periods' starts instead)", () => {
    for (const line of [
      'RDATE;VALUE=PERIOD:20240110T140000Z/20240110T153000Z',
      'RDATE;TZID=America/New_York;VALUE=PERIOD:20240112T080000/PT30M',
      'RDATE:20240110T140000Z/PT2H',
    ]) {
      const series = timedSeries('Europe/Berlin', '2024-01-01T10:00:00', '2024-01-01T11:00:00', [line]);
      expect(() => expandSeries(series, [], WIDE), line).toThrow(ExpansionError);
    }
  });

  it('VALUE=DATE adds days to an all-day series, keeping its length', () => {
    const series = allDaySeries('2024-01-01', '2024-01-03', ['RDATE;VALUE=DATE:20240110,20240120']);
    const occurrences = expandSeries(series, [], WIDE);
    expect(occurrences.map((o) => [o.start, o.end].map((t) => ('date' in t ? t.date : '')))).toEqual([
      ['2024-01-01', '2024-01-03'],
      ['2024-01-10', '2024-01-12'],
      ['2024-01-20', '2024-01-22'],
    ]);
  });

  it('an EXDATE also removes an RDATE', () => {
    const series = weeklyBerlin(['RDATE:20240103T140000Z', 'EXDATE:20240103T140000Z']);
    expect(expandSeries(series, [], WIDE)).toHaveLength(4);
  });
});

describe('all-day series', () => {
  it('UNTIL as a DATE is inclusive', () => {
    const series = allDaySeries('2024-01-01', '2024-01-02', ['RRULE:FREQ=WEEKLY;UNTIL=20240122']);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-01-01',
      '2024-01-08',
      '2024-01-15',
      '2024-01-22',
    ]);
  });

  it('multi-day instances keep their length and an exclusive end', () => {
    const series = allDaySeries('2024-02-28', '2024-03-02', ['RRULE:FREQ=YEARLY;COUNT=2']);
    const occurrences = expandSeries(series, [], WIDE);
    expect(occurrences.map((o) => [o.start, o.end])).toEqual([
      [{ date: '2024-02-28' }, { date: '2024-03-02' }],
      [{ date: '2025-02-28' }, { date: '2025-03-03' }],
    ]);
  });
});
