import { ExpansionError, expandSeries } from '../expansion/index.ts';
import { type EventDateTime, type GoogleEvent, isAllDay } from '../google-event.ts';
import { DAY_MS } from '../time/civil.ts';
import { epochMs } from './times.ts';

/** A finite series with more occurrences than this is treated as open-ended (never "over"). */
const MAX_OCCURRENCES = 50_000;
const END_OF_TIME = new Date('9999-12-31T00:00:00Z');

/**
 * The instant an event is over, as the horizon sees it (an all-day end is its UTC midnight, as in the
 * mapping's horizon test): the end of a single event; for a series, the end of its last occurrence or of its
 * latest exception, whichever is later. Undefined for a series without end (an RRULE with neither COUNT nor
 * UNTIL), for one with very many occurrences, and for one the expansion cannot read: such an event is never
 * taken for one that is over.
 */
export function endOfEvent(event: GoogleEvent, exceptions: readonly GoogleEvent[] = []): Date | undefined {
  const recurrence = event.recurrence ?? [];
  if (recurrence.length === 0) return new Date(instantOf(event.end));
  if (recurrence.some((line) => /^RRULE[:;]/i.test(line) && !/[:;](COUNT|UNTIL)=/i.test(line)))
    return undefined;
  let last = Number.NEGATIVE_INFINITY;
  try {
    const window = { timeMin: new Date(instantOf(event.start) - DAY_MS), timeMax: END_OF_TIME };
    const occurrences = expandSeries(event, [], window, { maxOccurrences: MAX_OCCURRENCES });
    if (occurrences.length >= MAX_OCCURRENCES) return undefined;
    for (const occurrence of occurrences) last = Math.max(last, instantOf(occurrence.end));
  } catch (error) {
    if (error instanceof ExpansionError) return undefined;
    throw error;
  }
  for (const exception of exceptions) {
    if (exception.status !== 'cancelled') last = Math.max(last, instantOf(exception.end));
  }
  return Number.isFinite(last) ? new Date(last) : undefined;
}

function instantOf(value: EventDateTime): number {
  return isAllDay(value) ? Date.parse(`${value.date}T00:00:00Z`) : epochMs(value);
}
