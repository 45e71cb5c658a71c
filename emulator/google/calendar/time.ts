/** Event times: parsing Google's EventDateTime into instants, and rendering instants the way Google answers. */

import { isGoogleTimeZoneName, timeZoneNamed } from '../../../lambdas/shared/domain/expansion/time-zone.ts';
import { parseGoogleDate, parseGoogleDateTime } from '../../../lambdas/shared/domain/expansion/values.ts';
import {
  DAY_MS,
  formatBasicDate,
  formatBasicUtcDateTime,
  formatOffset,
  formatWallDateTime,
} from '../../../lambdas/shared/domain/time/civil.ts';

export type EventTime = { date?: string | null; dateTime?: string | null; timeZone?: string | null };

/** Whether Google would accept this time zone name: an IANA name or link spelled exactly (not `+02:00`, `EST`). */
export const isIanaZone = isGoogleTimeZoneName;

export const hasOffset = (dateTime: string): boolean => /(?:Z|[+-]\d\d:?\d\d)$/i.test(dateTime);

/** The instant a validated EventDateTime denotes (all-day: midnight UTC of the date, for ordering only). */
export function instantOf(time: EventTime, fallbackZone: string): number {
  if (time.date) return parseGoogleDate(time.date) * DAY_MS;
  const dateTime = time.dateTime as string;
  return parseGoogleDateTime(dateTime, hasOffset(dateTime) ? undefined : (time.timeZone ?? fallbackZone))
    .utcMs;
}

/** The instant in `zone` as Google prints it: `2026-01-05T09:00:00+01:00`, or `...Z` in UTC. */
export function renderInstant(utcMs: number, zone: string): string {
  const offsetMs = timeZoneNamed(zone).offsetAt(utcMs);
  return `${formatWallDateTime(utcMs + offsetMs)}${formatOffset(offsetMs)}`;
}

/**
 * An EventDateTime as Google answers it: dateTime re-rendered with the offset of the response's zone (the
 * `timeZone` query parameter, else the calendar's), the event's own timeZone kept beside it.
 */
export function renderTime(time: EventTime, responseZone: string): EventTime {
  if (time.date || !time.dateTime) return time;
  return { ...time, dateTime: renderInstant(instantOf(time, responseZone), responseZone) };
}

/** `20260105` (all-day) or `20260105T090000Z` (timed): the suffix of instance ids. */
export function basicFormat(time: EventTime, fallbackZone: string): string {
  if (time.date) return formatBasicDate(parseGoogleDate(time.date));
  return formatBasicUtcDateTime(instantOf(time, fallbackZone));
}
