import { type EventDateTime, isAllDay } from '../google-event.ts';
import { DAY_MS, formatDate, formatWallDateTime } from '../time/civil.ts';
import { instantOf, parseGoogleDate } from '../time/event-time.ts';
import { basicIdAt } from '../time/when.ts';

/** A series' length: whole days for all-day series, milliseconds for timed ones. */
export type Duration = { days: number } | { ms: number };

/**
 * A start or end as a key that compares as Google matches instances (an original start, an EXDATE): by instant
 * for a timed one (whatever offset or zone it is written in), by date for an all-day one.
 */
export function timeKey(value: EventDateTime): string {
  return isAllDay(value) ? `d:${value.date}` : `t:${instantOf(value)}`;
}

/** An original start in basic format (`20260105`, `20260105T090000Z`), as in exception keys; see startFromBasic. */
export function basicOf(value: EventDateTime): string {
  if (isAllDay(value)) return value.date.replaceAll('-', '');
  return basicIdAt(false, instantOf(value));
}

export function seriesDuration(event: { start: EventDateTime; end: EventDateTime }): Duration {
  const { start, end } = event;
  if (isAllDay(start) && isAllDay(end)) {
    return { days: parseGoogleDate(end.date) - parseGoogleDate(start.date) };
  }
  if (!isAllDay(start) && !isAllDay(end)) return { ms: instantOf(end) - instantOf(start) };
  return { ms: 0 };
}

export function shiftBy(start: EventDateTime, duration: Duration): EventDateTime {
  if (isAllDay(start)) {
    const days = 'days' in duration ? duration.days : Math.round(duration.ms / DAY_MS);
    return { date: formatDate(parseGoogleDate(start.date) + days) };
  }
  const ms = 'ms' in duration ? duration.ms : duration.days * DAY_MS;
  const end = `${formatWallDateTime(instantOf(start) + ms)}Z`;
  return start.timeZone ? { dateTime: end, timeZone: start.timeZone } : { dateTime: end };
}

const BASIC_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const BASIC_UTC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * An original start in basic format (`20260105` or `20260105T090000Z`, as in instance ids and exception keys),
 * as an Event start in the series' own style (all-day or timed, in the series' zone).
 */
export function startFromBasic(basic: string, seriesStart: EventDateTime): EventDateTime | undefined {
  const date = BASIC_DATE.exec(basic);
  if (date) return { date: `${date[1]}-${date[2]}-${date[3]}` };
  const utc = BASIC_UTC.exec(basic);
  if (!utc) return undefined;
  const dateTime = `${utc[1]}-${utc[2]}-${utc[3]}T${utc[4]}:${utc[5]}:${utc[6]}Z`;
  return !isAllDay(seriesStart) && seriesStart.timeZone
    ? { dateTime, timeZone: seriesStart.timeZone }
    : { dateTime };
}
