/**
 * The part of a Google Calendar API v3 Event resource that this service writes.
 * Pure types: no Google SDK import, so the mapping and the planner stay testable on their own.
 */

/** All-day: `{ date }` (end exclusive). Timed: `{ dateTime, timeZone }` with an RFC 3339 dateTime and an IANA zone. */
export type EventDateTime = { date: string } | { dateTime: string; timeZone?: string };

/** Keys the service keeps in `extendedProperties.private` (Google keeps keys up to 44 chars, values up to 1024). */
export interface SourceProperties {
  /** The ICS UID (or the derived one when the feed had none). */
  icsUid: string;
  /** Hash of the event's content, volatile fields (DTSTAMP and the like) left out. */
  icsHash: string;
  /** Set on exceptions: the RECURRENCE-ID, as the originalStartTime it maps to, in basic format. */
  icsRecurrenceId?: string;
}

export interface GoogleEvent {
  /** Client-supplied id for series and single events; absent on exceptions (Google names instances itself). */
  id?: string;
  status?: 'confirmed' | 'tentative' | 'cancelled';
  summary?: string;
  description?: string;
  location?: string;
  transparency?: 'opaque' | 'transparent';
  visibility?: 'default' | 'public' | 'private' | 'confidential';
  start: EventDateTime;
  end: EventDateTime;
  /** RRULE / EXRULE / RDATE / EXDATE lines, as Google accepts them. */
  recurrence?: string[];
  /** Exceptions only: the id of the series this instance belongs to. */
  recurringEventId?: string;
  /** Exceptions only: the start the instance had in the series (immutable in Google). */
  originalStartTime?: EventDateTime;
  extendedProperties: { private: SourceProperties & Record<string, string> };
}

export const isAllDay = (value: EventDateTime): value is { date: string } => 'date' in value;

/**
 * The key under which the service remembers an event between syncs: the UID for series and single events,
 * UID plus original start for exceptions. Stable across syncs, independent of Google ids.
 */
export function eventKey(event: GoogleEvent): string {
  const { icsUid, icsRecurrenceId } = event.extendedProperties.private;
  return icsRecurrenceId ? `${icsUid}#${icsRecurrenceId}` : icsUid;
}
