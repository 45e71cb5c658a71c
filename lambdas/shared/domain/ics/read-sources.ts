/**
 * Reading a feed into interpreted source events: its zones first (VTIMEZONEs, X-WR-TIMEZONE), then each VEVENT
 * as it is read, with its times in the domain's time model (../time/when.ts). Broken VEVENTs are skipped with a
 * warning; nothing here decides what Google gets (./map-feed.ts assembles that).
 */
import { DAY_MS } from '../time/civil.ts';
import { durationParts, parseDuration, parseIcsTime } from '../time/ics-values.ts';
import { coerceLike, type TimedWhen, type When, wallOf } from '../time/when.ts';
import { WorkBudget } from '../work-budget.ts';
import {
  type Component,
  first,
  type Property,
  readComponents,
  type UnclosedComponent,
} from './content-lines.ts';
import { derivedUid } from './event-ids.ts';
import type { Horizon } from './horizon.ts';
import { inSeriesZone, POINT_IN_TIME_MS } from './recurrence.ts';
import type { SourceEvent } from './source-event.ts';
import { byNameOnlyZone, ZoneResolver } from './time-zones.ts';
import { type CustomZone, readVTimezone } from './vtimezone.ts';
import { type TimeContext, whenOfProperty } from './when.ts';

export interface MappingWarning {
  uid?: string;
  reason: string;
}

/** The warnings of one mapping, each said once, and the UIDs of the VEVENTs that could not be read. */
export class Warnings {
  readonly list: MappingWarning[] = [];
  readonly skippedUids = new Set<string>();
  readonly #seen = new Set<string>();
  add(reason: string, uid?: string): void {
    const key = `${uid ?? ''}\u0000${reason}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.list.push(uid === undefined ? { reason } : { uid, reason });
  }
}

/** What reading needs of the mapping's options. */
export interface ReadOptions {
  horizon: Horizon;
  defaultTimeZone: string;
}

/** Properties left out of a derived UID: they change on every export without the event changing. */
const VOLATILE = new Set(['DTSTAMP', 'LAST-MODIFIED', 'CREATED', 'SEQUENCE']);

function horizonYears(horizon: Horizon): number[] {
  const from = horizon.from.getUTCFullYear();
  const to = Math.min(horizon.to.getUTCFullYear(), from + 11);
  const years: number[] = [];
  for (let y = from; y <= to; y++) years.push(y);
  return years;
}

function readSequence(component: Component): number {
  const n = Number.parseInt(first(component, 'SEQUENCE')?.value ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

/**
 * The end of a timed event that would not end after it starts (DTSTART only, DTEND <= DTSTART, DURATION:PT0S
 * or negative): Google refuses `end <= start` with 400 timeRangeEmpty, so it gets POINT_IN_TIME_MS, one minute,
 * the shortest span Google's minute grid shows, as a point in time (keeper.sh PR 616). Always the same, so
 * the content hash is stable.
 */
const pointInTimeEnd = (start: TimedWhen): When => ({ ...start, utcMs: start.utcMs + POINT_IN_TIME_MS });

const dtstartTzid = (component: Component) => first(component, 'DTSTART')?.params.TZID;

/**
 * End of an event: DTEND, else DURATION, else one day (all-day) or a point in time (timed). A timed event
 * that would not end after it starts ends POINT_IN_TIME_MS after it (an inverted range keeps its start).
 */
function endOf(
  component: Component,
  start: When,
  ctx: TimeContext,
  warn: (r: string) => void,
): When | undefined {
  const dtend = first(component, 'DTEND');
  const durationText = first(component, 'DURATION')?.value;
  if (dtend) {
    // A local DTEND beside a zoned DTSTART is read in DTSTART's zone, as the writer evidently meant.
    const startTzid = dtstartTzid(component);
    const inStartZone =
      startTzid && !dtend.params.TZID && /^\d{8}T\d{6}$/.test(dtend.value.trim())
        ? { ...dtend, params: { ...dtend.params, TZID: startTzid } }
        : dtend;
    const end = whenOfProperty(inStartZone, ctx);
    if (!end) return undefined;
    const endOut = start.allDay || end.allDay ? coerceLike(end, start) : end;
    if (endOut.utcMs > start.utcMs) return endOut;
    if (start.allDay) return { allDay: true, utcMs: start.utcMs + DAY_MS };
    if (endOut.utcMs < start.utcMs)
      warn('DTEND before DTSTART: the event is shown as a point in time (1 minute) at its start');
    return pointInTimeEnd(start);
  }
  if (durationText) {
    const duration = parseDuration(durationText);
    if (!duration) {
      warn(`unreadable DURATION ignored: ${durationText.slice(0, 40)}`);
    } else {
      const { days, ms } = durationParts(duration);
      if (start.allDay) {
        const total = Math.max(1, Math.ceil((days * DAY_MS + ms) / DAY_MS));
        return { allDay: true, utcMs: start.utcMs + total * DAY_MS };
      }
      // Days are nominal (same wall time on the later day), hours exact (RFC 5545 3.3.6).
      const utcMs = days === 0 ? start.utcMs + ms : start.zone.toUtc(wallOf(start) + days * DAY_MS) + ms;
      return utcMs > start.utcMs ? { ...start, utcMs } : pointInTimeEnd(start);
    }
  }
  return start.allDay ? { allDay: true, utcMs: start.utcMs + DAY_MS } : pointInTimeEnd(start);
}

/** A physical line (not unfolded) that opens a VTIMEZONE, closes one, or opens a VCALENDAR. */
const VTIMEZONE_BEGIN = /^[ \t]*BEGIN:VTIMEZONE[ \t]*$/i;
const VTIMEZONE_END = /^[ \t]*END:VTIMEZONE[ \t]*$/i;
const VCALENDAR_BEGIN = /^[ \t]*BEGIN:VCALENDAR/i;
const X_WR_TIMEZONE = /^X-WR-TIMEZONE(?:;[^:]*)?:(.*)$/i;

/** Calls `visit` with each physical line of the text and the index where it starts, in one pass. */
function forEachPhysicalLine(text: string, visit: (line: string, start: number, end: number) => void): void {
  let index = 0;
  const length = text.length;
  while (index <= length) {
    let end = index;
    while (end < length) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13) break;
      end++;
    }
    visit(text.slice(index, end), index, end);
    if (end >= length) return;
    index = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
  }
}

/**
 * The VTIMEZONEs and X-WR-TIMEZONEs of the text, found before the events are read (a VTIMEZONE may come
 * after the events that use it), so each event can be interpreted the moment it is read. One pass over the
 * lines: a VTIMEZONE runs from its BEGIN line to the next END:VTIMEZONE line (one never closed is not read),
 * an X-WR-TIMEZONE belongs to the VCALENDAR begun last. The number of VTIMEZONEs is capped.
 */
function scanZones(
  text: string,
  budget: WorkBudget,
): { vtimezones: Map<string, CustomZone>; wrZones: Map<number, string> } {
  const vtimezones = new Map<string, CustomZone>();
  const wrZones = new Map<number, string>();
  let zoneCount = 0;
  let openedAt: number | undefined;
  let calendarIndex = -1;
  forEachPhysicalLine(text, (line, start, end) => {
    if (VCALENDAR_BEGIN.test(line)) calendarIndex++;
    if (openedAt === undefined) {
      if (VTIMEZONE_BEGIN.test(line)) openedAt = start;
    } else if (VTIMEZONE_END.test(line)) {
      budget.cap('zones', ++zoneCount, 'more than {n} VTIMEZONEs');
      const block = text.slice(openedAt, end);
      openedAt = undefined;
      const { calendars } = readComponents(`BEGIN:VCALENDAR\r\n${block}\r\nEND:VCALENDAR\r\n`, { budget });
      for (const component of calendars[0]?.components ?? []) {
        const zone = component.name === 'VTIMEZONE' ? readVTimezone(component, budget) : undefined;
        if (zone && !vtimezones.has(zone.tzid)) vtimezones.set(zone.tzid, zone);
      }
      return;
    }
    const wr = X_WR_TIMEZONE.exec(line);
    const value = (wr?.[1] ?? '').trim();
    if (value && !wrZones.has(calendarIndex)) wrZones.set(calendarIndex, value);
  });
  return { vtimezones, wrZones };
}

/** Properties the mapping reads after an event has been interpreted; the others are dropped right away. */
const KEPT_AFTER_READ = new Set([
  'STATUS',
  'SUMMARY',
  'DESCRIPTION',
  'LOCATION',
  'TRANSP',
  'CLASS',
  'RRULE',
  'EXRULE',
  'RDATE',
  'EXDATE',
]);

/**
 * Reads VEVENTs into interpreted source events, one at a time as the text is read (a big feed is never
 * held as a whole tree); broken ones are skipped with a warning.
 */
export function readSources(
  text: string,
  options: ReadOptions,
  warnings: Warnings,
  budget: WorkBudget = new WorkBudget(),
): SourceEvent[] {
  const { vtimezones, wrZones } = scanZones(text, budget);
  const resolver = new ZoneResolver(vtimezones, horizonYears(options.horizon), budget);
  const year = options.horizon.from.getUTCFullYear();
  const defaultZone = byNameOnlyZone(options.defaultTimeZone, year) ?? 'UTC';
  const contexts = new Map<number, TimeContext>();
  const contextOf = (calendarIndex: number): TimeContext => {
    let ctx = contexts.get(calendarIndex);
    if (ctx) return ctx;
    const wrZone = wrZones.get(calendarIndex);
    const wrIana = wrZone ? byNameOnlyZone(wrZone, year) : undefined;
    if (wrZone && !wrIana)
      warnings.add(`unknown X-WR-TIMEZONE ${wrZone}: floating times read in ${defaultZone}`);
    const floatingZone = wrIana ?? defaultZone;
    ctx = {
      resolver,
      floatingZone,
      onUnknownZone: (tzid) =>
        warnings.add(`unknown time zone ${tzid}: its times are read as floating (${floatingZone})`),
    };
    contexts.set(calendarIndex, ctx);
    return ctx;
  };
  const sources: SourceEvent[] = [];
  let order = 0;
  const { unreadableLines, unclosed, unclosedCount } = readComponents(text, {
    budget,
    onEvent: (component, calendarIndex) => {
      // A unit per event: it also lets the budget look at its clock while a big feed is read.
      budget.spend(1, 'reading events');
      const source = readSource(component, contextOf(calendarIndex), order++, warnings);
      if (!source) return;
      source.component = {
        name: component.name,
        properties: component.properties.filter((p) => KEPT_AFTER_READ.has(p.name)),
        components: [],
      };
      sources.push(source);
    },
  });
  if (unreadableLines > 0) warnings.add(`${unreadableLines} unreadable content line(s) skipped`);
  for (const component of unclosed) warnings.add(unclosedReason(component));
  if (unclosedCount > unclosed.length)
    warnings.add(`${unclosedCount - unclosed.length} more component(s) without their END closed likewise`);
  return sources;
}

/**
 * A component closed without its END (missing or misspelled): where it began and where the reader closed it,
 * so the feed's owner can find it; what follows it is read as usual.
 */
function unclosedReason(component: UnclosedComponent | undefined): string {
  if (!component) return 'END:VEVENT missing: the event was read up to the next component';
  const { name, openedAtLine, closedAtLine, closedBy } = component;
  return (
    `END:${name} missing or misspelled: the ${name} begun at line ${openedAtLine} was closed at line ` +
    `${closedAtLine} (${closedBy})`
  );
}

function readSource(
  component: Component,
  ctx: TimeContext,
  order: number,
  warnings: Warnings,
): SourceEvent | undefined {
  const uidValue = first(component, 'UID')?.value.trim();
  const uid =
    uidValue ||
    derivedUid(
      component.properties
        .filter((p) => !VOLATILE.has(p.name))
        .map((p) => `${p.name};${JSON.stringify(p.params)}:${p.value}`),
    );
  const skip = (reason: string) => {
    warnings.skippedUids.add(uid);
    warnings.add(`event skipped: ${reason}`, uid);
    return undefined;
  };
  if (component.unterminated) warnings.add(unclosedReason(component.unclosed), uid);
  const dtstart = first(component, 'DTSTART');
  if (!dtstart) return skip('no DTSTART');
  const start = whenOfProperty(dtstart, ctx);
  if (!start) return skip(`unreadable DTSTART ${dtstart.value.slice(0, 40)}`);
  const end = endOf(component, start, ctx, (reason) => warnings.add(reason, uid));
  if (!end) return skip(`unreadable DTEND ${first(component, 'DTEND')?.value.slice(0, 40) ?? ''}`);
  const source: SourceEvent = {
    component,
    uid,
    order,
    sequence: readSequence(component),
    ctx,
    start,
    end,
    thisAndFuture: false,
  };
  if (dtstart.params.TZID !== undefined) source.startTzid = dtstart.params.TZID;
  const rid = first(component, 'RECURRENCE-ID');
  if (rid) {
    const recurrenceId = whenOfProperty(rid, ctx);
    if (!recurrenceId) return skip(`unreadable RECURRENCE-ID ${rid.value.slice(0, 40)}`);
    source.recurrenceId = recurrenceId;
    if (isFloatingDateTime(rid)) source.floatingRecurrenceId = rid;
    source.thisAndFuture = rid.params.RANGE?.toUpperCase() === 'THISANDFUTURE';
  }
  return source;
}

/** A DATE-TIME value without TZID or `Z` (and not forced to a DATE by VALUE=DATE): a floating time. */
function isFloatingDateTime(property: Property): boolean {
  if (property.params.TZID !== undefined || property.params.VALUE?.toUpperCase() === 'DATE') return false;
  const time = parseIcsTime(property.value.trim());
  return time?.kind === 'date-time' && !time.utc;
}

/**
 * An override as its series reads it: a floating RECURRENCE-ID of an override whose (timed) master has a
 * DTSTART with a TZID names the master's instance in the master's own wall time (RFC 5545 3.8.4.4: the
 * RECURRENCE-ID takes DTSTART's value type and TZID), so it is read in that zone, like a floating EXDATE/RDATE
 * (`inSeriesZone`); read in the default zone it would miss the instance by the zone's offset. A floating
 * master keeps the default-zone reading; without a master nothing is matched and the reading stays too.
 */
export function inMasterZone(exception: SourceEvent, master: SourceEvent | undefined): SourceEvent {
  const property = exception.floatingRecurrenceId;
  if (!property || !master?.startTzid || master.start.allDay) return exception;
  const recurrenceId = whenOfProperty(inSeriesZone(property, master.startTzid), master.ctx);
  return recurrenceId ? { ...exception, recurrenceId } : exception;
}
