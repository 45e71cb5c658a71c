import { describe, expect, it } from 'vitest';
import { originalStartParameter } from '../../../lambdas/sync/engine/instance-finder.ts';

/** `events.instances?originalStart=` is sent as Google itself writes `originalStartTime.dateTime`. */
describe('originalStart sent to events.instances', () => {
  it('is RFC 3339 to the second with the offset of the series zone at that instant', () => {
    expect(
      originalStartParameter({ dateTime: '2027-01-05T09:00:00-05:00', timeZone: 'America/New_York' }),
    ).toBe('2027-01-05T09:00:00-05:00');
    expect(
      originalStartParameter({ dateTime: '2027-07-05T09:00:00-04:00', timeZone: 'America/New_York' }),
    ).toBe('2027-07-05T09:00:00-04:00');
  });

  it('is rewritten into the series zone when the row holds another offset for the same instant', () => {
    expect(originalStartParameter({ dateTime: '2027-01-05T14:00:00Z', timeZone: 'America/New_York' })).toBe(
      '2027-01-05T09:00:00-05:00',
    );
    expect(originalStartParameter({ dateTime: '2027-03-12T08:30:00.000Z', timeZone: 'Europe/Berlin' })).toBe(
      '2027-03-12T09:30:00+01:00',
    );
  });

  it('writes Z for UTC, and keeps a written offset when there is no zone', () => {
    expect(originalStartParameter({ dateTime: '2027-01-12T14:00:00Z', timeZone: 'UTC' })).toBe(
      '2027-01-12T14:00:00Z',
    );
    expect(originalStartParameter({ dateTime: '2027-01-12T14:00:00+05:30' })).toBe(
      '2027-01-12T14:00:00+05:30',
    );
  });

  it('never sends milliseconds or a bare local time', () => {
    const sent = originalStartParameter({ dateTime: '2027-01-05T09:00:00', timeZone: 'Europe/Berlin' });
    expect(sent).toBe('2027-01-05T09:00:00+01:00');
    expect(sent).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
  });
});
