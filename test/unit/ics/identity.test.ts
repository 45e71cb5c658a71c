import { describe, expect, it } from 'vitest';
import { defaultHorizon } from '../../../lambdas/shared/domain/ics/index.ts';
import { generateFeed } from '../../support/generate-feed.ts';
import { calendar, map, only, vevent } from './helpers.ts';

const base = ['DTSTART:20240105T100000Z', 'DTEND:20240105T110000Z', 'SUMMARY:Same'];

describe('event ids', () => {
  it('are deterministic, 64 characters of Google’s alphabet, from salt and UID', () => {
    const a = only(map(calendar(...vevent('UID:abc', ...base))));
    const again = only(map(calendar(...vevent('UID:abc', ...base, 'DESCRIPTION:edited'))));
    const otherSalt = only(map(calendar(...vevent('UID:abc', ...base)), { salt: 'another-subscriber' }));
    const otherUid = only(map(calendar(...vevent('UID:abd', ...base))));
    expect(a.id).toMatch(/^[a-v0-9]{64}$/);
    expect(again.id).toBe(a.id);
    expect(otherSalt.id).not.toBe(a.id);
    expect(otherUid.id).not.toBe(a.id);
    expect(a.extendedProperties.private.icsUid).toBe('abc');
  });

  it('derive a stable UID from the content when UID is missing', () => {
    const first = only(map(calendar(...vevent(...base, 'DTSTAMP:20240101T000000Z'))));
    const reexported = only(map(calendar(...vevent(...base, 'DTSTAMP:20250101T000000Z', 'SEQUENCE:3'))));
    const changed = only(map(calendar(...vevent('DTSTART:20240105T100000Z', 'SUMMARY:Other'))));
    expect(first.extendedProperties.private.icsUid).toMatch(/^derived-[0-9a-f]{32}$/);
    expect(reexported.id).toBe(first.id);
    expect(changed.id).not.toBe(first.id);
  });

  it('keep the highest SEQUENCE of a duplicated UID, then the later component', () => {
    const bySequence = map(
      calendar(
        ...vevent('UID:d', ...base, 'SEQUENCE:2', 'LOCATION:two'),
        ...vevent('UID:d', ...base, 'SEQUENCE:1', 'LOCATION:one'),
      ),
    );
    expect(only(bySequence).location).toBe('two');
    expect(bySequence.warnings).toEqual([
      { uid: 'd', reason: 'duplicate UID: the highest SEQUENCE (then the later one) is kept' },
    ]);
    const byOrder = map(
      calendar(...vevent('UID:d', ...base, 'LOCATION:first'), ...vevent('UID:d', ...base, 'LOCATION:later')),
    );
    expect(only(byOrder).location).toBe('later');
  });
});

describe('content hash', () => {
  it('ignores DTSTAMP, LAST-MODIFIED, CREATED and SEQUENCE, and sees every field Google shows', () => {
    const hashOf = (...lines: string[]) =>
      only(map(calendar(...vevent('UID:h', ...lines)))).extendedProperties.private.icsHash;
    const original = hashOf(...base, 'DTSTAMP:20240101T000000Z');
    expect(original).toMatch(/^[0-9a-f]{64}$/);
    expect(
      hashOf(
        ...base,
        'DTSTAMP:20250101T000000Z',
        'LAST-MODIFIED:20250101T000000Z',
        'CREATED:20200101T000000Z',
        'SEQUENCE:4',
      ),
    ).toBe(original);
    expect(hashOf(...base, 'LOCATION:moved')).not.toBe(original);
    expect(hashOf('DTSTART:20240105T100000Z', 'DTEND:20240105T120000Z', 'SUMMARY:Same')).not.toBe(original);
  });
});

describe('horizon', () => {
  const horizon = { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2024-07-01T00:00:00Z') };

  it('keeps single events that overlap it and drops the others', () => {
    const feed = map(
      calendar(
        ...vevent('UID:before', 'DTSTART:20231230T100000Z', 'SUMMARY:before'),
        ...vevent('UID:across', 'DTSTART;VALUE=DATE:20231231', 'DTEND;VALUE=DATE:20240102', 'SUMMARY:across'),
        ...vevent('UID:inside', 'DTSTART:20240301T100000Z', 'SUMMARY:inside'),
        ...vevent('UID:after', 'DTSTART:20240701T000000Z', 'SUMMARY:after'),
      ),
      { horizon },
    );
    expect(feed.events.map((e) => e.summary)).toEqual(['across', 'inside']);
  });

  it('keeps a series whole when any occurrence falls inside, and drops one that has none', () => {
    const feed = map(
      calendar(
        ...vevent('UID:old', 'DTSTART:20200101T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=10', 'SUMMARY:old'),
        ...vevent('UID:long', 'DTSTART:20200101T100000Z', 'RRULE:FREQ=MONTHLY', 'SUMMARY:long'),
        ...vevent(
          'UID:long',
          'RECURRENCE-ID:20200201T100000Z',
          'DTSTART:20200202T100000Z',
          'SUMMARY:long ago',
        ),
      ),
      { horizon },
    );
    expect(feed.events.map((e) => e.summary)).toEqual(['long', 'long ago']);
    expect(feed.events[0]?.start).toEqual({ dateTime: '2020-01-01T10:00:00Z', timeZone: 'UTC' });
  });

  it('defaults to 30 days back and 24 months ahead', () => {
    expect(defaultHorizon(new Date('2026-03-01T12:00:00Z'))).toEqual({
      from: new Date('2026-01-30T12:00:00Z'),
      to: new Date('2028-03-01T12:00:00Z'),
    });
  });
});

describe('determinism', () => {
  it('gives byte-identical output for the same text, series first and exceptions after', () => {
    const text = generateFeed({ events: 300, seed: 7 });
    const options = {
      horizon: { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2029-01-01T00:00:00Z') },
    };
    const first = JSON.stringify(map(text, options));
    expect(JSON.stringify(map(text, options))).toBe(first);
    const { events } = map(text, options);
    const firstException = events.findIndex((e) => e.recurringEventId !== undefined);
    expect(firstException).toBeGreaterThan(0);
    expect(events.slice(firstException).every((e) => e.recurringEventId !== undefined)).toBe(true);
    const ids = new Set(events.filter((e) => e.id).map((e) => e.id));
    for (const exception of events.slice(firstException))
      expect(ids.has(exception.recurringEventId)).toBe(true);
  });
});
