import { describe, expect, it } from 'vitest';
import { seriesDuration, shiftBy, startFromBasic } from '../../../lambdas/shared/domain/reconcile/times.ts';

describe('reconcile times', () => {
  it('reads original starts in basic format in the style of the series', () => {
    expect(startFromBasic('20260105', { date: '2026-01-01' })).toEqual({ date: '2026-01-05' });
    expect(
      startFromBasic('20260105T080000Z', { dateTime: '2026-01-01T09:00:00', timeZone: 'Europe/Berlin' }),
    ).toEqual({
      dateTime: '2026-01-05T08:00:00Z',
      timeZone: 'Europe/Berlin',
    });
    expect(startFromBasic('2026-01-05', { date: '2026-01-01' })).toBeUndefined();
  });

  it('measures a zoned series by its instants, across a DST change too', () => {
    // 01:30 to 03:30 Berlin on the night clocks go forward lasts one hour.
    const night = {
      start: { dateTime: '2026-03-29T01:30:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-03-29T03:30:00', timeZone: 'Europe/Berlin' },
    };
    expect(seriesDuration(night)).toEqual({ ms: 3_600_000 });
    expect(seriesDuration({ start: { date: '2026-03-01' }, end: { date: '2026-03-04' } })).toEqual({
      days: 3,
    });
  });

  it('reads zoned times repeated or skipped by DST as RFC 5545 does, and offsets as written', () => {
    // 02:30 Berlin on 25 October 2026 happens twice: the first (00:30Z); 03:30 comes after fall-back (02:30Z).
    const repeated = {
      start: { dateTime: '2026-10-25T02:30:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-10-25T03:30:00', timeZone: 'Europe/Berlin' },
    };
    expect(seriesDuration(repeated)).toEqual({ ms: 2 * 3_600_000 });
    // 02:30 on 29 March 2026 does not exist: read with the offset before the gap (01:30Z); 04:00 is 02:00Z.
    const skipped = {
      start: { dateTime: '2026-03-29T02:30:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-03-29T04:00:00', timeZone: 'Europe/Berlin' },
    };
    expect(seriesDuration(skipped)).toEqual({ ms: 1_800_000 });
    // A written offset wins over timeZone; no offset and no zone is UTC.
    const mixed = {
      start: { dateTime: '2026-01-05T09:00:00+01:00', timeZone: 'America/New_York' },
      end: { dateTime: '2026-01-05T09:00:00' },
    };
    expect(seriesDuration(mixed)).toEqual({ ms: 3_600_000 });
  });

  it('shifts starts by a duration, keeping the zone', () => {
    expect(
      shiftBy({ dateTime: '2026-01-05T08:00:00Z', timeZone: 'Europe/Berlin' }, { ms: 5_400_000 }),
    ).toEqual({
      dateTime: '2026-01-05T09:30:00Z',
      timeZone: 'Europe/Berlin',
    });
    expect(shiftBy({ date: '2026-02-27' }, { days: 3 })).toEqual({ date: '2026-03-02' });
  });
});
