/** Lexical DATE, DATE-TIME, DURATION and PERIOD values of RFC 5545, before any time-zone interpretation. */
import { daysInMonth, MINUTE_MS } from '../time/civil.ts';

/** A calendar date or a wall-clock time; `utc` marks a trailing Z. */
export interface IcsDate {
  kind: 'date';
  year: number;
  month: number;
  day: number;
}
export interface IcsDateTime {
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

function valid(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): boolean {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return false;
  return day <= daysInMonth(year, month);
}

/** Parses a DATE or DATE-TIME value; `undefined` when it is neither (the caller decides what that costs). */
export function parseIcsTime(raw: string): IcsTime | undefined {
  const value = raw.trim();
  let m = DATE.exec(value);
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return valid(year, month, day) ? { kind: 'date', year, month, day } : undefined;
  }
  m = DATE_TIME.exec(value) ?? LOOSE_DATE_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (m[4] === undefined) return valid(year, month, day) ? { kind: 'date', year, month, day } : undefined;
  const [hour, minute] = [Number(m[4]), Number(m[5])];
  // DATE_TIME has seconds in group 6 and Z in group 7; LOOSE_DATE_TIME has Z in group 8.
  const second = Math.min(Number(m[6] ?? 0), 59);
  const utc = (m[7] ?? '').toUpperCase() === 'Z' || (m[8] ?? '').toUpperCase() === 'Z';
  if (!valid(year, month, day, hour, minute, second)) return undefined;
  return { kind: 'date-time', year, month, day, hour, minute, second, utc };
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

/** Wall-clock fields as if they were UTC: a plain number to do calendar arithmetic on. */
export function wallMs(t: IcsTime): number {
  return t.kind === 'date'
    ? Date.UTC(t.year, t.month - 1, t.day)
    : Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

/** UTC offset values of VTIMEZONE (+HHMM[SS]) in milliseconds, rounded to the minute. */
export function parseUtcOffset(raw: string): number | undefined {
  const m = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(raw.trim());
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]) + Math.round(Number(m[4] ?? 0) / 60);
  return (m[1] === '-' ? -minutes : minutes) * MINUTE_MS;
}
