import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { ExpansionError } from '../../../lambdas/shared/domain/expansion/index.ts';
import {
  canonicalIana,
  findTimeZone,
  listIanaZones,
  type OffsetAt,
  timeZoneNamed,
  wallToUtc,
} from '../../../lambdas/shared/domain/time/zone.ts';

/** The offset-and-wall-time module every part of the domain uses (expansion, ICS mapping, reconcile, emulator). */
const HOUR = 3_600_000;
const at = (iso: string): number => Date.parse(iso);
const offsetIn = (zone: string, iso: string): number => timeZoneNamed(zone).offsetAt(at(iso));

describe('offsets of IANA zones', () => {
  it('changes at the transition itself, to the second', () => {
    expect(offsetIn('Europe/Berlin', '2024-03-31T00:59:59Z')).toBe(HOUR);
    expect(offsetIn('Europe/Berlin', '2024-03-31T01:00:00Z')).toBe(2 * HOUR);
    expect(offsetIn('Europe/Berlin', '2024-10-27T00:59:59Z')).toBe(2 * HOUR);
    expect(offsetIn('Europe/Berlin', '2024-10-27T01:00:00Z')).toBe(HOUR);
  });

  it('finds transitions on the half hour (Lord Howe moves by 30 minutes at 15:30Z)', () => {
    expect(offsetIn('Australia/Lord_Howe', '2024-10-05T15:29:59Z')).toBe(10.5 * HOUR);
    expect(offsetIn('Australia/Lord_Howe', '2024-10-05T15:30:00Z')).toBe(11 * HOUR);
  });

  it('keeps a daylight-saving time that lasted a single week (Boa Vista, October 2000)', () => {
    expect(offsetIn('America/Boa_Vista', '2000-10-08T03:59:59Z')).toBe(-4 * HOUR);
    expect(offsetIn('America/Boa_Vista', '2000-10-11T12:00:00Z')).toBe(-3 * HOUR);
    expect(offsetIn('America/Boa_Vista', '2000-10-15T03:00:00Z')).toBe(-4 * HOUR);
  });

  it('keeps the seconds of historical offsets (Monrovia was 44:30 behind UTC until 1972)', () => {
    expect(offsetIn('Africa/Monrovia', '1971-06-01T00:00:00Z')).toBe(-(44 * 60 + 30) * 1000);
    expect(offsetIn('Africa/Monrovia', '1972-01-07T00:44:29Z')).toBe(-(44 * 60 + 30) * 1000);
    expect(offsetIn('Africa/Monrovia', '1972-01-07T00:44:30Z')).toBe(0);
  });

  it('agrees with Temporal at any instant, in any zone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          'Europe/Berlin',
          'America/New_York',
          'America/Sao_Paulo',
          'Asia/Gaza',
          'Africa/Casablanca',
          'Australia/Lord_Howe',
          'Asia/Kolkata',
          'Pacific/Apia',
          'Europe/Moscow',
        ),
        fc.integer({ min: at('1950-01-01T00:00:00Z') / 1000, max: at('2050-01-01T00:00:00Z') / 1000 }),
        (zone, seconds) => {
          const expected = Temporal.Instant.fromEpochMilliseconds(seconds * 1000).toZonedDateTimeISO(zone);
          expect(offsetIn(zone, new Date(seconds * 1000).toISOString())).toBe(
            expected.offsetNanoseconds / 1e6,
          );
        },
      ),
      { numRuns: 400, seed: 5545 },
    );
  });
});

describe('wall-clock time to instant (RFC 5545 3.3.5)', () => {
  const newYork = () => timeZoneNamed('America/New_York');

  it('reads a time skipped by spring-forward with the offset before the gap', () => {
    expect(newYork().toUtc(at('2024-03-10T02:30:00Z'))).toBe(at('2024-03-10T07:30:00Z'));
  });

  it('reads a time repeated by fall-back as its first occurrence', () => {
    expect(newYork().toUtc(at('2024-11-03T01:30:00Z'))).toBe(at('2024-11-03T05:30:00Z'));
  });

  it('works on any offset function, such as a VTIMEZONE of the feed', () => {
    const switchAt = at('2024-06-01T00:00:00Z');
    const custom: OffsetAt = (utcMs) => (utcMs < switchAt ? 3 * HOUR : 2 * HOUR);
    // 02:30 wall on 1 June exists twice (03:00 -> 02:00 at 00:00Z): the first one, still at +03:00.
    expect(wallToUtc(at('2024-06-01T02:30:00Z'), custom)).toBe(at('2024-05-31T23:30:00Z'));
    expect(wallToUtc(at('2024-07-01T12:00:00Z'), custom)).toBe(at('2024-07-01T10:00:00Z'));
  });

  it('agrees with Temporal ("compatible") for any wall time', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago'),
        fc.integer({ min: at('1990-01-01T00:00:00Z') / 60_000, max: at('2040-01-01T00:00:00Z') / 60_000 }),
        (zone, minutes) => {
          const wall = minutes * 60_000;
          const plain = Temporal.PlainDateTime.from(new Date(wall).toISOString().slice(0, 19));
          const expected = plain.toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
          expect(timeZoneNamed(zone).toUtc(wall)).toBe(expected);
        },
      ),
      { numRuns: 400, seed: 3305 },
    );
  });
});

describe('zone names', () => {
  it('knows IANA names and their aliases, UTC, and fixed offsets', () => {
    expect(findTimeZone('US/Eastern')?.offsetAt(at('2024-01-15T12:00:00Z'))).toBe(-5 * HOUR);
    expect(findTimeZone('UTC')?.offsetAt(at('2024-07-01T00:00:00Z'))).toBe(0);
    expect(findTimeZone('+05:30')?.toUtc(at('2024-01-01T05:30:00Z'))).toBe(at('2024-01-01T00:00:00Z'));
    expect(findTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(() => timeZoneNamed('Mars/Olympus_Mons')).toThrow(ExpansionError);
  });

  it('resolves aliases to the IANA name and refuses what is not a zone name', () => {
    expect(canonicalIana('US/Central')).toBe('America/Chicago');
    expect(canonicalIana('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalIana('+01:00')).toBeUndefined();
    expect(canonicalIana('W. Europe Standard Time')).toBeUndefined();
    const zones = listIanaZones();
    expect(zones).toContain('Europe/Berlin');
    expect([...zones].sort()).toEqual(zones);
  });
});
