/**
 * Calendar arithmetic on plain numbers: days since 1970-01-01 ("day numbers") and wall-clock milliseconds
 * (a local date-time read as if it were UTC). Expansion and the ICS mapping run on these instead of date objects
 * because they are called for thousands of series per sync and must not allocate per candidate.
 */

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Day number of a proleptic Gregorian date (H. Hinnant's days_from_civil). Month 1..12. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Year, month (1..12) and day of a day number (H. Hinnant's civil_from_days). */
export function civilFromDays(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_LENGTHS[month - 1] as number);
}

export const daysInYear = (year: number): number => (isLeapYear(year) ? 366 : 365);

/** 0 = Monday ... 6 = Sunday (RFC 5545 weekday order starting at MO). Day 0 (1970-01-01) was a Thursday. */
export const weekdayOf = (dayNumber: number): number => (((dayNumber + 3) % 7) + 7) % 7;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad4 = (n: number): string => `${n}`.padStart(4, '0');

/**
 * Formats wall-clock milliseconds (fields as if UTC) without intermediate objects: `iso` gives
 * YYYY-MM-DD / YYYY-MM-DDTHH:MM:SS, `basic` gives YYYYMMDD / YYYYMMDDTHHMMSS (milliseconds dropped: Google
 * keeps whole seconds). Big feeds format tens of thousands of times, so this stays allocation-light.
 */
export function formatWallMs(ms: number, style: 'iso' | 'basic', withTime: boolean): string {
  const dayNumber = Math.floor(ms / DAY_MS);
  const { year, month, day } = civilFromDays(dayNumber);
  const dateSep = style === 'iso' ? '-' : '';
  const date = `${pad4(year)}${dateSep}${pad2(month)}${dateSep}${pad2(day)}`;
  if (!withTime) return date;
  const secondOfDay = Math.floor((ms - dayNumber * DAY_MS) / SECOND_MS);
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  const second = secondOfDay % 60;
  return style === 'iso'
    ? `${date}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}`
    : `${date}T${pad2(hour)}${pad2(minute)}${pad2(second)}`;
}

/** `YYYY-MM-DD` of a day number. */
export const formatDate = (dayNumber: number): string => formatWallMs(dayNumber * DAY_MS, 'iso', false);

/** `YYYY-MM-DDTHH:MM:SS` of a wall-clock time. */
export const formatWallDateTime = (wallMs: number): string => formatWallMs(wallMs, 'iso', true);

/** `YYYYMMDDTHHMMSSZ` of an instant (the basic format of Google's instance ids). */
export const formatBasicUtcDateTime = (utcMs: number): string => `${formatWallMs(utcMs, 'basic', true)}Z`;

/** `+01:00`, `-04:30`, or `Z` for a zero offset. */
export function formatOffset(offsetMs: number): string {
  if (offsetMs === 0) return 'Z';
  const sign = offsetMs < 0 ? '-' : '+';
  const totalMinutes = Math.round(Math.abs(offsetMs) / MINUTE_MS);
  return `${sign}${pad2(Math.floor(totalMinutes / 60))}:${pad2(totalMinutes % 60)}`;
}
