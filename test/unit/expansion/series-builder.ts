import type { Occurrence, TimeWindow } from '../../../lambdas/shared/domain/expansion/index.ts';
import type { EventDateTime, GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';

const properties = { private: { icsUid: 'uid-1', icsHash: 'hash-1' } };

/** A timed series in `timeZone` (start/end are wall times `YYYY-MM-DDTHH:MM:SS`). */
export function timedSeries(
  timeZone: string,
  start: string,
  end: string,
  recurrence: string[],
  id = 'series0001',
): GoogleEvent {
  return {
    id,
    start: { dateTime: start, timeZone },
    end: { dateTime: end, timeZone },
    recurrence,
    extendedProperties: properties,
  };
}

export function allDaySeries(
  start: string,
  end: string,
  recurrence: string[],
  id = 'series0001',
): GoogleEvent {
  return { id, start: { date: start }, end: { date: end }, recurrence, extendedProperties: properties };
}

export function exception(
  seriesId: string,
  originalStartTime: EventDateTime,
  start: EventDateTime,
  end: EventDateTime,
  status?: 'cancelled',
): GoogleEvent {
  return {
    recurringEventId: seriesId,
    originalStartTime,
    start,
    end,
    extendedProperties: properties,
    ...(status ? { status } : {}),
  };
}

export const windowOf = (timeMin: string, timeMax: string): TimeWindow => ({
  timeMin: new Date(timeMin),
  timeMax: new Date(timeMax),
});

/** A window wide enough to hold every test series: 1990 to 2040. */
export const WIDE = windowOf('1990-01-01T00:00:00Z', '2040-01-01T00:00:00Z');

/** Starts as instants (ISO, UTC) or dates, for compact expectations. */
export function startsOf(occurrences: Occurrence[]): string[] {
  return occurrences.map((o) =>
    'date' in o.start ? o.start.date : new Date(o.start.dateTime).toISOString().replace('.000Z', 'Z'),
  );
}

/** Wall-clock starts as Google writes them (`2024-03-31T10:00:00+02:00`) or dates. */
export function localStartsOf(occurrences: Occurrence[]): string[] {
  return occurrences.map((o) => ('date' in o.start ? o.start.date : o.start.dateTime));
}
