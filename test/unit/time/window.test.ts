import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { occurrencesOfCalendar, seriesOverlaps } from '../../../emulator/google/calendar/recurrence.ts';
import {
  expandEvents,
  expandSeries,
  hasOccurrenceIn,
} from '../../../lambdas/shared/domain/expansion/index.ts';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import { endOfEvent } from '../../../lambdas/shared/domain/reconcile/ends.ts';
import { overAt, overlapsWindow } from '../../../lambdas/shared/domain/time/window.ts';

/**
 * The domain's one overlap rule (lambdas/shared/domain/time/window.ts): [start, end) overlaps [from, to) when
 * start < to and end > from; an event that does not end after it starts is a point at its start, held when
 * from <= start < to. The mapping, the expansion, the planner and the emulator decide with it, so a single event
 * and a series instance at the same place are never judged apart.
 */
const properties = { private: { icsUid: 'uid-1', icsHash: 'hash-1' } };
const at = (iso: string): number => Date.parse(iso);
const utc = (ms: number) => ({ dateTime: new Date(ms).toISOString(), timeZone: 'UTC' });

const single = (startMs: number, endMs: number): GoogleEvent => ({
  id: 'single0001',
  start: utc(startMs),
  end: utc(endMs),
  extendedProperties: properties,
});

/** A daily series of `count` instances whose last one starts at `lastStartMs`. */
const dailyEndingAt = (lastStartMs: number, lengthMs: number, count = 3): GoogleEvent => {
  const firstMs = lastStartMs - (count - 1) * 86_400_000;
  return {
    id: 'series0001',
    start: utc(firstMs),
    end: utc(firstMs + lengthMs),
    recurrence: [`RRULE:FREQ=DAILY;COUNT=${count}`],
    extendedProperties: properties,
  };
};

const FROM = at('2026-03-01T00:00:00Z');
const TO = at('2026-04-01T00:00:00Z');
const window = { timeMin: new Date(FROM), timeMax: new Date(TO) };

/** What the emulator lists for the event in the window (events.list with singleEvents, without). */
const emulatorHolds = (event: GoogleEvent, from = FROM, to = TO): boolean => {
  const range = { timeMin: new Date(from), timeMax: new Date(to) };
  const stored = event as unknown as Record<string, unknown>;
  const listed = occurrencesOfCalendar([stored], range, false, (_, startMs) => `i${startMs}`).length > 0;
  if (event.recurrence) expect(seriesOverlaps(stored, range)).toBe(listed);
  return listed;
};

describe('the overlap rule', () => {
  it('holds spans that overlap the half-open window, not those that only touch it', () => {
    expect(overlapsWindow(FROM - 10, FROM + 10, FROM, TO)).toBe(true);
    expect(overlapsWindow(FROM - 10, FROM, FROM, TO)).toBe(false);
    expect(overlapsWindow(TO - 10, TO + 10, FROM, TO)).toBe(true);
    expect(overlapsWindow(TO, TO + 10, FROM, TO)).toBe(false);
  });

  it('holds a point in time (zero length, or an end before the start) when it lies in [from, to)', () => {
    expect(overlapsWindow(FROM, FROM, FROM, TO)).toBe(true);
    expect(overlapsWindow(FROM - 1, FROM - 1, FROM, TO)).toBe(false);
    expect(overlapsWindow(TO - 1, TO - 1, FROM, TO)).toBe(true);
    expect(overlapsWindow(TO, TO, FROM, TO)).toBe(false);
    expect(overlapsWindow(FROM, FROM - 3_600_000, FROM, TO)).toBe(true);
  });

  it('says when a span is over for a horizon: its end, or the millisecond after a point', () => {
    expect(overAt(FROM - 10, FROM)).toBe(FROM);
    expect(overAt(FROM, FROM)).toBe(FROM + 1);
    for (const [start, end] of [
      [FROM - 10, FROM],
      [FROM, FROM],
      [FROM - 1, FROM - 1],
      [FROM, FROM - 5],
    ] as const) {
      const over = overAt(start, end);
      expect(overlapsWindow(start, end, over, Number.POSITIVE_INFINITY)).toBe(false);
      expect(overlapsWindow(start, end, over - 1, Number.POSITIVE_INFINITY)).toBe(true);
    }
  });
});

describe('the edge case: a zero-length event at the window start', () => {
  it('keeps a zero-length single event there, in the expansion and in the emulator', () => {
    const event = single(FROM, FROM);
    expect(expandEvents([event], window).map((o) => o.id)).toEqual(['single0001']);
    expect(emulatorHolds(event)).toBe(true);
  });

  it('keeps a zero-length series whose last instance falls there, alike (it used to be dropped)', () => {
    const series = dailyEndingAt(FROM, 0);
    expect(hasOccurrenceIn(series, window)).toBe(true);
    expect(expandSeries(series, [], window).map((o) => o.start)).toEqual([
      { dateTime: '2026-03-01T00:00:00Z', timeZone: 'UTC' },
    ]);
    expect(expandEvents([series], window)).toHaveLength(1);
    expect(emulatorHolds(series)).toBe(true);
  });

  it('drops both at the window end, and both just before the window start', () => {
    for (const point of [TO, FROM - 1]) {
      const series = dailyEndingAt(point, 0, 1);
      expect(expandEvents([single(point, point)], window)).toEqual([]);
      expect(hasOccurrenceIn(series, window)).toBe(false);
      expect(emulatorHolds(single(point, point))).toBe(false);
      expect(emulatorHolds(series)).toBe(false);
    }
  });

  it('is not over for a horizon starting there (the planner keeps its row), and is over a millisecond later', () => {
    for (const event of [single(FROM, FROM), dailyEndingAt(FROM, 0)]) {
      const end = endOfEvent(event)?.getTime() as number;
      expect(end > FROM).toBe(true);
      expect(end <= FROM + 1).toBe(true);
    }
    // An event with length that ends at the horizon start is over then, as before.
    expect(endOfEvent(single(FROM - 60_000, FROM))?.getTime()).toBe(FROM);
    expect(endOfEvent(dailyEndingAt(FROM - 60_000, 60_000))?.getTime()).toBe(FROM);
  });
});

describe('one verdict everywhere', () => {
  it('a single event, the same span as a series instance, and the emulator agree with the rule', () => {
    const minute = 60_000;
    fc.assert(
      fc.property(
        fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }),
        fc.constantFrom(0, 1, 30, 60, 24 * 60),
        fc.integer({ min: -2 * 24 * 60, max: 2 * 24 * 60 }),
        fc.integer({ min: 1, max: 3 * 24 * 60 }),
        (startMinute, lengthMinutes, fromMinute, windowMinutes) => {
          const start = FROM + startMinute * minute;
          const end = start + lengthMinutes * minute;
          const from = FROM + fromMinute * minute;
          const to = from + windowMinutes * minute;
          const range = { timeMin: new Date(from), timeMax: new Date(to) };
          const expected = overlapsWindow(start, end, from, to);
          expect(expandEvents([single(start, end)], range).length > 0).toBe(expected);
          const series = dailyEndingAt(start, lengthMinutes * minute, 1);
          expect(hasOccurrenceIn(series, range)).toBe(expected);
          expect(emulatorHolds(single(start, end), from, to)).toBe(expected);
          expect(emulatorHolds(series, from, to)).toBe(expected);
        },
      ),
      { numRuns: 300, seed: 1313 },
    );
  });
});
