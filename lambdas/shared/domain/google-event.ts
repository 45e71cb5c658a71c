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
  /**
   * Set on exceptions, and on overrides kept as standalone events: the RECURRENCE-ID, as the originalStartTime it
   * maps to, in basic format.
   */
  icsRecurrenceId?: string;
  /** Set on a series split off by a RANGE=THISANDFUTURE override: the UID of the series it was split from. */
  icsSplitFrom?: string;
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

/**
 * Longest text the service sends per field. Google documents no exact limits; these are the values
 * integrators report (and the emulator enforces), so a long ICS description is shortened, not refused.
 */
export const TEXT_LIMITS = { summary: 1024, location: 1024, description: 8192 } as const;

export const isAllDay = (value: EventDateTime): value is { date: string } => 'date' in value;

/**
 * Suffixes of the keys of the two kinds that would otherwise share an exception's `<uid>#<rid>` key. An exception
 * key always ends in a RECURRENCE-ID in basic format (digits, `T`, `Z`), never in one of these.
 */
export const STANDALONE_KEY_SUFFIX = '#standalone';
export const SPLIT_KEY_SUFFIX = '#thisandfuture';

/**
 * The key under which the service remembers an event between syncs, stable across syncs and independent of
 * Google ids. Each kind has its own, so a feed flipping an override between kinds never makes two events share
 * one row:
 * - series and single events: the UID;
 * - exceptions (instances of a series): `<series UID>#<original start in basic format>`;
 * - overrides kept as standalone events (their RECURRENCE-ID matches no instance): `<uid>#<rid>#standalone`;
 * - series split off by RANGE=THISANDFUTURE (their UID is already `<uid>#<rid>`): `<uid>#<rid>#thisandfuture`.
 */
export function eventKey(event: GoogleEvent): string {
  const { icsUid, icsRecurrenceId, icsSplitFrom } = event.extendedProperties.private;
  if (event.recurringEventId !== undefined) return icsRecurrenceId ? `${icsUid}#${icsRecurrenceId}` : icsUid;
  if (icsRecurrenceId) return `${icsUid}#${icsRecurrenceId}${STANDALONE_KEY_SUFFIX}`;
  if (icsSplitFrom !== undefined) return `${icsUid}${SPLIT_KEY_SUFFIX}`;
  return icsUid;
}

/** The original start (basic format) at the end of an exception's key: RECURRENCE-IDs never hold a `#`. */
export function recurrenceIdOfKey(exceptionKey: string): string {
  return exceptionKey.slice(exceptionKey.lastIndexOf('#') + 1);
}
