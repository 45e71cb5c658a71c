/**
 * Lexical DATE, DATE-TIME, DURATION and UTC-OFFSET values of RFC 5545, before any time-zone interpretation: the
 * one reading of them for the feed reader (lenient), Google's recurrence lines (basic form only) and the Google
 * emulator.
 */
import { DAY_MS, daysFromCivil, daysInMonth, HOUR_MS, MINUTE_MS, SECOND_MS } from './civil.ts';

/** A calendar date or a wall-clock time; `utc` marks a trailing Z. */
interface IcsDate {
  kind: 'date';
  year: number;
  month: number;
  day: number;
}
interface IcsDateTime {
  kind: 'date-time';
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  utc: boolean;
}
export type IcsTime = IcsDate | IcsDateTime;

export interface IcsDuration {
  sign: 1 | -1;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/i;
// Lenient forms seen in the wild: ISO punctuation, missing seconds.
const LOOSE_DATE_TIME = /^(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2}))?(\.\d+)?(Z?))?$/i;

/** Whether the fields name a real date and time of day (a leap second, 60, is allowed: it is read as 59). */
export function isValidDateTime(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): boolean {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return false;
  return day <= daysInMonth(year, month);
}

function dateOf(match: RegExpExecArray): IcsDate | undefined {
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isValidDateTime(year, month, day) ? { kind: 'date', year, month, day } : undefined;
}

/** DATE_TIME has seconds in group 6 and Z in group 7; LOOSE_DATE_TIME has Z in group 8. */
function dateTimeOf(match: RegExpExecArray): IcsDateTime | undefined {
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [hour, minute] = [Number(match[4]), Number(match[5])];
  const second = Math.min(Number(match[6] ?? 0), 59);
  const utc = (match[7] ?? '').toUpperCase() === 'Z' || (match[8] ?? '').toUpperCase() === 'Z';
  if (!isValidDateTime(year, month, day, hour, minute, second)) return undefined;
  return { kind: 'date-time', year, month, day, hour, minute, second, utc };
}

/**
 * A DATE or DATE-TIME value of a feed, leniently (surrounding blanks, ISO punctuation, missing seconds,
 * fractions); `undefined` when it is neither (the caller decides what that costs).
 */
export function parseIcsTime(raw: string): IcsTime | undefined {
  const value = raw.trim();
  const date = DATE.exec(value);
  if (date) return dateOf(date);
  const m = DATE_TIME.exec(value) ?? LOOSE_DATE_TIME.exec(value);
  if (!m) return undefined;
  return m[4] === undefined ? dateOf(m) : dateTimeOf(m);
}

/**
 * A DATE (`20240105`) or DATE-TIME (`20240105T100000`, `...Z`) in RFC 5545's basic form only, as Google's
 * recurrence lines hold them; `undefined` for anything else.
 */
export function parseBasicIcsTime(text: string): IcsTime | undefined {
  const date = DATE.exec(text);
  if (date) return dateOf(date);
  const dateTime = DATE_TIME.exec(text);
  return dateTime ? dateTimeOf(dateTime) : undefined;
}

/** Wall-clock fields as if they were UTC: a plain number to do calendar arithmetic on. */
export function wallMs(t: IcsTime): number {
  const day = daysFromCivil(t.year, t.month, t.day) * DAY_MS;
  return t.kind === 'date' ? day : day + t.hour * HOUR_MS + t.minute * MINUTE_MS + t.second * SECOND_MS;
}

const DURATION = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i;

export function parseDuration(raw: string): IcsDuration | undefined {
  const value = raw.trim();
  const m = DURATION.exec(value);
  if (!m || value.toUpperCase() === 'P' || /T$/i.test(value)) return undefined;
  return {
    sign: m[1] === '-' ? -1 : 1,
    weeks: Number(m[2] ?? 0),
    days: Number(m[3] ?? 0),
    hours: Number(m[4] ?? 0),
    minutes: Number(m[5] ?? 0),
    seconds: Number(m[6] ?? 0),
  };
}

/** Nominal days (weeks and days) and exact milliseconds (hours and below), as RFC 5545 3.3.6 separates them. */
export function durationParts(d: IcsDuration): { days: number; ms: number } {
  return {
    days: d.sign * (d.weeks * 7 + d.days),
    ms: d.sign * ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000,
  };
}

/** UTC offset values of VTIMEZONE (+HHMM[SS]) in milliseconds, rounded to the minute. */
export function parseUtcOffset(raw: string): number | undefined {
  const m = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(raw.trim());
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]) + Math.round(Number(m[4] ?? 0) / 60);
  return (m[1] === '-' ? -minutes : minutes) * MINUTE_MS;
}
