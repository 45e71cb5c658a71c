/** Points in time as the mapping handles them, and their Google EventDateTime form. */
import { timeZoneNamed } from '../expansion/time-zone.ts';
import type { EventDateTime } from '../google-event.ts';
import { DAY_MS, formatOffset, formatWallMs, MINUTE_MS } from '../time/civil.ts';
import { wallToUtc } from '../time/zone.ts';
import type { Property } from './content-lines.ts';
import type { ZoneResolver } from './time-zones.ts';
import { type IcsTime, parseIcsTime, wallMs } from './values.ts';

/** All-day: a calendar date (its midnight, as if UTC). Timed: an instant and the IANA zone it is shown in. */
export type When = { allDay: true; day: number } | { allDay: false; utcMs: number; zone: string };

export interface TimeContext {
  resolver: ZoneResolver;
  /** IANA zone for floating times: the calendar's X-WR-TIMEZONE, else the configured default. */
  floatingZone: string;
  /** Called once per TZID that could not be resolved (read as floating). */
  onUnknownZone(tzid: string): void;
}

/** Interprets a lexical value with the TZID it came with. */
export function whenOf(time: IcsTime, tzid: string | undefined, ctx: TimeContext): When {
  if (time.kind === 'date') return { allDay: true, day: wallMs(time) };
  const wall = wallMs(time);
  if (time.utc) return { allDay: false, utcMs: wall, zone: 'UTC' };
  if (tzid) {
    const resolution = ctx.resolver.resolve(tzid);
    if (resolution.kind === 'iana') {
      return { allDay: false, utcMs: timeZoneNamed(resolution.zone).toUtc(wall), zone: resolution.zone };
    }
    if (resolution.kind === 'custom') {
      return { allDay: false, utcMs: wallToUtc(wall, resolution.zone.offsetAt), zone: 'UTC' };
    }
    ctx.onUnknownZone(tzid);
  }
  return { allDay: false, utcMs: timeZoneNamed(ctx.floatingZone).toUtc(wall), zone: ctx.floatingZone };
}

/** A DATE / DATE-TIME property (VALUE=DATE honoured); undefined when its value cannot be read. */
export function whenOfProperty(property: Property, ctx: TimeContext): When | undefined {
  return whenOfValue(property.value, property, ctx);
}

export function whenOfValue(value: string, property: Property, ctx: TimeContext): When | undefined {
  const time = parseIcsTime(value);
  if (!time) return undefined;
  const asDate =
    property.params.VALUE?.toUpperCase() === 'DATE' && time.kind === 'date-time' ? toDate(time) : time;
  return whenOf(asDate, property.params.TZID, ctx);
}

function toDate(t: IcsTime): IcsTime {
  return { kind: 'date', year: t.year, month: t.month, day: t.day };
}

/** Wall-clock milliseconds of a timed point in its own zone. */
export function wallOf(when: When & { allDay: false }): number {
  return when.utcMs + timeZoneNamed(when.zone).offsetAt(when.utcMs);
}

/** The same point expressed like `like` (all-day <-> timed), as recurrence values must match DTSTART. */
export function coerceLike(value: When, like: When): When {
  if (like.allDay) {
    if (value.allDay) return value;
    const wall = wallOf(value);
    return { allDay: true, day: wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS) };
  }
  if (!value.allDay) return { allDay: false, utcMs: value.utcMs, zone: like.zone };
  const timeOfDay = ((wallOf(like) % DAY_MS) + DAY_MS) % DAY_MS;
  return { allDay: false, utcMs: timeZoneNamed(like.zone).toUtc(value.day + timeOfDay), zone: like.zone };
}

export function toEventDateTime(when: When): EventDateTime {
  if (when.allDay) return { date: formatWallMs(when.day, 'iso', false) };
  // Whole minutes, all `+HH:MM` can say, so the wall clock written denotes the instant exactly.
  const offset = Math.trunc(timeZoneNamed(when.zone).offsetAt(when.utcMs) / MINUTE_MS) * MINUTE_MS;
  return {
    dateTime: `${formatWallMs(when.utcMs + offset, 'iso', true)}${formatOffset(offset)}`,
    timeZone: when.zone,
  };
}

/** Start of a point, for ordering and window tests (all-day dates read as UTC midnight). */
export const instantOf = (when: When): number => (when.allDay ? when.day : when.utcMs);

/** YYYYMMDD for dates; YYYYMMDDTHHMMSSZ (UTC) for times: the form of Google instance ids. */
export function basicId(when: When): string {
  if (when.allDay) return formatWallMs(when.day, 'basic', false);
  return `${formatWallMs(when.utcMs, 'basic', true)}Z`;
}

/** Value of a recurrence line in the series' form: a date, a wall time in the series' zone, or a UTC time. */
export function recurrenceValue(when: When): string {
  if (when.allDay || when.zone === 'UTC') return basicId(when);
  return formatWallMs(wallOf(when), 'basic', true);
}

/** The parameters a recurrence line needs to match the series: VALUE=DATE, TZID=zone, or none for UTC. */
export function recurrenceParams(like: When): string {
  if (like.allDay) return ';VALUE=DATE';
  return like.zone === 'UTC' ? '' : `;TZID=${like.zone}`;
}
