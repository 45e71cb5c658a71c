/** Google's checks on an Event resource before it is stored (400 answers with Google's reasons). */
import { TimeInputError } from '../../../lambdas/shared/domain/time/errors.ts';
import { parseGoogleDate, parseGoogleDateTime } from '../../../lambdas/shared/domain/time/event-time.ts';
import { apiErrors, CalendarApiError } from '../errors.ts';
import { recurrenceRefusal } from './rule-validation.ts';
import { type EventTime, hasOffset, instantOf, isEventZone } from './time.ts';

const EVENT_ID = /^[a-v0-9]{5,1024}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?$/i;
const MAX_KEY_LENGTH = 44;
const MAX_VALUE_LENGTH = 1024;
const MAX_PROPERTIES = 300;
const MAX_PROPERTIES_BYTES = 32 * 1024;

/**
 * Longest text fields taken, in UTF-16 code units. Google documents none of them; 8,192 characters is the
 * description limit integrators report, and 1,024 is a conservative bound for the one-line fields.
 */
const TEXT_LIMITS = { summary: 1024, location: 1024, description: 8192 } as const;
const VISIBILITIES = new Set(['default', 'public', 'private', 'confidential']);
const TRANSPARENCIES = new Set(['opaque', 'transparent']);

const invalidRecurrence = () => apiErrors.invalid('Invalid recurrence rule.');

export function validateEventId(id: unknown): void {
  if (typeof id !== 'string' || !EVENT_ID.test(id)) throw apiErrors.invalid('Invalid resource id value.');
}

/**
 * Every check of a complete (inserted, replaced or merged) event: its times, recurrence and fields.
 * `acceptRecentZoneNames`: `timeZones.acceptRecentNames` (see isEventZone).
 */
export function validateEvent(
  event: Record<string, unknown>,
  calendarZone: string,
  acceptRecentZoneNames = false,
): void {
  validateEventFields(event);
  validateEventTimes(event, calendarZone, acceptRecentZoneNames);
}

/** Text lengths and the enumerated fields Google checks (`visibility`, `transparency`). */
function validateEventFields(event: Record<string, unknown>): void {
  for (const [field, limit] of Object.entries(TEXT_LIMITS)) {
    const value = event[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw apiErrors.invalid(`Invalid value for ${field}.`);
    if (value.length > limit)
      throw apiErrors.invalid(`The ${field} is too long (at most ${limit} characters).`);
  }
  checkEnum(event, 'visibility', VISIBILITIES);
  checkEnum(event, 'transparency', TRANSPARENCIES);
}

function checkEnum(event: Record<string, unknown>, field: string, allowed: Set<string>): void {
  const value = event[field];
  if (value !== undefined && value !== null && !allowed.has(value as string)) {
    throw apiErrors.invalid(`Invalid value for ${field}: "${String(value)}".`);
  }
}

/** Checks start, end and recurrence of a complete (inserted, replaced or merged) event. */
function validateEventTimes(
  event: Record<string, unknown>,
  calendarZone: string,
  acceptRecentZoneNames = false,
): void {
  const start = event.start as EventTime | undefined | null;
  const end = event.end as EventTime | undefined | null;
  if (!start || (!start.date && !start.dateTime)) throw apiErrors.required('Missing start time.');
  if (!end || (!end.date && !end.dateTime)) throw apiErrors.required('Missing end time.');
  const recurring = Array.isArray(event.recurrence) && event.recurrence.length > 0;
  checkTime(start, 'start', recurring, acceptRecentZoneNames);
  checkTime(end, 'end', recurring, acceptRecentZoneNames);
  if (Boolean(start.date) !== Boolean(end.date)) {
    throw apiErrors.invalid('The start and end times must either both be date or both be dateTime.');
  }
  const startMs = instantOf(start, calendarZone);
  const endMs = instantOf(end, calendarZone);
  // All-day ends are exclusive, so an all-day event needs at least one day. A timed event must end after it
  // starts too: Google answers `end == start` with 400 timeRangeEmpty "The specified time range is empty."
  // (public production report: keeper.sh issue 614, PR 616).
  if (endMs <= startMs) throw apiErrors.timeRangeEmpty();
  if (recurring) validateRecurrence(event, Boolean(start.date), acceptRecentZoneNames);
}

function checkTime(
  time: EventTime,
  which: 'start' | 'end',
  recurring: boolean,
  acceptRecentZoneNames: boolean,
): void {
  if (time.date && time.dateTime) throw apiErrors.invalid(`Invalid ${which} time.`);
  if (time.date) {
    if (!ISO_DATE.test(time.date) || !readable(() => parseGoogleDate(time.date as string))) {
      throw apiErrors.invalid(`Invalid ${which} time.`);
    }
    return;
  }
  const dateTime = time.dateTime as string;
  if (!RFC3339.test(dateTime) || !readable(() => parseGoogleDateTime(dateTime, undefined))) {
    throw apiErrors.invalid(`Invalid ${which} time.`);
  }
  // Google's answer to `Europe/Kyiv` (OutlookGoogleCalendarSync #1525, #1530); see isEventZone.
  if (time.timeZone && !isEventZone(time.timeZone, acceptRecentZoneNames)) {
    throw apiErrors.invalid(`Invalid time zone definition for ${which} time.`);
  }
  if (!time.timeZone && (recurring || !hasOffset(dateTime))) {
    throw apiErrors.required(`Missing time zone definition for ${which} time.`);
  }
}

/** Whether the domain's time model reads the value (a real date and time of day: no 30 February, no 24:00). */
function readable(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch (error) {
    if (error instanceof TimeInputError) return false;
    throw error;
  }
}

/**
 * RRULE, EXRULE, RDATE and EXDATE lines as RFC 5545 and Google take them: the emulator's own reading
 * (./rule-validation.ts), never the product's expansion module, which the emulator is there to check.
 */
function validateRecurrence(
  event: Record<string, unknown>,
  allDay: boolean,
  acceptRecentZoneNames: boolean,
): void {
  const why = recurrenceRefusal(event.recurrence as unknown[], { allDay, acceptRecentZoneNames });
  if (why !== undefined) throw invalidRecurrence();
}

/**
 * `extendedProperties` as Google stores them: keys longer than 44 characters dropped, values cut to 1024
 * characters; more than 300 properties or 32 kB in all is refused.
 */
export function normalizeExtendedProperties(
  value: unknown,
): Record<string, Record<string, string>> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw apiErrors.invalid('Invalid extended properties.');
  const out: Record<string, Record<string, string>> = {};
  let count = 0;
  let bytes = 0;
  for (const group of ['private', 'shared'] as const) {
    const properties = (value as Record<string, unknown>)[group];
    if (properties === undefined || properties === null) continue;
    if (typeof properties !== 'object') throw apiErrors.invalid('Invalid extended properties.');
    const kept: Record<string, string> = {};
    for (const [key, raw] of Object.entries(properties as Record<string, unknown>)) {
      if (raw === null || raw === undefined || key.length > MAX_KEY_LENGTH) continue;
      const text = String(raw).slice(0, MAX_VALUE_LENGTH);
      kept[key] = text;
      count += 1;
      bytes += Buffer.byteLength(key) + Buffer.byteLength(text);
    }
    out[group] = kept;
  }
  if (count > MAX_PROPERTIES) throw apiErrors.invalid('Too many extended properties.');
  if (bytes > MAX_PROPERTIES_BYTES) throw apiErrors.invalid('The extended properties are too large.');
  return out;
}

/**
 * The Events resource's `reminders.overrides`: "The maximum number of override reminders is 5", `method`
 * `email` or `popup`, `minutes` "between 0 and 40320 (4 weeks in minutes)". Default reminders and overrides
 * cannot come together.
 */
const MAX_REMINDER_OVERRIDES = 5;
const REMINDER_METHODS = new Set(['email', 'popup']);
const MAX_REMINDER_MINUTES = 40_320;

export function validateReminders(value: unknown): void {
  if (!value || typeof value !== 'object') return;
  const { useDefault, overrides } = value as { useDefault?: boolean; overrides?: unknown[] };
  if (useDefault && Array.isArray(overrides) && overrides.length > 0) {
    throw new CalendarApiError(
      400,
      'cannotUseDefaultRemindersAndSpecifyOverride',
      'Cannot specify both default reminders and overrides at the same time.',
    );
  }
  if (!Array.isArray(overrides)) return;
  if (overrides.length > MAX_REMINDER_OVERRIDES) {
    throw apiErrors.invalid(`The maximum number of override reminders is ${MAX_REMINDER_OVERRIDES}.`);
  }
  for (const override of overrides) {
    const { method, minutes } = (override ?? {}) as { method?: unknown; minutes?: unknown };
    if (!REMINDER_METHODS.has(method as string)) throw apiErrors.invalid('Invalid reminder method.');
    if (!Number.isInteger(minutes) || (minutes as number) < 0 || (minutes as number) > MAX_REMINDER_MINUTES)
      throw apiErrors.invalid('Invalid reminder minutes value.');
  }
}
