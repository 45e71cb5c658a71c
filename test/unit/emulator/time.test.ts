import { describe, expect, it } from 'vitest';
import { renderInstant } from '../../../emulator/google/calendar/time.ts';
import { expandEvents } from '../../../lambdas/shared/domain/expansion/index.ts';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';

/** What the expansion prints for an occurrence starting at `iso` in `zone`: the emulator must print the same. */
function expandedStart(iso: string, zone: string): string {
  const event: GoogleEvent = {
    id: 'abcde12345',
    start: { dateTime: iso, timeZone: zone },
    end: { dateTime: new Date(Date.parse(iso) + 3_600_000).toISOString(), timeZone: zone },
    extendedProperties: { private: { icsUid: 'u@example.com', icsHash: 'h' } },
  };
  const window = { timeMin: new Date(Date.parse(iso) - 1), timeMax: new Date(Date.parse(iso) + 1) };
  const [occurrence] = expandEvents([event], window);
  if (!occurrence || !('dateTime' in occurrence.start)) throw new Error(`no timed occurrence at ${iso}`);
  return occurrence.start.dateTime;
}

describe('emulator: instants rendered as Google prints them', () => {
  it('prints Z in UTC and the zone offset in hours and minutes elsewhere', () => {
    expect(renderInstant(Date.parse('2026-01-05T08:00:00Z'), 'UTC')).toBe('2026-01-05T08:00:00Z');
    expect(renderInstant(Date.parse('2026-01-05T08:00:00Z'), 'Europe/Berlin')).toBe(
      '2026-01-05T09:00:00+01:00',
    );
    expect(renderInstant(Date.parse('2026-01-05T12:00:00Z'), 'America/St_Johns')).toBe(
      '2026-01-05T08:30:00-03:30',
    );
  });

  it('prints a whole-minute offset for a zone whose offset had seconds (Monrovia, -00:44:30 until 1972)', () => {
    const rendered = renderInstant(Date.parse('1960-06-01T12:00:00Z'), 'Africa/Monrovia');
    expect(rendered).toMatch(/^1960-06-01T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  });

  it('prints what the expansion prints, whole-minute offsets or not', () => {
    for (const [iso, zone] of [
      ['2026-07-01T10:00:00Z', 'Europe/Berlin'],
      ['2026-01-05T12:00:00Z', 'Asia/Kathmandu'],
      ['1960-06-01T12:00:00Z', 'Africa/Monrovia'],
    ] as const) {
      expect(renderInstant(Date.parse(iso), zone), zone).toBe(expandedStart(iso, zone));
    }
  });
});
