import { DAY_MS, daysFromCivil, HOUR_MS, MINUTE_MS, SECOND_MS } from '../time/civil.ts';
import { fixedOffsetZone, type TimeZone } from '../time/zone.ts';
import { ExpansionError } from './errors.ts';
import { timeZoneNamed } from './time-zone.ts';

/** A DATE or DATE-TIME as written in a recurrence line or an EventDateTime, before it meets the series' zone. */
export type IcsValue =
  | { kind: 'date'; day: number }
  | { kind: 'utc'; utcMs: number }
  /** Wall-clock time in `zone`, or floating (the series' zone applies) when zone is absent. */
  | { kind: 'local'; wallMs: number; zone?: TimeZone };

const ICS_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const ICS_DATE_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A numeric capture group (absent optional groups read as 0). */
const group = (match: RegExpExecArray, index: number): number => Number(match[index] ?? 0);

function checkedDay(year: number, month: number, day: number, text: string): number {
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    throw new ExpansionError('bad_date_time', `"${text}" is not a valid date.`);
  }
  return daysFromCivil(year, month, day);
}

function wallOf(day: number, hour: number, minute: number, second: number, text: string): number {
  if (hour > 24 || minute > 59 || second > 60) {
    throw new ExpansionError('bad_date_time', `"${text}" is not a valid time.`);
  }
  return day * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + Math.min(second, 59) * SECOND_MS;
}

/** An iCalendar DATE (`20240105`) or DATE-TIME (`20240105T100000`, `...Z`); TZID zone applies to local times. */
export function parseIcsValue(text: string, zone?: TimeZone): IcsValue {
  const date = ICS_DATE.exec(text);
  if (date) return { kind: 'date', day: checkedDay(group(date, 1), group(date, 2), group(date, 3), text) };
  const dateTime = ICS_DATE_TIME.exec(text);
  if (!dateTime)
    throw new ExpansionError('bad_date_time', `"${text}" is neither an iCalendar DATE nor DATE-TIME.`);
  const day = checkedDay(group(dateTime, 1), group(dateTime, 2), group(dateTime, 3), text);
  const wallMs = wallOf(day, group(dateTime, 4), group(dateTime, 5), group(dateTime, 6), text);
  if (dateTime[7]) return { kind: 'utc', utcMs: wallMs };
  return zone ? { kind: 'local', wallMs, zone } : { kind: 'local', wallMs };
}

/** A Google `date` (`2024-01-05`) as a day number. */
export function parseGoogleDate(text: string): number {
  const match = ISO_DATE.exec(text);
  if (!match) throw new ExpansionError('bad_date_time', `"${text}" is not a date (YYYY-MM-DD).`);
  return checkedDay(group(match, 1), group(match, 2), group(match, 3), text);
}

/** A Google `dateTime` (RFC 3339) with its optional `timeZone`, as an instant and the zone it is shown in. */
export function parseGoogleDateTime(
  text: string,
  timeZone: string | undefined,
): { utcMs: number; zone: TimeZone } {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) throw new ExpansionError('bad_date_time', `"${text}" is not an RFC 3339 date-time.`);
  const day = checkedDay(group(match, 1), group(match, 2), group(match, 3), text);
  const wallMs = wallOf(day, group(match, 4), group(match, 5), group(match, 6), text);
  const offsetText = match[7];
  let offsetMs: number | undefined;
  if (offsetText && offsetText.toUpperCase() !== 'Z') {
    const digits = offsetText.replace(':', '');
    const sign = digits[0] === '-' ? -1 : 1;
    offsetMs = sign * (Number(digits.slice(1, 3)) * HOUR_MS + Number(digits.slice(3, 5)) * MINUTE_MS);
  } else if (offsetText) {
    offsetMs = 0;
  }
  const zone = timeZone ? timeZoneNamed(timeZone) : fixedOffsetZone(offsetMs ?? 0);
  return { utcMs: offsetMs === undefined ? zone.toUtc(wallMs) : wallMs - offsetMs, zone };
}
