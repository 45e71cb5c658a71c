import { describe, expect, it } from 'vitest';
import { calendar, map, only, vevent } from './helpers.ts';

/** Horizon 2025-2027: after Ciudad Juarez joined US Mountain time (2022-11-30). */
const RECENT = { horizon: { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2027-06-01T00:00:00Z') } };
const startOf = (...lines: string[]) =>
  only(map(calendar(...lines), RECENT)).start as { dateTime: string; timeZone?: string };

describe('zone names in the mapping are ones Google takes', () => {
  it('writes a renamed zone under its older name, at the same instant', () => {
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID=Europe/Kyiv:20260705T100000'))).toEqual({
      dateTime: '2026-07-05T10:00:00+03:00',
      timeZone: 'Europe/Kiev',
    });
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID=Asia/Yangon:20260705T100000')).timeZone).toBe(
      'Asia/Rangoon',
    );
  });

  it('writes Ciudad Juarez as America/Denver over a horizon where they agree', () => {
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID=America/Ciudad_Juarez:20260705T100000'))).toEqual({
      dateTime: '2026-07-05T10:00:00-06:00',
      timeZone: 'America/Denver',
    });
  });

  it('maps the floating zone (X-WR-TIMEZONE) too', () => {
    const start = startOf('X-WR-TIMEZONE:America/Nuuk', ...vevent('UID:a', 'DTSTART:20260105T100000'));
    expect(start.timeZone).toBe('America/Godthab');
    expect(start.dateTime).toBe('2026-01-05T10:00:00-02:00');
  });

  it('writes a fixed offset with no real zone in UTC, at the right instant', () => {
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID=Etc/GMT+12:20260705T100000'))).toEqual({
      dateTime: '2026-07-05T22:00:00Z',
      timeZone: 'UTC',
    });
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID="(UTC+12:45)":20260705T100000'))).toEqual({
      dateTime: '2026-07-04T21:15:00Z',
      timeZone: 'UTC',
    });
  });

  it('reads a bare half-hour offset as a real zone of that offset', () => {
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID="(UTC+05:30)":20260705T100000'))).toEqual({
      dateTime: '2026-07-05T10:00:00+05:30',
      timeZone: 'Asia/Kolkata',
    });
  });

  it('writes recurrence lines with the name Google takes', () => {
    const event = only(
      map(
        calendar(
          ...vevent(
            'UID:s',
            'DTSTART;TZID=Europe/Kyiv:20260105T100000',
            'RRULE:FREQ=WEEKLY;COUNT=3',
            'EXDATE;TZID=Europe/Kyiv:20260112T100000',
          ),
        ),
        RECENT,
      ),
    );
    expect(event.start).toMatchObject({ timeZone: 'Europe/Kiev' });
    expect(event.recurrence?.join('\n')).not.toMatch(/Kyiv/);
  });
});
