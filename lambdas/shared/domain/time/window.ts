/**
 * The one overlap rule of the domain: which events and occurrences a time window holds. The ICS mapping (its
 * horizon), the expansion (series instances, exceptions, single events), the reconcile planner (when an event is
 * over) and the Google emulator (events.list and events.instances) all decide with it.
 *
 * An event [start, end) overlaps the window [from, to) when it starts before the window ends and ends after the
 * window starts (start < to and end > from), as Google's events.list has it. An event that does not end after
 * it starts (zero length, or an end before the start) is a point in time at its start: the window holds it when
 * the point lies inside, from <= start < to. So a point at the window's very start is kept, and one at its end
 * is not, for single events and series instances alike.
 *
 * Google refuses events that do not end after they start (400 timeRangeEmpty) and the mapping gives such events
 * a minute (../ics/README.md), so points reach this rule only from other sources; the rule still has to be
 * one, so that a single event and a series instance at the same instant are never judged apart.
 */

/** Whether the span [startMs, endMs) overlaps the window [fromMs, toMs); a span ending at or before its start is the point startMs. */
export function overlapsWindow(startMs: number, endMs: number, fromMs: number, toMs: number): boolean {
  return startMs < toMs && (endMs > fromMs || (endMs <= startMs && startMs >= fromMs));
}

/**
 * The first window start from which a window no longer holds the span (overlapsWindow is false for every window
 * that starts at or after it): its end, or for a point in time the millisecond after it.
 */
export function overAt(startMs: number, endMs: number): number {
  return endMs > startMs ? endMs : startMs + 1;
}
