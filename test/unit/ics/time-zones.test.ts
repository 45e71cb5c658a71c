import { describe, expect, it } from 'vitest';
import { calendar, map, only, VTIMEZONE_CET_CUSTOM, vevent } from './helpers.ts';

/** The start of the only event, typed as a timed one (these tests are about timed values). */
const startOf = (...lines: string[]) =>
  only(map(calendar(...lines))).start as { dateTime: string; timeZone?: string };

describe('time zones', () => {
  it('keeps IANA zones and writes the offset in force', () => {
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID=Europe/Berlin:20240705T100000'))).toEqual({
      dateTime: '2024-07-05T10:00:00+02:00',
      timeZone: 'Europe/Berlin',
    });
  });

  it('resolves IANA aliases to the name Intl knows', () => {
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID=US/Central:20240105T100000'))).toEqual({
      dateTime: '2024-01-05T10:00:00-06:00',
      timeZone: 'America/Chicago',
    });
  });

  it('maps Windows zone names through the CLDR table', () => {
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID=W. Europe Standard Time:20240105T100000'))).toEqual({
      dateTime: '2024-01-05T10:00:00+01:00',
      timeZone: 'Europe/Berlin',
    });
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID="Eastern Standard Time":20240105T100000')).timeZone).toBe(
      'America/New_York',
    );
  });

  it('maps Outlook display names by their places, checking the stated offset', () => {
    expect(
      startOf(
        ...vevent(
          'UID:a',
          'DTSTART;TZID="(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna":20240105T100000',
        ),
      ),
    ).toEqual({ dateTime: '2024-01-05T10:00:00+01:00', timeZone: 'Europe/Amsterdam' });
    expect(
      startOf(...vevent('UID:a', 'DTSTART;TZID="(UTC-05:00) Eastern Time (US & Canada)":20240105T100000'))
        .timeZone,
    ).toBe('America/New_York');
    expect(
      startOf(...vevent('UID:a', 'DTSTART;TZID="(GMT+10:00) Canberra, Melbourne, Sydney":20240105T100000'))
        .timeZone,
    ).toBe('Australia/Melbourne');
  });

  it('maps a bare "(GMT +01:00)" to a real zone with that one offset (Google is not shown to take Etc/GMT-1)', () => {
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID="(GMT +01:00)":20240705T100000'))).toEqual({
      dateTime: '2024-07-05T10:00:00+01:00',
      timeZone: 'Africa/Lagos',
    });
  });

  it('takes the IANA name at the end of a vendor path', () => {
    expect(
      startOf(...vevent('UID:a', 'DTSTART;TZID=/mozilla.org/20050126_1/Europe/Paris:20240105T100000'))
        .timeZone,
    ).toBe('Europe/Paris');
  });

  it('maps a custom VTIMEZONE to the IANA zone with the same rules', () => {
    const start = startOf(
      ...VTIMEZONE_CET_CUSTOM,
      ...vevent('UID:a', 'DTSTART;TZID=My Office Zone:20240705T100000'),
    );
    expect(start).toEqual({ dateTime: '2024-07-05T10:00:00+02:00', timeZone: 'Europe/Berlin' });
  });

  it('writes UTC times for a custom VTIMEZONE that no IANA zone follows', () => {
    const odd = [
      'BEGIN:VTIMEZONE',
      'TZID:Odd',
      'BEGIN:STANDARD',
      'DTSTART:19700101T000000',
      'TZOFFSETFROM:+0317',
      'TZOFFSETTO:+0317',
      'END:STANDARD',
      'END:VTIMEZONE',
    ];
    expect(startOf(...odd, ...vevent('UID:a', 'DTSTART;TZID=Odd:20240105T100000'))).toEqual({
      dateTime: '2024-01-05T06:43:00Z',
      timeZone: 'UTC',
    });
  });

  it('reads floating times in X-WR-TIMEZONE, else in the default zone', () => {
    const floating = vevent('UID:a', 'DTSTART:20240105T100000');
    expect(startOf('X-WR-TIMEZONE:Europe/Zurich', ...floating)).toEqual({
      dateTime: '2024-01-05T10:00:00+01:00',
      timeZone: 'Europe/Zurich',
    });
    expect(only(map(calendar(...floating), { defaultTimeZone: 'America/New_York' })).start).toEqual({
      dateTime: '2024-01-05T10:00:00-05:00',
      timeZone: 'America/New_York',
    });
  });

  it('keeps UTC times in UTC', () => {
    expect(startOf(...vevent('UID:a', 'DTSTART:20240105T100000Z'))).toEqual({
      dateTime: '2024-01-05T10:00:00Z',
      timeZone: 'UTC',
    });
  });

  it('allows DTSTART and DTEND in different zones', () => {
    const event = only(
      map(
        calendar(
          ...vevent(
            'UID:flight',
            'DTSTART;TZID=Europe/Berlin:20240105T100000',
            'DTEND;TZID=America/New_York:20240105T130000',
          ),
        ),
      ),
    );
    expect(event.start).toEqual({ dateTime: '2024-01-05T10:00:00+01:00', timeZone: 'Europe/Berlin' });
    expect(event.end).toEqual({ dateTime: '2024-01-05T13:00:00-05:00', timeZone: 'America/New_York' });
  });

  it('reads a local DTEND in the zone of a zoned DTSTART', () => {
    const event = only(
      map(
        calendar(...vevent('UID:a', 'DTSTART;TZID=Europe/Berlin:20240105T100000', 'DTEND:20240105T110000')),
      ),
    );
    expect(event.end).toEqual({ dateTime: '2024-01-05T11:00:00+01:00', timeZone: 'Europe/Berlin' });
  });

  it('reads an unknown TZID as floating, with a warning', () => {
    const feed = map(calendar(...vevent('UID:a', 'DTSTART;TZID=Nowhere Standard:20240105T100000')));
    expect(only(feed).start).toEqual({ dateTime: '2024-01-05T10:00:00Z', timeZone: 'UTC' });
    expect(feed.warnings).toEqual([
      { reason: 'unknown time zone Nowhere Standard: its times are read as floating (UTC)' },
    ]);
  });

  it('takes the first of a repeated wall time and skips over a missing one (RFC 5545 3.3.5)', () => {
    // Europe/Berlin: 2024-10-27 02:30 happens twice; 2024-03-31 02:30 does not happen.
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID=Europe/Berlin:20241027T023000')).dateTime).toBe(
      '2024-10-27T02:30:00+02:00',
    );
    expect(startOf(...vevent('UID:a', 'DTSTART;TZID=Europe/Berlin:20240331T023000')).dateTime).toBe(
      '2024-03-31T03:30:00+02:00',
    );
  });
});
