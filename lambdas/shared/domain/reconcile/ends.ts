import { ExpansionError, expandSeries } from '../expansion/index.ts';
import type { GoogleEvent } from '../google-event.ts';
import { DAY_MS } from '../time/civil.ts';
import { instantOf } from '../time/event-time.ts';
import { overAt } from '../time/window.ts';

/** A finite series with more occurrences than this is treated as open-ended (never "over"). */
const MAX_OCCURRENCES = 50_000;
const END_OF_TIME = new Date('9999-12-31T00:00:00Z');

/** When a span is over for the horizon (../time/window.ts): its end, or the millisecond after a point in time. */
const overAtOf = (span: Pick<GoogleEvent, 'start' | 'end'>): number =>
  overAt(instantOf(span.start), instantOf(span.end));

/**
 * The instant an event is over, as the horizon sees it (an all-day end is its UTC midnight, as in the
 * mapping's horizon test): the first horizon start that no longer overlaps it under the domain's overlap rule
 * (../time/window.ts), so an event is over for a horizon starting at or after this instant. That is the end of
 * a single event; for a series, the end of its last occurrence or of its latest exception, whichever is later
 * (an event that does not end after it starts is over a millisecond after it starts). Undefined for a series
 * without end (an RRULE with neither COUNT nor UNTIL), for one with very many occurrences, and for one the
 * expansion cannot read: such an event is never taken for one that is over.
 */
export function endOfEvent(event: GoogleEvent, exceptions: readonly GoogleEvent[] = []): Date | undefined {
  const recurrence = event.recurrence ?? [];
  if (recurrence.length === 0) return new Date(overAtOf(event));
  if (recurrence.some((line) => /^RRULE[:;]/i.test(line) && !/[:;](COUNT|UNTIL)=/i.test(line)))
    return undefined;
  let last = Number.NEGATIVE_INFINITY;
  try {
    const window = { timeMin: new Date(instantOf(event.start) - DAY_MS), timeMax: END_OF_TIME };
    const occurrences = expandSeries(event, [], window, { maxOccurrences: MAX_OCCURRENCES });
    if (occurrences.length >= MAX_OCCURRENCES) return undefined;
    // Instances keep the series' length and come sorted by start: the last one is over last.
    const latest = occurrences.at(-1);
    if (latest) last = overAtOf(latest);
  } catch (error) {
    if (error instanceof ExpansionError) return undefined;
    throw error;
  }
  for (const exception of exceptions) {
    if (exception.status !== 'cancelled') last = Math.max(last, overAtOf(exception));
  }
  return Number.isFinite(last) ? new Date(last) : undefined;
}
