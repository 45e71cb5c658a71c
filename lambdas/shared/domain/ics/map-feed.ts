/**
 * ICS text -> the Event resources a first sync writes into an empty dedicated calendar. Pure and
 * deterministic: the same text and options always give byte-identical output.
 */
import { ExpansionError, expandSeries, hasOccurrenceIn, instanceId } from '../expansion/index.ts';
import { timeZoneNamed } from '../expansion/time-zone.ts';
import { type EventDateTime, type GoogleEvent, TEXT_LIMITS } from '../google-event.ts';
import { DAY_MS } from '../time/civil.ts';
import { type Component, first, type Property, readComponents, unescapeText } from './content-lines.ts';
import { contentHash, derivedUid, eventIdFor } from './event-ids.ts';
import { inSeriesZone, type PeriodInstance, POINT_IN_TIME_MS, seriesRecurrence } from './recurrence.ts';
import type { SourceEvent } from './source-event.ts';
import { splitThisAndFuture } from './this-and-future.ts';
import { byNameOnlyZone, ZoneResolver } from './time-zones.ts';
import { durationParts, parseDuration, parseIcsTime } from './values.ts';
import { type CustomZone, readVTimezone } from './vtimezone.ts';
import {
  basicId,
  coerceLike,
  instantOf,
  type TimeContext,
  toEventDateTime,
  type When,
  wallOf,
  whenOfProperty,
} from './when.ts';

export interface Horizon {
  from: Date;
  to: Date;
}

export interface MappingOptions {
  /** Per-subscriber secret salt of event ids. */
  salt: string;
  /** Events are kept when they overlap [from, to); a recurring series is kept whole if any occurrence does. */
  horizon: Horizon;
  /** IANA zone for floating times when the calendar has no X-WR-TIMEZONE. */
  defaultTimeZone: string;
}

export interface MappingWarning {
  uid?: string;
  reason: string;
}

export interface MappedFeed {
  /** Series and single events first (feed order), then each series' exceptions (by original start). */
  events: GoogleEvent[];
  warnings: MappingWarning[];
  /**
   * UIDs of VEVENTs skipped because they could not be read (sorted, without duplicates). Their events are
   * absent from `events` for a read failure, not because the feed dropped them: a sync must not delete them.
   */
  skippedUids?: string[];
}

/** The default horizon: 30 days back, 24 months ahead of `now`. */
export function defaultHorizon(now: Date): Horizon {
  const to = new Date(now.getTime());
  to.setUTCMonth(to.getUTCMonth() + 24);
  return { from: new Date(now.getTime() - 30 * DAY_MS), to };
}

/** Properties left out of a derived UID: they change on every export without the event changing. */
const VOLATILE = new Set(['DTSTAMP', 'LAST-MODIFIED', 'CREATED', 'SEQUENCE']);

class Warnings {
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
const pointInTimeEnd = (start: When & { allDay: false }): When => ({
  ...start,
  utcMs: start.utcMs + POINT_IN_TIME_MS,
});

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
    const coerced = coerceLike(end, start);
    const endOut = start.allDay || end.allDay ? coerced : end;
    if (instantOf(endOut) > instantOf(start)) return endOut;
    if (start.allDay) return { allDay: true, day: start.day + DAY_MS };
    if (instantOf(endOut) < instantOf(start))
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
        return { allDay: true, day: start.day + total * DAY_MS };
      }
      // Days are nominal (same wall time on the later day), hours exact (RFC 5545 3.3.6).
      const utcMs =
        days === 0 ? start.utcMs + ms : timeZoneNamed(start.zone).toUtc(wallOf(start) + days * DAY_MS) + ms;
      return utcMs > start.utcMs ? { ...start, utcMs } : pointInTimeEnd(start);
    }
  }
  return start.allDay ? { allDay: true, day: start.day + DAY_MS } : pointInTimeEnd(start);
}

const dtstartTzid = (component: Component) => first(component, 'DTSTART')?.params.TZID;

function textOf(component: Component, name: string, limit: number): string | undefined {
  const value = first(component, name)?.value;
  if (value === undefined) return undefined;
  const text = unescapeText(value);
  return text.trim() ? fitText(text, limit) : undefined;
}

/** Shortens text to `limit` UTF-16 units, ending in an ellipsis, without splitting a surrogate pair. */
export function fitText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let cut = limit - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${text.slice(0, cut)}\u2026`;
}

const STATUS: Record<string, GoogleEvent['status']> = {
  CONFIRMED: 'confirmed',
  TENTATIVE: 'tentative',
  CANCELLED: 'cancelled',
};
const TRANSP: Record<string, GoogleEvent['transparency']> = { OPAQUE: 'opaque', TRANSPARENT: 'transparent' };
/**
 * CLASS:PUBLIC (Outlook writes it on every event) keeps the calendar's default visibility: Google's
 * `public` would show the details to people the subscriber shares the calendar with as free/busy only.
 */
const CLASS: Record<string, GoogleEvent['visibility']> = {
  PRIVATE: 'private',
  CONFIDENTIAL: 'confidential',
};

const upper = (component: Component, name: string) =>
  first(component, name)?.value.trim().toUpperCase() ?? '';

function statusOf(component: Component): GoogleEvent['status'] {
  return STATUS[upper(component, 'STATUS')] ?? 'confirmed';
}

/** The fields every event carries, in a fixed key order (the content hash depends on it). */
function baseResource(source: SourceEvent, start: When, end: When): Omit<GoogleEvent, 'extendedProperties'> {
  const c = source.component;
  const resource: Omit<GoogleEvent, 'extendedProperties'> = {
    status: statusOf(c),
    start: toEventDateTime(start),
    end: toEventDateTime(end),
  };
  const summary = textOf(c, 'SUMMARY', TEXT_LIMITS.summary);
  const description = textOf(c, 'DESCRIPTION', TEXT_LIMITS.description);
  const location = textOf(c, 'LOCATION', TEXT_LIMITS.location);
  if (summary !== undefined) resource.summary = summary;
  if (description !== undefined) resource.description = description;
  if (location !== undefined) resource.location = location;
  resource.transparency = TRANSP[upper(c, 'TRANSP')] ?? 'opaque';
  resource.visibility = CLASS[upper(c, 'CLASS')] ?? 'default';
  return resource;
}

function finish(
  resource: Omit<GoogleEvent, 'extendedProperties'>,
  icsUid: string,
  icsRecurrenceId?: string,
  icsSplitFrom?: string,
): GoogleEvent {
  const privateProps: GoogleEvent['extendedProperties']['private'] = { icsUid, icsHash: '' };
  if (icsRecurrenceId) privateProps.icsRecurrenceId = icsRecurrenceId;
  if (icsSplitFrom !== undefined) privateProps.icsSplitFrom = icsSplitFrom;
  const event: GoogleEvent = { ...resource, extendedProperties: { private: privateProps } };
  privateProps.icsHash = contentHash(event);
  return event;
}

const overlaps = (start: When, end: When, from: number, to: number) => {
  const s = instantOf(start);
  const e = Math.max(instantOf(end), s);
  return s < to && (e > from || (e === s && s >= from));
};

/**
 * The VTIMEZONEs and X-WR-TIMEZONEs of the text, found before the events are read (a VTIMEZONE may come
 * after the events that use it), so each event can be interpreted the moment it is read.
 */
function scanZones(text: string): { vtimezones: Map<string, CustomZone>; wrZones: Map<number, string> } {
  const vtimezones = new Map<string, CustomZone>();
  for (const match of text.matchAll(
    /^[ \t]*BEGIN:VTIMEZONE[ \t]*\r?$[\s\S]*?^[ \t]*END:VTIMEZONE[ \t]*\r?$/gim,
  )) {
    const { calendars } = readComponents(`BEGIN:VCALENDAR\r\n${match[0]}\r\nEND:VCALENDAR\r\n`);
    for (const component of calendars[0]?.components ?? []) {
      const zone = component.name === 'VTIMEZONE' ? readVTimezone(component) : undefined;
      if (zone && !vtimezones.has(zone.tzid)) vtimezones.set(zone.tzid, zone);
    }
  }
  const wrZones = new Map<number, string>();
  const calendarStarts = [...text.matchAll(/^[ \t]*BEGIN:VCALENDAR/gim)].map((m) => m.index);
  for (const match of text.matchAll(/^X-WR-TIMEZONE(?:;[^:\r\n]*)?:([^\r\n]*)/gim)) {
    const calendarIndex = calendarStarts.filter((start) => start < match.index).length - 1;
    const value = (match[1] ?? '').trim();
    if (value && !wrZones.has(calendarIndex)) wrZones.set(calendarIndex, value);
  }
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
function readSources(text: string, options: MappingOptions, warnings: Warnings): SourceEvent[] {
  const { vtimezones, wrZones } = scanZones(text);
  const resolver = new ZoneResolver(vtimezones, horizonYears(options.horizon));
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
  const { unreadableLines } = readComponents(text, {
    onEvent: (component, calendarIndex) => {
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
  return sources;
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
  if (component.unterminated)
    warnings.add('END:VEVENT missing: the event was read up to the next component', uid);
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
function inMasterZone(exception: SourceEvent, master: SourceEvent | undefined): SourceEvent {
  const property = exception.floatingRecurrenceId;
  if (!property || !master?.startTzid || master.start.allDay) return exception;
  const recurrenceId = whenOfProperty(inSeriesZone(property, master.startTzid), master.ctx);
  return recurrenceId ? { ...exception, recurrenceId } : exception;
}

/** Highest SEQUENCE wins, then the later component. */
function newest(a: SourceEvent, b: SourceEvent): SourceEvent {
  if (a.sequence !== b.sequence) return a.sequence > b.sequence ? a : b;
  return a.order > b.order ? a : b;
}

interface SeriesPlan {
  source: SourceEvent;
  event: GoogleEvent;
  periodInstances: PeriodInstance[];
  /** Instants (all-day: dates' UTC midnights) the series' EXDATEs delete. */
  exdates: Set<number>;
  exceptions: SourceEvent[];
}

export function mapFeed(text: string, options: MappingOptions): MappedFeed {
  const warnings = new Warnings();
  const sources = readSources(text, options, warnings);

  const masters = new Map<string, SourceEvent>();
  for (const source of sources) {
    if (source.recurrenceId) continue;
    const existing = masters.get(source.uid);
    if (existing)
      warnings.add('duplicate UID: the highest SEQUENCE (then the later one) is kept', source.uid);
    masters.set(source.uid, existing ? newest(existing, source) : source);
  }
  // Once the masters are known: a floating RECURRENCE-ID is read in its master's zone before duplicates meet.
  const exceptions = new Map<string, SourceEvent>();
  for (const read of sources) {
    if (!read.recurrenceId) continue;
    const source = inMasterZone(read, masters.get(read.uid));
    const key = `${source.uid}\u0000${basicId(source.recurrenceId as When)}`;
    const existing = exceptions.get(key);
    exceptions.set(key, existing ? newest(existing, source) : source);
  }

  splitThisAndFuture(masters, exceptions);

  const from = options.horizon.from.getTime();
  const to = options.horizon.to.getTime();
  const window = { timeMin: options.horizon.from, timeMax: options.horizon.to };

  const plans = new Map<string, SeriesPlan>();
  const orderedMasters = [...masters.values()].sort((a, b) => a.order - b.order);
  const output: { order: number; event: GoogleEvent; plan?: SeriesPlan }[] = [];
  for (const source of orderedMasters) {
    if (statusOf(source.component) === 'cancelled') continue;
    const id = eventIdFor(options.salt, source.uid);
    const resource = baseResource(source, source.start, source.end);
    const durationMs = instantOf(source.end) - instantOf(source.start);
    const recurrence = seriesRecurrence(
      source.component,
      source.start,
      durationMs,
      source.ctx,
      source.startTzid,
    );
    for (const problem of recurrence.problems) warnings.add(problem, source.uid);
    if (recurrence.lines.length > 0) {
      const event = finish(
        { id, ...resource, recurrence: recurrence.lines },
        source.uid,
        undefined,
        source.splitFrom,
      );
      const plan: SeriesPlan = {
        source,
        event,
        periodInstances: recurrence.periodInstances,
        exdates: new Set(recurrence.exdates.map(instantOf)),
        exceptions: [],
      };
      plans.set(source.uid, plan);
      output.push({ order: source.order, event, plan });
    } else {
      const event = finish({ id, ...resource }, source.uid, undefined, source.splitFrom);
      output.push({ order: source.order, event });
    }
  }

  // Exceptions join their series; an exception without a (recurring) series stands alone.
  const orphans: SourceEvent[] = [];
  for (const exception of [...exceptions.values()].sort((a, b) => a.order - b.order)) {
    const plan = plans.get(exception.uid);
    if (plan) plan.exceptions.push(exception);
    else if (!masters.has(exception.uid) && warnings.skippedUids.has(exception.uid)) {
      // Its series is in the feed but unreadable: a standalone copy would duplicate the instance the
      // calendar already has. Left out like the series (skippedUids keeps both from being deleted).
      warnings.add(
        `exception ${basicId(exception.recurrenceId as When)} skipped with its unreadable series`,
        exception.uid,
      );
    } else if (!masters.has(exception.uid)) orphans.push(exception);
    else if (statusOf(masters.get(exception.uid)?.component as Component) !== 'cancelled') {
      // The master does not recur: the override replaces it if it is for its start, else it stands alone.
      orphans.push(exception);
    }
  }

  const events: GoogleEvent[] = [];
  const exceptionEvents: GoogleEvent[] = [];
  for (const item of output) {
    if (!item.plan) {
      const { start, end } = item.event;
      if (overlapsEventDateTimes(start, end, from, to)) events.push(item.event);
      continue;
    }
    let mapped: ReturnType<typeof mapSeries>;
    let inWindow: boolean;
    try {
      mapped = mapSeries(item.plan);
      inWindow =
        hasOccurrenceIn(item.event, window) ||
        mapped.exceptions.some(
          (e) => e.status !== 'cancelled' && overlapsEventDateTimes(e.start, e.end, from, to),
        );
    } catch (error) {
      if (!(error instanceof ExpansionError)) throw error;
      // Google would refuse these recurrence lines too: keep the first instance rather than lose the event.
      const { source } = item.plan;
      warnings.add(`recurrence not usable (${error.message}): only the first instance is kept`, source.uid);
      const { recurrence: _dropped, extendedProperties: _old, ...single } = item.event;
      const event = finish(single, source.uid, undefined, source.splitFrom);
      if (overlapsEventDateTimes(event.start, event.end, from, to)) events.push(event);
      continue;
    }
    for (const deleted of mapped.deleted) {
      warnings.add(
        `override ${basicId(deleted.recurrenceId as When)} left out: the series deletes that occurrence (EXDATE, higher SEQUENCE)`,
        deleted.uid,
      );
    }
    if (!inWindow) continue;
    events.push(item.event);
    exceptionEvents.push(...mapped.exceptions);
    for (const orphan of mapped.orphans) orphans.push(orphan);
  }

  for (const orphan of orphans.sort((a, b) => a.order - b.order)) {
    if (statusOf(orphan.component) === 'cancelled') continue;
    if (!overlaps(orphan.start, orphan.end, from, to)) continue;
    const rid = orphan.recurrenceId as When;
    const masterSource = masters.get(orphan.uid);
    if (
      masterSource &&
      !plans.has(orphan.uid) &&
      basicId(coerceLike(rid, masterSource.start)) === basicId(masterSource.start)
    ) {
      // An override of a single event's only instance: it replaces that event.
      const index = events.findIndex(
        (e) => e.extendedProperties.private.icsUid === orphan.uid && !e.recurringEventId,
      );
      const replacement = finish(
        { id: eventIdFor(options.salt, orphan.uid), ...baseResource(orphan, orphan.start, orphan.end) },
        orphan.uid,
        undefined,
        masterSource.splitFrom,
      );
      if (index >= 0) events[index] = replacement;
      else events.push(replacement);
      continue;
    }
    warnings.add(
      `RECURRENCE-ID ${basicId(rid)} matches no instance of a series: kept as a standalone event`,
      orphan.uid,
    );
    const key = `${orphan.uid}\u0000${basicId(rid)}`;
    events.push(
      finish(
        { id: eventIdFor(options.salt, key), ...baseResource(orphan, orphan.start, orphan.end) },
        orphan.uid,
        basicId(rid),
      ),
    );
  }
  return {
    events: [...events, ...exceptionEvents],
    warnings: warnings.list,
    skippedUids: [...warnings.skippedUids].sort(),
  };
}

function overlapsEventDateTimes(start: EventDateTime, end: EventDateTime, from: number, to: number): boolean {
  const parse = (v: EventDateTime) =>
    'date' in v ? Date.parse(`${v.date}T00:00:00Z`) : Date.parse(v.dateTime);
  const s = parse(start);
  const e = Math.max(parse(end), s);
  return s < to && (e > from || (e === s && s >= from));
}

/**
 * A series' exceptions as Google instance exceptions. The original start must be an instance of the
 * series: a RECURRENCE-ID that misses (other time, other zone) is matched to the instance on the same
 * day, else the override stands alone. RDATE periods longer or shorter than the series become exceptions
 * too.
 */
function mapSeries(plan: SeriesPlan): {
  exceptions: GoogleEvent[];
  orphans: SourceEvent[];
  deleted: SourceEvent[];
} {
  const series = plan.event;
  const seriesId = series.id as string;
  const start = plan.source.start;
  const overrides = new Map<string, GoogleEvent>();
  const orphans: SourceEvent[] = [];
  const deleted: SourceEvent[] = [];

  // The instances around every RECURRENCE-ID, found with one expansion of the series.
  const rids = plan.exceptions.map((e) => instantOf(e.recurrenceId as When));
  const instances = new Map<string, string>();
  if (rids.length > 0) {
    const timeMin = new Date(Math.min(...rids) - 2 * DAY_MS);
    const timeMax = new Date(Math.max(...rids) + 2 * DAY_MS);
    for (const occurrence of expandSeries(series, [], { timeMin, timeMax }, { maxOccurrences: 20_000 })) {
      const original = occurrence.originalStartTime ?? occurrence.start;
      instances.set(instanceId(seriesId, original), JSON.stringify(original));
    }
  }

  const addException = (
    originalStart: When,
    resource: Omit<GoogleEvent, 'extendedProperties'>,
    uid: string,
  ) => {
    const originalStartTime = toEventDateTime(originalStart);
    const icsRecurrenceId = basicId(originalStart);
    overrides.set(
      icsRecurrenceId,
      finish({ ...resource, recurringEventId: seriesId, originalStartTime }, uid, icsRecurrenceId),
    );
  };

  for (const period of plan.periodInstances) {
    const { id: _id, recurrence: _recurrence, ...rest } = series;
    const { extendedProperties: _ext, ...resource } = rest;
    addException(
      period.start,
      { ...resource, start: toEventDateTime(period.start), end: toEventDateTime(period.end) },
      plan.source.uid,
    );
  }

  for (const exception of plan.exceptions.sort(
    (a, b) => instantOf(a.recurrenceId as When) - instantOf(b.recurrenceId as When),
  )) {
    const rid = coerceLike(exception.recurrenceId as When, start);
    if (plan.exdates.has(instantOf(rid)) && plan.source.sequence > exception.sequence) {
      // Edited, then deleted: the newer series excludes the occurrence the older override changed.
      deleted.push(exception);
      continue;
    }
    let original: When | undefined = rid;
    if (!instances.has(instanceId(seriesId, toEventDateTime(rid)))) {
      original = sameDayInstance(rid, instances, seriesId, start);
    }
    if (!original) {
      orphans.push(exception);
      continue;
    }
    addException(original, baseResource(exception, exception.start, exception.end), exception.uid);
  }
  const exceptions = [...overrides.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => e);
  return { exceptions, orphans, deleted };
}

/** The series instance on the same calendar day as a RECURRENCE-ID that names no instance exactly. */
function sameDayInstance(
  rid: When,
  instances: Map<string, string>,
  seriesId: string,
  start: When,
): When | undefined {
  const day = basicId(coerceLike(rid, { allDay: true, day: 0 })).slice(0, 8);
  for (const [id, original] of instances) {
    const eventDateTime = JSON.parse(original) as EventDateTime;
    const candidate: When =
      'date' in eventDateTime
        ? { allDay: true, day: Date.parse(`${eventDateTime.date}T00:00:00Z`) }
        : {
            allDay: false,
            utcMs: Date.parse(eventDateTime.dateTime),
            zone: start.allDay ? 'UTC' : start.zone,
          };
    const candidateDay = basicId(coerceLike(candidate, { allDay: true, day: 0 })).slice(0, 8);
    if (candidateDay === day && id.startsWith(seriesId)) return candidate;
  }
  return undefined;
}
