/**
 * Two shapes other readers take and the mapping used to lose, checked against node-ical, the independent
 * reader (its expansion is rrule-temporal's):
 * - an "override" carrying the only RRULE of its series (one producer writes RECURRENCE-ID;VALUE=DATE:19700101
 *   on the single component of each recurring event): the series, not its first instance alone;
 * - broken nesting (END:VTOOD for END:VTODO, or no END at all): every event after it is still read, and a
 *   warning names the component and its lines.
 */
import ical from 'node-ical';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expandEvents } from '../../lambdas/shared/domain/expansion/index.ts';
import type { EventDateTime } from '../../lambdas/shared/domain/google-event.ts';
import { first, readComponents } from '../../lambdas/shared/domain/ics/content-lines.ts';
import { type MappedFeed, mapFeed } from '../../lambdas/shared/domain/ics/index.ts';

const WINDOW = { timeMin: new Date('2025-01-01T00:00:00Z'), timeMax: new Date('2027-01-01T00:00:00Z') };

const calendar = (...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');

const map = (text: string): MappedFeed =>
  mapFeed(text, {
    salt: 'fidelity',
    horizon: { from: WINDOW.timeMin, to: WINDOW.timeMax },
    defaultTimeZone: 'UTC',
  });

const instant = (value: EventDateTime) =>
  'date' in value ? value.date : new Date(value.dateTime).toISOString();

/** Our occurrences (mapping, then the expansion Google does) as `start | end | summary`, sorted. */
function ourOccurrences(mapped: MappedFeed): string[] {
  return expandEvents(mapped.events, WINDOW)
    .map((o) => `${instant(o.start)} | ${instant(o.end)} | ${o.event.summary ?? ''}`)
    .sort();
}

interface NodeIcalEvent {
  type?: string;
  uid?: string;
  summary?: string;
  start?: Date;
  end?: Date;
  rrule?: unknown;
  recurrences?: Record<string, unknown>;
}

const parse = (text: string) =>
  Object.values(ical.sync.parseICS(text) as unknown as Record<string, NodeIcalEvent>).filter(
    (c) => c?.type === 'VEVENT',
  );

/** node-ical's occurrences in the window, as `start | end | summary`, sorted. */
function referenceOccurrences(text: string): string[] {
  const keys: string[] = [];
  for (const event of parse(text)) {
    if (!event.rrule) {
      keys.push(`${event.start?.toISOString()} | ${event.end?.toISOString()} | ${event.summary ?? ''}`);
      continue;
    }
    // node-ical drops the stray RECURRENCE-ID of a component with an RRULE (it is the series), but also files
    // the component as an override of its own 1970 instance, which its expansion then lists a second time
    // beside the rule's first instance: the rule alone is the reference.
    const { recurrences: _self, ...series } = event;
    const instances = ical.expandRecurringEvent(series as never, {
      from: WINDOW.timeMin,
      to: WINDOW.timeMax,
    });
    for (const o of instances)
      keys.push(`${o.start.toISOString()} | ${o.end.toISOString()} | ${String(o.summary ?? '')}`);
  }
  return keys.sort();
}

describe('conformance of shapes other readers take', () => {
  // node-ical reports what it cannot resolve on the console; not this test's subject.
  beforeAll(() => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterAll(() => vi.restoreAllMocks());

  describe('an override that carries the only RRULE of its series', () => {
    it('is the series: all 5 weekly occurrences, across a DST change, as node-ical expands them', () => {
      const text = calendar(
        'BEGIN:VEVENT',
        'UID:weekly-only-component',
        'DTSTAMP:20250101T000000Z',
        'RECURRENCE-ID;VALUE=DATE:19700101',
        'DTSTART;TZID=Europe/Berlin:20250317T090000',
        'DTEND;TZID=Europe/Berlin:20250317T100000',
        'RRULE:FREQ=WEEKLY;COUNT=5',
        'SUMMARY:Weekly review',
        'END:VEVENT',
      );
      const mapped = map(text);
      const reference = referenceOccurrences(text);
      expect(reference).toHaveLength(5);
      // 17 and 24 March at 08:00Z (CET), then 09:00 CEST from 31 March.
      expect(reference[2]).toBe('2025-03-31T07:00:00.000Z | 2025-03-31T08:00:00.000Z | Weekly review');
      expect(ourOccurrences(mapped)).toEqual(reference);
      expect(mapped.warnings).toContainEqual({
        uid: 'weekly-only-component',
        reason:
          'RECURRENCE-ID 19700101 ignored: the feed has no series for this override, and its RRULE is kept as the series',
      });
      // A series, not an exception: no recurringEventId, no icsRecurrenceId.
      const [series] = mapped.events;
      expect(series?.recurrence).toEqual(['RRULE:FREQ=WEEKLY;COUNT=5']);
      expect(series?.recurringEventId).toBeUndefined();
      expect(series?.extendedProperties.private.icsRecurrenceId).toBeUndefined();
    });

    it('is the series for UTC and all-day rules too, beside ordinary events', () => {
      const text = calendar(
        'BEGIN:VEVENT',
        'UID:daily-utc',
        'RECURRENCE-ID:19700101T000000Z',
        'DTSTART:20250601T120000Z',
        'DTEND:20250601T123000Z',
        'RRULE:FREQ=DAILY;UNTIL=20250610T120000Z',
        'SUMMARY:Stand-up',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:monthly-all-day',
        'RECURRENCE-ID;VALUE=DATE:19700101',
        'DTSTART;VALUE=DATE:20250115',
        'RRULE:FREQ=MONTHLY;COUNT=4',
        'SUMMARY:Rent',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:single',
        'DTSTART:20250701T080000Z',
        'DTEND:20250701T090000Z',
        'SUMMARY:Once',
        'END:VEVENT',
      );
      const reference = referenceOccurrences(text).map((key) =>
        // node-ical gives an all-day occurrence as a Date at midnight (UTC here): compared as its date.
        key.replace(/T00:00:00\.000Z/g, ''),
      );
      expect(reference).toHaveLength(10 + 4 + 1);
      expect(ourOccurrences(map(text))).toEqual(reference);
    });
  });

  describe('broken nesting', () => {
    const events = (count: number) =>
      Array.from({ length: count }, (_, i) => {
        const day = String(i + 1).padStart(2, '0');
        return [
          'BEGIN:VEVENT',
          `UID:event-${i + 1}`,
          'DTSTAMP:20250101T000000Z',
          `DTSTART:202503${day}T090000Z`,
          `DTEND:202503${day}T100000Z`,
          `SUMMARY:Event ${i + 1}`,
          'END:VEVENT',
        ];
      }).flat();

    it('a misspelled END (END:VTOOD) closes the VTODO at the next VEVENT: all 15 components are read', () => {
      const text = calendar(
        'BEGIN:VTODO',
        'UID:todo-1',
        'DTSTAMP:20250101T000000Z',
        'SUMMARY:Todo',
        'END:VTOOD',
        ...events(14),
      );
      const components = readComponents(text).calendars[0]?.components ?? [];
      const ours = components.map((c) => `${c.name}:${first(c, 'UID')?.value}`);
      const theirs = Object.values(ical.sync.parseICS(text) as unknown as Record<string, NodeIcalEvent>)
        .filter((c) => c?.type === 'VTODO' || c?.type === 'VEVENT')
        .map((c) => `${c.type}:${c.uid}`);
      expect(ours).toHaveLength(15);
      expect(ours.sort()).toEqual(theirs.sort());

      const mapped = map(text);
      expect(mapped.events).toHaveLength(14);
      expect(ourOccurrences(mapped)).toEqual(referenceOccurrences(text));
      // The VTODO begins on line 4 of the text; BEGIN:VEVENT on line 9 closes it.
      expect(mapped.warnings).toContainEqual({
        reason:
          'END:VTODO missing or misspelled: the VTODO begun at line 4 was closed at line 9 (BEGIN:VEVENT)',
      });
    });

    it('a VTODO without any END, and a VEVENT without END before a VJOURNAL: every event is kept', () => {
      const text = calendar(
        'BEGIN:VTODO',
        'UID:todo-open',
        'SUMMARY:Todo',
        ...events(3),
        'BEGIN:VEVENT',
        'UID:event-open',
        'DTSTART:20250310T090000Z',
        'DTEND:20250310T100000Z',
        'SUMMARY:Event without END',
        'BEGIN:VJOURNAL',
        'UID:journal-open',
        'SUMMARY:Journal without END',
      );
      const mapped = map(text);
      expect(mapped.events.map((e) => e.summary)).toEqual([
        'Event 1',
        'Event 2',
        'Event 3',
        'Event without END',
      ]);
      // node-ical closes components by count, whatever the END names: with ENDs missing it loses these events
      // itself, so the expected occurrences are written out (each event's own DTSTART and DTEND).
      expect(ourOccurrences(mapped)).toEqual([
        '2025-03-01T09:00:00.000Z | 2025-03-01T10:00:00.000Z | Event 1',
        '2025-03-02T09:00:00.000Z | 2025-03-02T10:00:00.000Z | Event 2',
        '2025-03-03T09:00:00.000Z | 2025-03-03T10:00:00.000Z | Event 3',
        '2025-03-10T09:00:00.000Z | 2025-03-10T10:00:00.000Z | Event without END',
      ]);
      // Lines: 1-3 the calendar's head, 4-6 the VTODO, 7-27 three events, 28-32 the VEVENT, 33-35 the VJOURNAL.
      expect(mapped.warnings).toEqual(
        expect.arrayContaining([
          {
            uid: 'event-open',
            reason:
              'END:VEVENT missing or misspelled: the VEVENT begun at line 28 was closed at line 33 (BEGIN:VJOURNAL)',
          },
          {
            reason:
              'END:VTODO missing or misspelled: the VTODO begun at line 4 was closed at line 7 (BEGIN:VEVENT)',
          },
          {
            reason:
              'END:VJOURNAL missing or misspelled: the VJOURNAL begun at line 33 was closed at line 36 (END:VCALENDAR)',
          },
        ]),
      );
    });
  });
});
