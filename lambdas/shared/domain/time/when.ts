/**
 * The domain's one model of a point in time. All-day: a calendar date, `utcMs` its midnight read as UTC (how
 * dates are ordered and compared with windows, as the corpus reference does). Timed: an instant and the zone it
 * is shown in. Lexical values (./ics-values.ts) and Google's EventDateTime (./event-time.ts) are read into it;
 * the expansion, the ICS mapping, the reconcile planner and the Google emulator compute on it.
 */
import { DAY_MS, formatBasicUtcDateTime, formatWallMs } from './civil.ts';
import type { TimeZone } from './zone.ts';

export type When = AllDayWhen | TimedWhen;
interface AllDayWhen {
  allDay: true;
  utcMs: number;
}
export interface TimedWhen {
  allDay: false;
  utcMs: number;
  zone: TimeZone;
}

/** Milliseconds since the start of the day of a wall-clock time (also for times before 1970). */
export const timeOfDayMs = (wallMs: number): number => ((wallMs % DAY_MS) + DAY_MS) % DAY_MS;

/** Wall-clock milliseconds (fields as if UTC) of a timed point in its own zone. */
export const wallOf = (when: TimedWhen): number => when.utcMs + when.zone.offsetAt(when.utcMs);

/**
 * The same point expressed like `like` (all-day <-> timed), as values naming instances of a series must match its
 * DTSTART: a time becomes its date in its own zone; a date becomes that day at `like`'s time of day, in its zone.
 */
export function coerceLike(value: When, like: When): When {
  if (like.allDay) {
    if (value.allDay) return value;
    const wall = wallOf(value);
    return { allDay: true, utcMs: wall - timeOfDayMs(wall) };
  }
  if (!value.allDay) return { allDay: false, utcMs: value.utcMs, zone: like.zone };
  return { allDay: false, utcMs: like.zone.toUtc(value.utcMs + timeOfDayMs(wallOf(like))), zone: like.zone };
}

/** The point moved by `deltaMs`; a date by the whole days nearest to it. */
export function shiftWhen(when: When, deltaMs: number): When {
  return when.allDay
    ? { allDay: true, utcMs: when.utcMs + Math.round(deltaMs / DAY_MS) * DAY_MS }
    : { ...when, utcMs: when.utcMs + deltaMs };
}

/** YYYYMMDD for dates; YYYYMMDDTHHMMSSZ (UTC) for times: the form of Google instance ids and RECURRENCE-IDs. */
export const basicId = (when: When): string => basicIdAt(when.allDay, when.utcMs);

/** basicId of a date's midnight or an instant, given as numbers (no point object per instance). */
export function basicIdAt(allDay: boolean, utcMs: number): string {
  return allDay ? formatWallMs(utcMs, 'basic', false) : formatBasicUtcDateTime(utcMs);
}
