import { describe, expect, it } from 'vitest';
import { TEXT_LIMITS } from '../../../lambdas/shared/domain/google-event.ts';
import { calendar, map, only, vevent } from './helpers.ts';

describe('text and status fields', () => {
  it('maps summary, description and location, unescaping ICS text', () => {
    const event = only(
      map(
        calendar(
          ...vevent(
            'UID:a',
            'DTSTART:20240105T100000Z',
            'SUMMARY:Lunch\\, then a walk\\; maybe',
            'DESCRIPTION:Line one\\nLine two\\NLine three\\\\end',
            'LOCATION:Room 1\\, Building A',
          ),
        ),
      ),
    );
    expect(event.summary).toBe('Lunch, then a walk; maybe');
    expect(event.description).toBe('Line one\nLine two\nLine three\\end');
    expect(event.location).toBe('Room 1, Building A');
  });

  it('shortens text over the limits Google takes, never splitting a character', () => {
    const event = only(
      map(
        calendar(
          ...vevent(
            'UID:a',
            'DTSTART:20240105T100000Z',
            `SUMMARY:${'s'.repeat(2000)}`,
            `DESCRIPTION:${'\u{1F600}'.repeat(5000)}`,
          ),
        ),
      ),
    );
    expect(event.summary).toHaveLength(TEXT_LIMITS.summary);
    expect(event.summary?.endsWith('\u2026')).toBe(true);
    const description = event.description ?? '';
    expect(description.length).toBeLessThanOrEqual(TEXT_LIMITS.description);
    expect(description.length).toBeGreaterThan(TEXT_LIMITS.description - 3);
    expect(description.isWellFormed()).toBe(true);
  });

  it('leaves empty text fields out', () => {
    const event = only(
      map(calendar(...vevent('UID:a', 'DTSTART:20240105T100000Z', 'SUMMARY:', 'LOCATION:'))),
    );
    expect(event).not.toHaveProperty('summary');
    expect(event).not.toHaveProperty('location');
  });

  it.each([
    ['TRANSP:TRANSPARENT', { transparency: 'transparent' }],
    ['TRANSP:OPAQUE', { transparency: 'opaque' }],
    ['CLASS:PRIVATE', { visibility: 'private' }],
    ['CLASS:CONFIDENTIAL', { visibility: 'confidential' }],
    ['CLASS:PUBLIC', { visibility: 'default' }],
    ['CLASS:X-SECRET', { visibility: 'default' }],
    ['STATUS:TENTATIVE', { status: 'tentative' }],
    ['STATUS:CONFIRMED', { status: 'confirmed' }],
  ])('maps %s', (line, expected) => {
    const event = only(map(calendar(...vevent('UID:a', 'DTSTART:20240105T100000Z', line))));
    expect(event).toMatchObject(expected);
  });

  it('defaults to opaque, default visibility, confirmed', () => {
    const event = only(map(calendar(...vevent('UID:a', 'DTSTART:20240105T100000Z'))));
    expect(event).toMatchObject({ transparency: 'opaque', visibility: 'default', status: 'confirmed' });
  });

  it('does not write a cancelled event into an empty calendar', () => {
    expect(map(calendar(...vevent('UID:a', 'DTSTART:20240105T100000Z', 'STATUS:CANCELLED'))).events).toEqual(
      [],
    );
  });

  it('never carries attendees, organizer or reminders (no invitations are sent)', () => {
    const event = only(
      map(
        calendar(
          ...vevent(
            'UID:a',
            'DTSTART:20240105T100000Z',
            'ORGANIZER;CN=Boss:mailto:boss@example.com',
            'ATTENDEE;CN=Me;RSVP=TRUE:mailto:me@example.com',
            'BEGIN:VALARM',
            'TRIGGER:-PT15M',
            'ACTION:DISPLAY',
            'END:VALARM',
          ),
        ),
      ),
    );
    expect(Object.keys(event).sort()).toEqual(
      ['end', 'extendedProperties', 'id', 'start', 'status', 'transparency', 'visibility'].sort(),
    );
  });
});
