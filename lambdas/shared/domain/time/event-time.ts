/**
 * Google's EventDateTime (`{ date }`, `{ dateTime, timeZone }`) on the time line and back: the one reading of
 * Google dates and date-times into milliseconds for the expansion, the mapping, the reconcile planner, the sync
 * and the Google emulator.
 */
import type { EventDateTime } from '../google-event.ts';
import {
  DAY_MS,
  daysFromCivil,
  formatOffset,
  formatWallDateTime,
  formatWallMs,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
} from './civil.ts';
import { TimeInputError } from './errors.ts';
import { isValidDateTime } from './ics-values.ts';
import type { When } from './when.ts';
import { fixedOffsetZone, type TimeZone, timeZoneNamed, UTC_ZONE } from './zone.ts';

/** An EventDateTime as it may arrive from a client or from Google: fields missing or null. */
export type EventTimeFields = { date?: string | null; dateTime?: string | null; timeZone?: string | null };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const OFFSET_AT_END = /(?:Z|[+-]\d\d:?\d\d)$/i;

/** A numeric capture group (absent optional groups read as 0). */
const group = (match: RegExpExecArray, index: number): number => Number(match[index] ?? 0);

const badDateTime = (why: string) => new TimeInputError('bad_date_time', why);

/** Whether an RFC 3339 date-time carries its offset (`Z`, `+01:00`): then it is an instant on its own. */
export const hasOffset = (dateTime: string): boolean => OFFSET_AT_END.test(dateTime);

/** A Google `date` (`2024-01-05`) as a day number. Throws TimeInputError when it is no real date. */
export function parseGoogleDate(text: string): number {
  const match = ISO_DATE.exec(text);
  if (!match || !isValidDateTime(group(match, 1), group(match, 2), group(match, 3))) {
    throw badDateTime(`"${text}" is not a date (YYYY-MM-DD).`);
  }
  return daysFromCivil(group(match, 1), group(match, 2), group(match, 3));
}

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/**
 * The wall clock of `YYYY-MM-DDTHH:MM:SS` followed by `Z`, `+HH:MM` or nothing, the form Google and the mapping
 * write, read without a regular expression or an allocation (the planner and the emulator read many); NaN for
 * any other form and for an impossible date or time.
 */
function commonWallMs(text: string): number {
  const length = text.length;
  if (length !== 19 && length !== 20 && length !== 25) return Number.NaN;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') {
    return Number.NaN;
  }
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if ((century | yearOfCentury | month | day | hour | minute | second) < 0) return Number.NaN;
  const year = century * 100 + yearOfCentury;
  if (!isValidDateTime(year, month, day, hour, minute, second)) return Number.NaN;
  const timeOfDay = hour * HOUR_MS + minute * MINUTE_MS + Math.min(second, 59) * SECOND_MS;
  return daysFromCivil(year, month, day) * DAY_MS + timeOfDay;
}

/** The offset after a commonWallMs form: undefined when there is none, NaN when it is not `Z` or `+HH:MM`. */
function commonOffsetMs(text: string): number | undefined {
  const length = text.length;
  if (length === 19) return undefined;
  if (length === 20) return text[19] === 'Z' || text[19] === 'z' ? 0 : Number.NaN;
  const sign = text[19] === '+' ? 1 : text[19] === '-' ? -1 : 0;
  const hours = twoDigits(text, 20);
  const minutes = twoDigits(text, 23);
  if (sign === 0 || text[22] !== ':' || (hours | minutes) < 0) return Number.NaN;
  return sign * (hours * HOUR_MS + minutes * MINUTE_MS);
}

/**
 * The wall clock and the offset (if written) of an RFC 3339 date-time; fractions of a second are dropped.
 * Throws TimeInputError for anything else and for impossible dates and times (30 February, 24:00).
 */
function readDateTime(text: string): { wallMs: number; offsetMs: number | undefined } {
  const wallMs = commonWallMs(text);
  if (!Number.isNaN(wallMs)) {
    const offsetMs = commonOffsetMs(text);
    if (!Number.isNaN(offsetMs)) return { wallMs, offsetMs };
  }
  const match = ISO_DATE_TIME.exec(text);
  const [year, month, day] = match ? [group(match, 1), group(match, 2), group(match, 3)] : [0, 0, 0];
  const [hour, minute, second] = match ? [group(match, 4), group(match, 5), group(match, 6)] : [0, 0, 0];
  if (!match || !isValidDateTime(year, month, day, hour, minute, second)) {
    throw badDateTime(`"${text}" is not an RFC 3339 date-time.`);
  }
  const timeOfDay = hour * HOUR_MS + minute * MINUTE_MS + Math.min(second, 59) * SECOND_MS;
  const wall = daysFromCivil(year, month, day) * DAY_MS + timeOfDay;
  const offsetText = match[7];
  if (!offsetText) return { wallMs: wall, offsetMs: undefined };
  if (offsetText.toUpperCase() === 'Z') return { wallMs: wall, offsetMs: 0 };
  const digits = offsetText.replace(':', '');
  const sign = digits[0] === '-' ? -1 : 1;
  const offsetMs = sign * (Number(digits.slice(1, 3)) * HOUR_MS + Number(digits.slice(3, 5)) * MINUTE_MS);
  return { wallMs: wall, offsetMs };
}

/**
 * A Google `dateTime` (RFC 3339) with its optional `timeZone`, as an instant and the zone it is shown in: the
 * offset decides the instant when there is one, else the wall time is read in the zone (RFC 5545 3.3.5). The
 * zone is `timeZone`, else the written offset as a fixed zone, else UTC. Throws TimeInputError.
 */
export function parseGoogleDateTime(
  text: string,
  timeZone: string | undefined,
): { utcMs: number; zone: TimeZone } {
  const { wallMs, offsetMs } = readDateTime(text);
  const zone = timeZone ? timeZoneNamed(timeZone) : fixedOffsetZone(offsetMs ?? 0);
  return { utcMs: offsetMs === undefined ? zone.toUtc(wallMs) : wallMs - offsetMs, zone };
}

/** An EventDateTime on the time line, with the `timeZone` it named (written back when it is formatted). */
export type PlacedTime = When & { timeZone?: string };

/**
 * An EventDateTime as a point in time (see When): a date at its UTC midnight; a date-time at its instant, shown
 * in its `timeZone`, else in `fallbackZone` when it has no offset (else in its offset). Throws TimeInputError.
 */
export function readEventDateTime(value: EventTimeFields, fallbackZone?: string): PlacedTime {
  if (value.date) return { allDay: true, utcMs: parseGoogleDate(value.date) * DAY_MS };
  if (typeof value.dateTime !== 'string')
    throw badDateTime('An event time has neither a date nor a dateTime.');
  const timeZone = value.timeZone ?? undefined;
  const zoneName = timeZone ?? (hasOffset(value.dateTime) ? undefined : fallbackZone);
  const { utcMs, zone } = parseGoogleDateTime(value.dateTime, zoneName);
  return timeZone ? { allDay: false, utcMs, zone, timeZone } : { allDay: false, utcMs, zone };
}

/**
 * The instant of an EventDateTime (all-day: its date's UTC midnight, for ordering and windows), the one way the
 * domain, the sync and the emulator read it: a written offset decides (the timeZone is not even looked up),
 * else `timeZone`, else `fallbackZone`. Throws TimeInputError.
 */
export function instantOf(value: EventTimeFields, fallbackZone = 'UTC'): number {
  if (value.date) return parseGoogleDate(value.date) * DAY_MS;
  const dateTime = value.dateTime;
  if (typeof dateTime !== 'string') throw badDateTime('An event time has neither a date nor a dateTime.');
  // The common form without an allocation: the planner and the emulator ask for many instants.
  let wallMs = commonWallMs(dateTime);
  let offsetMs = Number.isNaN(wallMs) ? Number.NaN : commonOffsetMs(dateTime);
  if (Number.isNaN(offsetMs)) ({ wallMs, offsetMs } = readDateTime(dateTime));
  return offsetMs === undefined
    ? timeZoneNamed(value.timeZone ?? fallbackZone).toUtc(wallMs)
    : wallMs - offsetMs;
}

/**
 * `2026-01-05T09:00:00+01:00` (`...Z` at a zero offset): an instant as Google prints it in a zone. The offset
 * is cut to whole minutes (all `+HH:MM` can say) before the wall clock is computed, so the text denotes the
 * instant exactly also where a historical offset had seconds.
 */
export function formatInstant(utcMs: number, zone: TimeZone): string {
  const offset = Math.trunc(zone.offsetAt(utcMs) / MINUTE_MS) * MINUTE_MS;
  return `${formatWallDateTime(utcMs + offset)}${formatOffset(offset)}`;
}

/**
 * A point as an EventDateTime: `{ date }`, or `{ dateTime }` in its zone with `timeZone` when one is given. (The
 * expansion and the emulator build theirs from formatInstant: objects made at one place in the code that mostly
 * live long, as the mapping's do, would have V8 allocate an expansion's many short-lived ones in its old space.)
 */
export function formatEventDateTime(when: When, timeZone?: string): EventDateTime {
  if (when.allDay) return { date: formatWallMs(when.utcMs, 'iso', false) };
  const dateTime = formatInstant(when.utcMs, when.zone);
  return timeZone === undefined ? { dateTime } : { dateTime, timeZone };
}

/** The zone a point is shown in (UTC for dates). */
export const zoneOf = (when: When): TimeZone => (when.allDay ? UTC_ZONE : when.zone);
