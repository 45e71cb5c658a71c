/**
 * A feed's DATE and DATE-TIME values read into the domain's time model (../time/when.ts), with the zone their
 * TZID names (or the feed's floating zone), and written back in the forms Google takes.
 */
import type { EventDateTime } from '../google-event.ts';
import { formatWallMs } from '../time/civil.ts';
import { formatEventDateTime } from '../time/event-time.ts';
import { type IcsTime, parseIcsTime, wallMs } from '../time/ics-values.ts';
import { basicId, type When, wallOf } from '../time/when.ts';
import { timeZoneNamed, UTC_ZONE, wallToUtc } from '../time/zone.ts';
import type { Property } from './content-lines.ts';
import type { ZoneResolution, ZoneResolver } from './time-zones.ts';

export interface TimeContext {
  resolver: ZoneResolver;
  /** IANA zone for floating times: the calendar's X-WR-TIMEZONE, else the configured default. */
  floatingZone: string;
  /** Called once per TZID that could not be resolved (read as floating). */
  onUnknownZone(tzid: string): void;
}

/** Interprets a lexical value with the TZID it came with. */
export function whenOf(time: IcsTime, tzid: string | undefined, ctx: TimeContext): When {
  const wall = wallMs(time);
  if (time.kind === 'date') return { allDay: true, utcMs: wall };
  if (time.utc) return { allDay: false, utcMs: wall, zone: UTC_ZONE };
  if (tzid) {
    const resolution = ctx.resolver.resolve(tzid);
    if (resolution.kind !== 'floating') return placed(wall, resolution);
    ctx.onUnknownZone(tzid);
  }
  // Through the resolver too: the floating zone reaches Google under a name it takes, like a TZID's.
  return placed(wall, ctx.resolver.resolve(ctx.floatingZone));
}

/** A wall time in a resolved zone: in the IANA zone itself, else at its offsets and shown in UTC. */
function placed(wall: number, resolution: ZoneResolution): When {
  switch (resolution.kind) {
    case 'iana': {
      const zone = timeZoneNamed(resolution.zone);
      return { allDay: false, utcMs: zone.toUtc(wall), zone };
    }
    case 'custom':
      return { allDay: false, utcMs: wallToUtc(wall, resolution.zone.offsetAt), zone: UTC_ZONE };
    case 'utc':
      return { allDay: false, utcMs: wallToUtc(wall, resolution.offsetAt), zone: UTC_ZONE };
    case 'floating':
      return { allDay: false, utcMs: wall, zone: UTC_ZONE };
  }
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

/** A point as the mapping writes it: `{ date }`, or `{ dateTime, timeZone }` in the zone it is shown in. */
export const toEventDateTime = (when: When): EventDateTime =>
  formatEventDateTime(when, when.allDay ? undefined : when.zone.id);

const isUtc = (when: When): boolean => !when.allDay && when.zone.id === 'UTC';

/** Value of a recurrence line in the series' form: a date, a wall time in the series' zone, or a UTC time. */
export function recurrenceValue(when: When): string {
  if (when.allDay || isUtc(when)) return basicId(when);
  return formatWallMs(wallOf(when), 'basic', true);
}

/** The parameters a recurrence line needs to match the series: VALUE=DATE, TZID=zone, or none for UTC. */
export function recurrenceParams(like: When): string {
  if (like.allDay) return ';VALUE=DATE';
  return isUtc(like) ? '' : `;TZID=${like.zone.id}`;
}
