import { describe, expect, it } from 'vitest';
import { expandSeries } from '../../../lambdas/shared/domain/expansion/index.ts';
import { exception, localStartsOf, timedSeries, windowOf } from './series-builder.ts';

const zone = 'Europe/Berlin';
const daily = timedSeries(
  zone,
  '2024-01-01T10:00:00',
  '2024-01-01T11:00:00',
  ['RRULE:FREQ=DAILY;COUNT=5'],
  'daily0001',
);
const at = (dateTime: string) => ({ dateTime, timeZone: zone });
const firstFiveDays = windowOf('2024-01-01T00:00:00Z', '2024-01-06T00:00:00Z');

describe('exceptions (instances changed in Google)', () => {
  it('an exception replaces the instance with the same originalStartTime, at its own times', () => {
    const moved = exception(
      'daily0001',
      at('2024-01-02T10:00:00+01:00'),
      at('2024-01-02T14:00:00+01:00'),
      at('2024-01-02T15:30:00+01:00'),
    );
    const occurrences = expandSeries(daily, [moved], firstFiveDays);
    expect(localStartsOf(occurrences)).toEqual([
      '2024-01-01T10:00:00+01:00',
      '2024-01-02T14:00:00+01:00',
      '2024-01-03T10:00:00+01:00',
      '2024-01-04T10:00:00+01:00',
      '2024-01-05T10:00:00+01:00',
    ]);
    const changed = occurrences[1];
    expect(changed?.event).toBe(moved);
    expect(changed?.id).toBe('daily0001_20240102T090000Z');
    expect(changed?.recurringEventId).toBe('daily0001');
    expect(changed?.originalStartTime).toEqual(at('2024-01-02T10:00:00+01:00'));
    expect(changed?.end).toEqual(at('2024-01-02T15:30:00+01:00'));
  });

  it('originalStartTime matches by instant, whatever offset or zone it is written in', () => {
    const moved = exception(
      'daily0001',
      { dateTime: '2024-01-03T09:00:00Z' },
      at('2024-01-03T12:00:00+01:00'),
      at('2024-01-03T13:00:00+01:00'),
    );
    expect(localStartsOf(expandSeries(daily, [moved], firstFiveDays))).toContain('2024-01-03T12:00:00+01:00');
    expect(localStartsOf(expandSeries(daily, [moved], firstFiveDays))).not.toContain(
      '2024-01-03T10:00:00+01:00',
    );
  });

  it('a cancelled exception removes its instance, or shows it as cancelled when asked', () => {
    const cancelled = exception(
      'daily0001',
      at('2024-01-04T10:00:00+01:00'),
      at('2024-01-04T10:00:00+01:00'),
      at('2024-01-04T11:00:00+01:00'),
      'cancelled',
    );
    expect(expandSeries(daily, [cancelled], firstFiveDays)).toHaveLength(4);
    const withCancelled = expandSeries(daily, [cancelled], firstFiveDays, { includeCancelled: true });
    expect(withCancelled.map((o) => o.status)).toEqual([
      'confirmed',
      'confirmed',
      'confirmed',
      'cancelled',
      'confirmed',
    ]);
  });

  it('an instance moved out of the window disappears from it; one moved in appears', () => {
    const movedOut = exception(
      'daily0001',
      at('2024-01-02T10:00:00+01:00'),
      at('2024-02-02T10:00:00+01:00'),
      at('2024-02-02T11:00:00+01:00'),
    );
    const movedIn = exception(
      'daily0001',
      at('2024-01-05T10:00:00+01:00'),
      at('2024-01-01T18:00:00+01:00'),
      at('2024-01-01T19:00:00+01:00'),
    );
    const firstTwoDays = windowOf('2024-01-01T00:00:00Z', '2024-01-03T00:00:00Z');
    expect(localStartsOf(expandSeries(daily, [movedOut, movedIn], firstTwoDays))).toEqual([
      '2024-01-01T10:00:00+01:00',
      '2024-01-01T18:00:00+01:00',
    ]);
    const february = windowOf('2024-02-01T00:00:00Z', '2024-03-01T00:00:00Z');
    expect(localStartsOf(expandSeries(daily, [movedOut, movedIn], february))).toEqual([
      '2024-02-02T10:00:00+01:00',
    ]);
  });

  it('exceptions of an all-day series match by date', () => {
    const series = {
      ...daily,
      start: { date: '2024-01-01' },
      end: { date: '2024-01-02' },
    };
    const moved = exception(
      'daily0001',
      { date: '2024-01-02' },
      { date: '2024-01-09' },
      { date: '2024-01-10' },
    );
    const occurrences = expandSeries(
      series,
      [moved],
      windowOf('2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'),
    );
    expect(localStartsOf(occurrences)).toEqual([
      '2024-01-01',
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
      '2024-01-09',
    ]);
    expect(occurrences.at(-1)?.id).toBe('daily0001_20240102');
  });

  it('a cancelled series shows nothing, unless cancelled occurrences are asked for', () => {
    const cancelledSeries = { ...daily, status: 'cancelled' as const };
    expect(expandSeries(cancelledSeries, [], firstFiveDays)).toEqual([]);
    const all = expandSeries(cancelledSeries, [], firstFiveDays, { includeCancelled: true });
    expect(all.map((o) => o.status)).toEqual(Array(5).fill('cancelled'));
  });
});
