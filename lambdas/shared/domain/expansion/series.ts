import type { EventDateTime, GoogleEvent } from '../google-event.ts';
import { DAY_MS } from '../time/civil.ts';
import { type TimeZone, UTC_ZONE } from '../time/zone.ts';
import { ExpansionError } from './errors.ts';
import { parseRule, type RecurrenceRule, walkRule } from './rule.ts';
import { googleTimeZoneNamed } from './time-zone.ts';
import { type IcsValue, parseGoogleDate, parseGoogleDateTime, parseIcsValue } from './values.ts';

/** An EventDateTime on the time line: all-day dates are placed at UTC midnight (floating, like the reference). */
export interface Placed {
  allDay: boolean;
  /** Instant; for all-day values the date's UTC midnight. */
  utcMs: number;
  /** The zone a timed value is shown in (UTC for all-day values). */
  zone: TimeZone;
  /** The `timeZone` the value carried, echoed in output. */
  timeZoneId?: string;
}

export function placeEventDateTime(value: EventDateTime): Placed {
  if ('date' in value) {
    return { allDay: true, utcMs: parseGoogleDate(value.date) * DAY_MS, zone: UTC_ZONE };
  }
  if (typeof value.dateTime !== 'string') {
    throw new ExpansionError('bad_date_time', 'An event time has neither a date nor a dateTime.');
  }
  const { utcMs, zone } = parseGoogleDateTime(value.dateTime, value.timeZone);
  return value.timeZone
    ? { allDay: false, utcMs, zone, timeZoneId: value.timeZone }
    : { allDay: false, utcMs, zone };
}

/** A series reduced to numbers: what the instance walk needs, computed once per call. */
export interface PreparedSeries {
  start: Placed;
  end: Placed;
  allDay: boolean;
  zone: TimeZone;
  /** DTSTART as wall-clock time in the series' zone. */
  startWall: number;
  durationMs: number;
  rules: RecurrenceRule[];
  exrules: RecurrenceRule[];
  /** RDATE instants; each instance lasts durationMs (Google takes no PERIOD). */
  rdates: number[];
  /** Excluded instants (for all-day series: excluded dates' UTC midnights). */
  exdates: Set<number>;
}

interface ContentLine {
  name: string;
  params: Map<string, string>;
  value: string;
}

/** `RDATE;TZID="Europe/Berlin";VALUE=DATE-TIME:20240105T100000,...` -> name, parameters, value. */
function splitLine(line: string): ContentLine {
  let colon = line.indexOf(':');
  if (line.lastIndexOf('"', colon) >= 0) {
    // A quoted parameter value may hold a colon: find the first one outside quotes.
    let inQuotes = false;
    colon = -1;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (ch === '"') inQuotes = !inQuotes;
      else if (ch === ':' && !inQuotes) {
        colon = i;
        break;
      }
    }
  }
  if (colon < 0) throw new ExpansionError('bad_recurrence', `Recurrence line "${line}" has no value.`);
  const [name = '', ...rawParams] = line.slice(0, colon).split(';');
  const params = new Map<string, string>();
  for (const param of rawParams) {
    const eq = param.indexOf('=');
    if (eq <= 0)
      throw new ExpansionError('bad_recurrence', `Recurrence line "${line}": "${param}" is not NAME=VALUE.`);
    params.set(param.slice(0, eq).toUpperCase(), param.slice(eq + 1).replace(/^"|"$/g, ''));
  }
  return { name: name.trim().toUpperCase(), params, value: line.slice(colon + 1).trim() };
}

/** Where a DATE or DATE-TIME of a recurrence line falls for this series. */
function instantOf(series: PreparedSeries, value: IcsValue): number {
  if (series.allDay) {
    const wall =
      value.kind === 'date' ? value.day * DAY_MS : value.kind === 'utc' ? value.utcMs : value.wallMs;
    return Math.floor(wall / DAY_MS) * DAY_MS;
  }
  if (value.kind === 'utc') return value.utcMs;
  if (value.kind === 'local') return (value.zone ?? series.zone).toUtc(value.wallMs);
  // A DATE in a timed series: that day at the series' time of day.
  const timeOfDay = series.startWall - Math.floor(series.startWall / DAY_MS) * DAY_MS;
  return series.zone.toUtc(value.day * DAY_MS + timeOfDay);
}

const badLine = (line: string, why: string): ExpansionError =>
  new ExpansionError('bad_recurrence', `Recurrence line "${line}": ${why}.`);

/**
 * The values of an RDATE or EXDATE line, checked as Google reads them: TZID and VALUE (DATE or DATE-TIME) are
 * the only parameters; a TZID names a zone exactly and goes with local date-times only (not with UTC `Z`
 * values, nor with dates); VALUE, when given, matches every value. VALUE=PERIOD is refused: Google does not
 * take periods (the ICS mapping writes their starts).
 */
function dateListValues(line: string, params: Map<string, string>, value: string): IcsValue[] {
  for (const param of params.keys()) {
    if (param !== 'TZID' && param !== 'VALUE') throw badLine(line, `unknown parameter ${param}`);
  }
  const valueType = params.get('VALUE')?.toUpperCase();
  if (valueType === 'PERIOD') throw badLine(line, 'VALUE=PERIOD is not supported, list the start times');
  if (valueType !== undefined && valueType !== 'DATE' && valueType !== 'DATE-TIME') {
    throw badLine(line, `VALUE=${valueType} is not DATE or DATE-TIME`);
  }
  const tzid = params.get('TZID');
  const zone = tzid === undefined ? undefined : googleTimeZoneNamed(tzid);
  const items: IcsValue[] = [];
  for (const text of value.split(',')) {
    if (text === '') continue;
    const item = parseIcsValue(text, zone);
    if (item.kind === 'date' ? valueType === 'DATE-TIME' : valueType === 'DATE') {
      throw badLine(line, `"${text}" is not of type ${valueType}`);
    }
    if (zone && item.kind !== 'local')
      throw badLine(line, `"${text}" cannot have a TZID (it is UTC or a date)`);
    items.push(item);
  }
  return items;
}

/**
 * RFC 5545 3.3.10: UNTIL has DTSTART's value type, and a date-time UNTIL is in UTC when DTSTART has a zone
 * (Google's recurring events always have one): a timed series needs `...Z`, an all-day series a DATE.
 */
function checkUntilType(line: string, rule: RecurrenceRule, allDay: boolean): void {
  const until = rule.until;
  if (!until) return;
  if (allDay && until.kind !== 'date') throw badLine(line, 'UNTIL of an all-day series must be a DATE');
  if (!allDay && until.kind !== 'utc') {
    throw badLine(line, 'UNTIL of a timed series must be a UTC date-time (ending in Z)');
  }
}

export function prepareSeries(series: GoogleEvent): PreparedSeries {
  const start = placeEventDateTime(series.start);
  const end = placeEventDateTime(series.end);
  const allDay = start.allDay;
  const zone = start.zone;
  const startWall = start.utcMs + zone.offsetAt(start.utcMs);
  const prepared: PreparedSeries = {
    start,
    end,
    allDay,
    zone,
    startWall,
    durationMs: Math.max(0, end.utcMs - start.utcMs),
    rules: [],
    exrules: [],
    rdates: [],
    exdates: new Set(),
  };

  for (const line of series.recurrence ?? []) {
    const { name, params, value } = splitLine(line);
    switch (name) {
      case 'RRULE':
      case 'EXRULE': {
        if (params.size > 0) throw badLine(line, `${name} takes no parameters`);
        const rule = parseRule(value);
        checkUntilType(line, rule, allDay);
        (name === 'RRULE' ? prepared.rules : prepared.exrules).push(rule);
        break;
      }
      case 'RDATE':
        for (const item of dateListValues(line, params, value))
          prepared.rdates.push(instantOf(prepared, item));
        break;
      case 'EXDATE':
        for (const item of dateListValues(line, params, value)) {
          // Google keeps the instance when a timed series gets a DATE EXDATE (the value types must match,
          // RFC 5545 3.8.5.1): such a line excludes nothing, so the mapping must write date-times.
          if (item.kind === 'date' && !allDay) continue;
          prepared.exdates.add(instantOf(prepared, item));
        }
        break;
      default:
        throw badLine(line, `"${name}" is not a recurrence line (RRULE, EXRULE, RDATE, EXDATE)`);
    }
  }
  return prepared;
}

/** UNTIL as an instant comparable with instance starts (inclusive; its type was checked by prepareSeries). */
function untilInstant(series: PreparedSeries, until: IcsValue): number {
  if (until.kind === 'date') return until.day * DAY_MS;
  return until.kind === 'utc' ? until.utcMs : series.zone.toUtc(until.wallMs);
}

/** Milliseconds of slack between wall-clock and UTC bounds: more than any zone offset. */
const WALL_SLACK_MS = 2 * DAY_MS;

export interface WindowMs {
  minMs: number;
  maxMs: number;
}

/**
 * Calls `visit` with the instants of the rule's instances (COUNT and UNTIL applied) that start before
 * window.maxMs and could end after window.minMs, ascending, until visit returns false.
 */
function walkRuleInstances(
  series: PreparedSeries,
  rule: RecurrenceRule,
  window: WindowMs,
  lookBackMs: number,
  asExclusion: boolean,
  visit: (utcMs: number) => boolean,
): void {
  const untilMs = rule.until ? untilInstant(series, rule.until) : Number.POSITIVE_INFINITY;
  const countLimit = rule.count ?? Number.POSITIVE_INFINITY;
  // COUNT counts what the rule generates. DTSTART is always an instance (walkSeries offers it), but like
  // Google it only counts toward COUNT when the rule generates it too: a DTSTART off the pattern is extra.
  let count = 0;
  const fromWall = window.minMs - lookBackMs - WALL_SLACK_MS;
  const { allDay, zone, startWall } = series;
  walkRule(
    rule,
    { dtstartWall: startWall, afterWall: startWall - 1, fromWall, stopWall: window.maxMs + WALL_SLACK_MS },
    (wall) => {
      if (count >= countLimit) return false;
      // Instances that a COUNT rule must walk through long before the window, and safely before UNTIL,
      // are only counted: no zone lookup for them.
      if (wall < fromWall && wall + WALL_SLACK_MS <= untilMs) {
        count++;
        return true;
      }
      const utcMs = allDay ? wall : zone.toUtc(wall);
      if (utcMs > untilMs) return false;
      count++;
      // DTSTART itself is offered once by walkSeries; an EXRULE generating it does exclude it.
      if (wall === startWall && !asExclusion) return true;
      // Past the window (with a day of margin for the rare fall-back fold that reorders instants): done.
      if (utcMs >= window.maxMs + DAY_MS) return false;
      return visit(utcMs);
    },
  );
}

/** Decides which candidate instances of a series a walk reports: overlapping the window, not excluded. */
class InstanceFilter {
  private exruleInstants: Set<number> | undefined;

  constructor(
    private readonly series: PreparedSeries,
    private readonly window: WindowMs,
  ) {}

  accepts(utcMs: number, durationMs: number): boolean {
    if (!(utcMs < this.window.maxMs && utcMs + durationMs > this.window.minMs)) return false;
    if (this.series.exdates.has(utcMs)) return false;
    return this.series.exrules.length === 0 || !this.exrules().has(utcMs);
  }

  private exrules(): Set<number> {
    if (!this.exruleInstants) {
      const instants = new Set<number>();
      const lookBackMs = this.series.durationMs;
      for (const exrule of this.series.exrules) {
        walkRuleInstances(this.series, exrule, this.window, lookBackMs, true, (instant) => {
          instants.add(instant);
          return true;
        });
      }
      this.exruleInstants = instants;
    }
    return this.exruleInstants;
  }
}

/**
 * Calls `visit` for every instance of the series (DTSTART, RRULEs, RDATEs; EXDATEs and EXRULEs removed)
 * that overlaps the window. Sources are not merged: the same instant may come twice (an RDATE equal to a rule
 * instance) and order is only ascending per source. Stops when visit returns false.
 */
export function walkSeries(
  series: PreparedSeries,
  window: WindowMs,
  visit: (utcMs: number, durationMs: number) => boolean,
): void {
  const filter = new InstanceFilter(series, window);
  const { durationMs } = series;
  if (filter.accepts(series.start.utcMs, durationMs) && !visit(series.start.utcMs, durationMs)) return;
  for (const rdate of series.rdates) {
    if (filter.accepts(rdate, durationMs) && !visit(rdate, durationMs)) return;
  }
  let stopped = false;
  for (const rule of series.rules) {
    walkRuleInstances(series, rule, window, durationMs, false, (utcMs) => {
      stopped = filter.accepts(utcMs, durationMs) && !visit(utcMs, durationMs);
      return !stopped;
    });
    if (stopped) return;
  }
}
