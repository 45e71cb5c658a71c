import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../lambdas/shared/domain/time/civil.ts';
import {
  GOOGLE_ZONE_CANDIDATES,
  googleZoneFor,
  googleZoneForOffset,
} from '../../../lambdas/shared/domain/time/google-zones.ts';
import { isGoogleTimeZoneName, timeZoneNamed } from '../../../lambdas/shared/domain/time/zone.ts';

const span = (fromYear: number, toYear: number) => ({
  fromMs: Date.UTC(fromYear, 0, 1),
  toMs: Date.UTC(toYear + 1, 0, 1),
});
const HORIZON = span(2025, 2027);
/** Names Google has refused or is not shown to take: the mapping must never send them. */
const REFUSED =
  /^(Europe\/Kyiv|America\/Nuuk|Pacific\/Kanton|America\/Ciudad_Juarez|Asia\/Yangon|Etc\/GMT[+-]\d+)$/;

const nameOf = (name: string, over = HORIZON) => {
  const zone = googleZoneFor(name, over);
  return zone.kind === 'named' ? zone.name : 'UTC times';
};

describe('zone names sent to Google', () => {
  it('sends the older name of a zone tzdata renamed after Google last took names', () => {
    expect(nameOf('Europe/Kyiv')).toBe('Europe/Kiev');
    expect(nameOf('America/Nuuk')).toBe('America/Godthab');
    expect(nameOf('Pacific/Kanton')).toBe('Pacific/Enderbury');
    expect(nameOf('Asia/Yangon')).toBe('Asia/Rangoon');
  });

  it('keeps every other name as it is', () => {
    expect(nameOf('Europe/Berlin')).toBe('Europe/Berlin');
    expect(nameOf('UTC')).toBe('UTC');
    expect(nameOf('Etc/GMT+0')).toBe('Etc/GMT+0');
  });

  it('sends Ciudad Juarez as Denver where both keep US Mountain time, else UTC times with its own offsets', () => {
    expect(nameOf('America/Ciudad_Juarez', span(2024, 2027))).toBe('America/Denver');
    // From 2022-10-30 to 2022-11-30 Ciudad Juarez stayed at -06:00 (Mexico ended DST) while Denver went to -07:00.
    const before = googleZoneFor('America/Ciudad_Juarez', span(2021, 2023));
    expect(before.kind).toBe('utc');
    const juarez = timeZoneNamed('America/Ciudad_Juarez').offsetAt;
    const at = Date.UTC(2022, 10, 15);
    if (before.kind === 'utc') expect(before.offsetAt(at)).toBe(juarez(at));
    expect(juarez(at)).not.toBe(timeZoneNamed('America/Denver').offsetAt(at));
  });

  it('sends a fixed Etc/GMT offset as a real zone with that one offset all over the span', () => {
    expect(nameOf('Etc/GMT-1')).toBe('Africa/Lagos');
    expect(nameOf('Etc/GMT+3')).toBe('America/Sao_Paulo');
    expect(nameOf('Etc/GMT-14')).toBe('Pacific/Kiritimati');
    // Sao Paulo kept DST until 2019: over a span reaching back there, the next candidate.
    expect(nameOf('Etc/GMT+3', span(2018, 2020))).toBe('America/Argentina/Buenos_Aires');
  });

  it('sends UTC times when no real zone keeps the offset (-12:00, +12:45)', () => {
    const zone = googleZoneFor('Etc/GMT+12', HORIZON);
    expect(zone.kind).toBe('utc');
    if (zone.kind === 'utc') expect(zone.offsetAt(Date.UTC(2026, 6, 1))).toBe(-12 * HOUR_MS);
    const chatham = googleZoneForOffset(12 * 60 + 45, HORIZON);
    expect(chatham.kind).toBe('utc');
    if (chatham.kind === 'utc') expect(chatham.offsetAt(0)).toBe((12 * 60 + 45) * MINUTE_MS);
  });

  it('finds a zone for the non-whole-hour offsets too', () => {
    const named = (minutes: number) => {
      const zone = googleZoneForOffset(minutes, HORIZON);
      return zone.kind === 'named' ? zone.name : undefined;
    };
    expect(named(5 * 60 + 30)).toBe('Asia/Kolkata');
    expect(named(5 * 60 + 45)).toBe('Asia/Kathmandu');
    expect(named(-(9 * 60 + 30))).toBe('Pacific/Marquesas');
    expect(named(0)).toBe('UTC');
  });

  it('answers for every offset a zone whose offset is that one, all over the span (checked with Intl)', () => {
    for (let minutes = -12 * 60; minutes <= 14 * 60; minutes += 15) {
      const zone = googleZoneForOffset(minutes, HORIZON);
      if (zone.kind !== 'named') continue;
      const { offsetAt } = timeZoneNamed(zone.name);
      for (let t = HORIZON.fromMs; t < HORIZON.toMs; t += 6 * HOUR_MS)
        expect(offsetAt(t), `${zone.name} at ${new Date(t).toISOString()}`).toBe(minutes * MINUTE_MS);
    }
  });

  it('only ever answers names Google takes', () => {
    for (const name of GOOGLE_ZONE_CANDIDATES) {
      expect(name).not.toMatch(REFUSED);
      expect(isGoogleTimeZoneName(name), name).toBe(true);
    }
  });
});
