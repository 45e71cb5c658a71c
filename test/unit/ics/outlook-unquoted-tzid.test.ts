import { describe, expect, it } from 'vitest';
import { parseContentLine } from '../../../lambdas/shared/domain/ics/content-lines.ts';
import { calendar, map, only, vevent } from './helpers.ts';

/** Outlook writes display-name TZIDs unquoted, although their colon must be quoted (RFC 5545 3.2). */
describe('unquoted TZID parameters with a colon in parentheses (Outlook)', () => {
  it('reads the parenthesised part as the parameter value, up to the matching parenthesis', () => {
    expect(parseContentLine('DTSTART;TZID=(GMT+01:00):20240705T100000')).toEqual({
      name: 'DTSTART',
      params: { TZID: '(GMT+01:00)' },
      value: '20240705T100000',
    });
    expect(
      parseContentLine('DTSTART;TZID=(UTC+01:00) Amsterdam, Berlin, Bern;VALUE=DATE-TIME:20240105T100000'),
    ).toEqual({
      name: 'DTSTART',
      params: { TZID: '(UTC+01:00) Amsterdam, Berlin, Bern', VALUE: 'DATE-TIME' },
      value: '20240105T100000',
    });
  });

  it('leaves an unclosed parenthesis to the usual reading (the first colon ends the parameters)', () => {
    expect(parseContentLine('DTSTART;TZID=(GMT+01:00:20240705T100000')).toEqual({
      name: 'DTSTART',
      params: { TZID: '(GMT+01' },
      value: '00:20240705T100000',
    });
  });

  it('maps such an event: a bare "(GMT+01:00)" becomes a zone of that one offset, a display name its zone', () => {
    const bare = only(
      map(
        calendar(
          ...vevent(
            'UID:a',
            'DTSTART;TZID=(GMT+01:00):20240705T100000',
            'DTEND;TZID=(GMT+01:00):20240705T110000',
          ),
        ),
      ),
    );
    expect(bare.start).toEqual({ dateTime: '2024-07-05T10:00:00+01:00', timeZone: 'Africa/Lagos' });
    const named = only(
      map(
        calendar(
          ...vevent(
            'UID:b',
            'DTSTART;TZID=(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna:20240105T100000',
          ),
        ),
      ),
    );
    expect(named.start).toEqual({ dateTime: '2024-01-05T10:00:00+01:00', timeZone: 'Europe/Amsterdam' });
  });
});
