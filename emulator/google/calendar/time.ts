/**
 * Event times: Google's EventDateTime as instants, and instants rendered the way Google answers. Plain time
 * utilities of the domain's time model (lambdas/shared/domain/time/), shared with the product; the emulator's
 * recurrence expansion stays its own (./recurrence.ts).
 */
import {
  type EventTimeFields,
  formatInstant,
  hasOffset,
  instantOf,
} from '../../../lambdas/shared/domain/time/event-time.ts';
import { basicIdAt } from '../../../lambdas/shared/domain/time/when.ts';
import { isGoogleTimeZoneName, timeZoneNamed } from '../../../lambdas/shared/domain/time/zone.ts';

export type EventTime = EventTimeFields;

/** Whether Google would accept this time zone name: an IANA name or link spelled exactly (not `+02:00`, `EST`). */
export const isIanaZone = isGoogleTimeZoneName;

/**
 * IANA names of 2016 and later that Google refuses as an event's or a calendar's zone. `Europe/Kyiv` (tzdata
 * 2022b) answered 400 "Invalid time zone definition for start time." (OutlookGoogleCalendarSync #1525 and
 * #1530, 2022) while `Europe/Kiev` is taken. The others are modelled on it (stricter assumption, no report
 * either way): renames whose old name Google takes (`America/Godthab`, `Pacific/Enderbury`, `Asia/Rangoon`) and
 * a zone new in tzdata 2022g (`America/Ciudad_Juarez`; `America/Denver` has its rules since 2022).
 */
const RECENT_ZONE_NAMES: ReadonlySet<string> = new Set([
  'Europe/Kyiv',
  'America/Nuuk',
  'Pacific/Kanton',
  'America/Ciudad_Juarez',
  'Asia/Yangon',
]);

/** `Etc/GMT+5`, `Etc/GMT-14`: fixed offsets under tzdata's inverted sign; no source shows Google taking them. */
const ETC_OFFSET_ZONE = /^Etc\/GMT[+-](?!0+$)\d{1,2}$/;

/**
 * Whether Google takes this name as an event's (start/end) or a calendar's zone: an IANA name spelled exactly,
 * minus the recent names and the `Etc/GMT±N` offsets (N not 0) unless `acceptRecentNames`
 * (`timeZones.acceptRecentNames`).
 */
export function isEventZone(name: string, acceptRecentNames: boolean): boolean {
  if (!isIanaZone(name)) return false;
  return acceptRecentNames || !(RECENT_ZONE_NAMES.has(name) || ETC_OFFSET_ZONE.test(name));
}

/**
 * The instant a validated EventDateTime denotes (all-day: midnight UTC of the date, for ordering only); a
 * date-time without offset or timeZone is read in `fallbackZone` (the calendar's). The domain's instantOf.
 */
export { hasOffset, instantOf };

/** The instant in `zone` as Google prints it: `2026-01-05T09:00:00+01:00`, or `...Z` in UTC. */
export function renderInstant(utcMs: number, zone: string): string {
  return formatInstant(utcMs, timeZoneNamed(zone));
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
  return basicIdAt(Boolean(time.date), instantOf(time, fallbackZone));
}
