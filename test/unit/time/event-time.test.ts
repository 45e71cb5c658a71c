import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeInputError } from '../../../lambdas/shared/domain/time/errors.ts';
import {
  formatEventDateTime,
  instantOf,
  parseGoogleDate,
  readEventDateTime,
} from '../../../lambdas/shared/domain/time/event-time.ts';
import { timeZoneNamed } from '../../../lambdas/shared/domain/time/zone.ts';

/** The one reading of Google's EventDateTime (lambdas/shared/domain/time/event-time.ts). */

describe('instantOf', () => {
  it('agrees with Date.parse on every form Google and the mapping write, and on the others RFC 3339 allows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1) / 1000, max: Date.UTC(2200, 0, 1) / 1000 }),
        fc.constantFrom('Z', 'z', '+01:00', '-04:30', '+14:00', '+05:45', '-00:00'),
        fc.constantFrom('', '.5', '.123456'),
        fc.boolean(),
        (seconds, offset, fraction, withSeconds) => {
          const wall = new Date(seconds * 1000).toISOString().slice(0, withSeconds ? 19 : 16);
          const text = `${wall}${withSeconds ? fraction : ''}${offset}`;
          // Google keeps whole seconds: a fraction is dropped, so compare with the whole second.
          const expected = Date.parse(`${wall}${offset.toUpperCase()}`);
          expect(instantOf({ dateTime: text }), text).toBe(expected);
          expect(instantOf({ dateTime: text, timeZone: 'Mars/Olympus_Mons' }), text).toBe(expected);
        },
      ),
      { numRuns: 500, seed: 3339 },
    );
  });

  it('reads a date-time without offset in its timeZone, else the fallback zone, else UTC', () => {
    const wall = '2026-07-01T12:00:00';
    expect(instantOf({ dateTime: wall, timeZone: 'Europe/Berlin' })).toBe(Date.parse('2026-07-01T10:00:00Z'));
    expect(instantOf({ dateTime: wall }, 'America/New_York')).toBe(Date.parse('2026-07-01T16:00:00Z'));
    expect(instantOf({ dateTime: wall })).toBe(Date.parse('2026-07-01T12:00:00Z'));
    expect(instantOf({ date: '2026-07-01' })).toBe(Date.parse('2026-07-01T00:00:00Z'));
  });

  it('refuses what is no real date or time, with the time model error', () => {
    for (const value of [
      { date: '2026-02-30' },
      { date: '2026-13-01' },
      { dateTime: '2026-02-30T10:00:00Z' },
      { dateTime: '2026-01-05T24:00:00Z' },
      { dateTime: '2026-01-05T10:60:00+01:00' },
      { dateTime: '2026-01-05 10:00:00Z' },
      { dateTime: '2026-01-05T10:00:00+1:00' },
      {},
    ]) {
      expect(() => instantOf(value), JSON.stringify(value)).toThrow(TimeInputError);
    }
    expect(parseGoogleDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
  });
});

describe('EventDateTime on the time line and back', () => {
  it('reads the zone a value is shown in and writes it back the same', () => {
    for (const value of [
      { dateTime: '2026-03-29T03:30:00+02:00', timeZone: 'Europe/Berlin' },
      { dateTime: '2026-01-05T08:30:00-03:30', timeZone: 'America/St_Johns' },
      { dateTime: '2026-01-05T08:00:00Z', timeZone: 'UTC' },
      { date: '2026-01-05' },
    ]) {
      const placed = readEventDateTime(value);
      expect(formatEventDateTime(placed, placed.timeZone)).toEqual(value);
    }
  });

  it('writes a whole-minute offset that denotes the instant exactly, also where the offset had seconds', () => {
    const utcMs = Date.parse('1960-06-01T12:00:00Z');
    const written = formatEventDateTime({ allDay: false, utcMs, zone: timeZoneNamed('Africa/Monrovia') });
    expect(written).toEqual({ dateTime: '1960-06-01T11:16:00-00:44' });
    expect(instantOf(written)).toBe(utcMs);
  });
});
