import { describe, expect, it } from 'vitest';
import { expandEvents, instanceId } from '../../../lambdas/shared/domain/expansion/index.ts';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import { calendar, map, vevent } from './helpers.ts';

const series = vevent(
  'UID:s',
  'DTSTART;TZID=Europe/Berlin:20240101T100000',
  'DTEND;TZID=Europe/Berlin:20240101T110000',
  'RRULE:FREQ=DAILY;COUNT=5',
  'SUMMARY:Daily',
);

const startsOf = (events: GoogleEvent[]) =>
  expandEvents(events, {
    timeMin: new Date('2023-12-01T00:00:00Z'),
    timeMax: new Date('2024-02-01T00:00:00Z'),
  }).map((o) => `${'dateTime' in o.start ? o.start.dateTime : o.start.date} ${o.event.summary}`);

describe('exceptions (RECURRENCE-ID)', () => {
  it('are left out with their series when the series is in the feed but unreadable', () => {
    const feed = map(
      calendar(
        ...vevent('UID:s', 'DTSTART;TZID=Europe/Berlin:garbage', 'RRULE:FREQ=DAILY;COUNT=5', 'SUMMARY:Daily'),
        ...vevent(
          'UID:s',
          'RECURRENCE-ID;TZID=Europe/Berlin:20240103T100000',
          'DTSTART;TZID=Europe/Berlin:20240103T150000',
          'DTEND;TZID=Europe/Berlin:20240103T160000',
          'SUMMARY:Moved',
        ),
      ),
    );
    expect(feed.events).toEqual([]);
    expect(feed.skippedUids).toEqual(['s']);
  });

  it('become instance exceptions after their series, with recurringEventId and originalStartTime', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:s',
          'RECURRENCE-ID;TZID=Europe/Berlin:20240103T100000',
          'DTSTART;TZID=Europe/Berlin:20240103T150000',
          'DTEND;TZID=Europe/Berlin:20240103T160000',
          'SUMMARY:Moved',
        ),
        ...series,
      ),
    );
    const [master, exception] = feed.events;
    expect(master?.recurrence).toEqual(['RRULE:FREQ=DAILY;COUNT=5']);
    expect(exception).toMatchObject({
      recurringEventId: master?.id,
      originalStartTime: { dateTime: '2024-01-03T10:00:00+01:00', timeZone: 'Europe/Berlin' },
      start: { dateTime: '2024-01-03T15:00:00+01:00', timeZone: 'Europe/Berlin' },
      summary: 'Moved',
      extendedProperties: { private: { icsUid: 's', icsRecurrenceId: '20240103T090000Z' } },
    });
    expect(exception).not.toHaveProperty('id');
    expect(instanceId(master?.id as string, exception?.originalStartTime as never)).toBe(
      `${master?.id}_20240103T090000Z`,
    );
    expect(startsOf(feed.events)).toEqual([
      '2024-01-01T10:00:00+01:00 Daily',
      '2024-01-02T10:00:00+01:00 Daily',
      '2024-01-03T15:00:00+01:00 Moved',
      '2024-01-04T10:00:00+01:00 Daily',
      '2024-01-05T10:00:00+01:00 Daily',
    ]);
  });

  it('writes a cancelled exception with status cancelled', () => {
    const feed = map(
      calendar(
        ...series,
        ...vevent('UID:s', 'RECURRENCE-ID:20240102T090000Z', 'DTSTART:20240102T090000Z', 'STATUS:CANCELLED'),
      ),
    );
    expect(feed.events[1]).toMatchObject({ status: 'cancelled', recurringEventId: feed.events[0]?.id });
    expect(startsOf(feed.events)).toHaveLength(4);
  });

  it('matches a RECURRENCE-ID that misses the instance time to the instance of the same day', () => {
    const feed = map(
      calendar(
        ...series,
        ...vevent(
          'UID:s',
          'RECURRENCE-ID;VALUE=DATE:20240104',
          'DTSTART;TZID=Europe/Berlin:20240104T120000',
          'SUMMARY:Noon',
        ),
      ),
    );
    expect(feed.events[1]?.originalStartTime).toEqual({
      dateTime: '2024-01-04T10:00:00+01:00',
      timeZone: 'Europe/Berlin',
    });
  });

  it('keeps an exception without its series as a standalone event, with a warning', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:lonely',
          'RECURRENCE-ID:20240103T090000Z',
          'DTSTART:20240103T150000Z',
          'SUMMARY:Alone',
        ),
        ...vevent(
          'UID:lonely',
          'RECURRENCE-ID:20240104T090000Z',
          'DTSTART:20240104T150000Z',
          'SUMMARY:Alone too',
        ),
      ),
    );
    expect(feed.events.map((e) => [e.summary, e.recurringEventId, e.id?.length])).toEqual([
      ['Alone', undefined, 64],
      ['Alone too', undefined, 64],
    ]);
    expect(feed.events[0]?.id).not.toBe(feed.events[1]?.id);
    expect(feed.warnings.map((w) => w.uid)).toEqual(['lonely', 'lonely']);
  });

  it('keeps the override of a single event in place of that event', () => {
    const feed = map(
      calendar(
        ...vevent('UID:one', 'DTSTART:20240103T090000Z', 'SUMMARY:Original'),
        ...vevent('UID:one', 'RECURRENCE-ID:20240103T090000Z', 'DTSTART:20240103T100000Z', 'SUMMARY:Changed'),
      ),
    );
    expect(feed.events.map((e) => [e.summary, e.start])).toEqual([
      ['Changed', { dateTime: '2024-01-03T10:00:00Z', timeZone: 'UTC' }],
    ]);
  });

  it('keeps the exception with the highest SEQUENCE, then the later one', () => {
    const feed = map(
      calendar(
        ...series,
        ...vevent(
          'UID:s',
          'RECURRENCE-ID:20240102T090000Z',
          'DTSTART:20240102T120000Z',
          'SEQUENCE:2',
          'SUMMARY:Two',
        ),
        ...vevent(
          'UID:s',
          'RECURRENCE-ID:20240102T090000Z',
          'DTSTART:20240102T130000Z',
          'SEQUENCE:1',
          'SUMMARY:One',
        ),
      ),
    );
    expect(feed.events.map((e) => e.summary)).toEqual(['Daily', 'Two']);
  });

  it('splits the series at a RANGE=THISANDFUTURE override: the rest moves with it', () => {
    const feed = map(
      calendar(
        ...vevent(
          'UID:t',
          'DTSTART;TZID=Europe/Berlin:20240101T100000',
          'DTEND;TZID=Europe/Berlin:20240101T110000',
          'RRULE:FREQ=DAILY;COUNT=6',
          'EXDATE;TZID=Europe/Berlin:20240105T100000',
          'SUMMARY:Before',
        ),
        ...vevent(
          'UID:t',
          'RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20240103T100000',
          'DTSTART;TZID=Europe/Berlin:20240103T140000',
          'DTEND;TZID=Europe/Berlin:20240103T150000',
          'SUMMARY:After',
        ),
        ...vevent(
          'UID:t',
          'RECURRENCE-ID;TZID=Europe/Berlin:20240104T100000',
          'DTSTART;TZID=Europe/Berlin:20240104T160000',
          'SUMMARY:Moved later',
        ),
      ),
    );
    const [head, tail, exception] = feed.events;
    expect(head?.recurrence).toEqual(['RRULE:FREQ=DAILY;UNTIL=20240103T085959Z']);
    expect(tail?.extendedProperties.private.icsUid).toBe('t#20240103T090000Z');
    expect(tail?.recurrence).toEqual([
      'RRULE:FREQ=DAILY;COUNT=4',
      'EXDATE;TZID=Europe/Berlin:20240105T140000',
    ]);
    expect(exception).toMatchObject({
      recurringEventId: tail?.id,
      originalStartTime: { dateTime: '2024-01-04T14:00:00+01:00', timeZone: 'Europe/Berlin' },
    });
    expect(startsOf(feed.events)).toEqual([
      '2024-01-01T10:00:00+01:00 Before',
      '2024-01-02T10:00:00+01:00 Before',
      '2024-01-03T14:00:00+01:00 After',
      '2024-01-04T16:00:00+01:00 Moved later',
      '2024-01-06T14:00:00+01:00 After',
    ]);
    expect(feed.warnings).toEqual([]);
  });
});
