import type { GoogleEvent } from '../google-event.ts';
import { parseContentLine } from '../ics/content-lines.ts';
import { DAY_MS } from '../time/civil.ts';
import { TimeInputError } from '../time/errors.ts';
import { type PlacedTime, readEventDateTime } from '../time/event-time.ts';
import { type IcsTime, wallMs } from '../time/ics-values.ts';
import { timeOfDayMs } from '../time/when.ts';
import { overlapsWindow } from '../time/window.ts';
import { googleTimeZoneNamed, type TimeZone, UTC_ZONE } from '../time/zone.ts';
import type { WorkBudget } from '../work-budget.ts';
import { parseRecurrenceValue, parseRule, type RecurrenceRule } from './rule-parser.ts';
import { walkRule } from './rule-walker.ts';

/** A series reduced to numbers: what the instance walk needs, computed once per call. */
export interface PreparedSeries {
  start: PlacedTime;
  end: PlacedTime;
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

/** A DATE or DATE-TIME of an RDATE or EXDATE line, with the zone its TZID names (local times only). */
interface DateListValue {
  time: IcsTime;
  zone?: TimeZone;
}

/**
 * A recurrence line (`RDATE;TZID="Europe/Berlin";VALUE=DATE-TIME:20240105T100000,...`) split by the feed reader's
 * content-line splitter (../ics/content-lines.ts); refused, saying why, when it cannot be read.
 */
function splitLine(line: string): { name: string; params: Map<string, string>; value: string } {
  const property = parseContentLine(line);
  if (!property) throw unreadableLine(line);
  return {
    name: property.name,
    params: new Map(Object.entries(property.params)),
    value: property.value.trim(),
  };
}

const badLine = (line: string, why: string): TimeInputError =>
  new TimeInputError('bad_recurrence', `Recurrence line "${line}": ${why}.`);

function unreadableLine(line: string): TimeInputError {
  const colon = line.indexOf(':');
  if (colon < 0) return new TimeInputError('bad_recurrence', `Recurrence line "${line}" has no value.`);
  const param = line
    .slice(0, colon)
    .split(';')
    .slice(1)
    .find((p) => p.indexOf('=') <= 0);
  return badLine(line, param === undefined ? 'it cannot be read' : `"${param}" is not NAME=VALUE`);
}

/** Where a DATE or DATE-TIME of a recurrence line falls for this series. */
function instantInSeries(series: PreparedSeries, { time, zone }: DateListValue): number {
  const wall = wallMs(time);
  if (series.allDay) return Math.floor(wall / DAY_MS) * DAY_MS;
  if (time.kind === 'date-time') return time.utc ? wall : (zone ?? series.zone).toUtc(wall);
  // A DATE in a timed series: that day at the series' time of day.
  return series.zone.toUtc(wall + timeOfDayMs(series.startWall));
}

/**
 * The values of an RDATE or EXDATE line, checked as Google reads them: TZID and VALUE (DATE or DATE-TIME) are
 * the only parameters; a TZID names a zone exactly and goes with local date-times only (not with UTC `Z`
 * values, nor with dates); VALUE, when given, matches every value. VALUE=PERIOD is refused: Google does not
 * take periods (the ICS mapping writes their starts).
 */
function dateListValues(line: string, params: Map<string, string>, value: string): DateListValue[] {
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
  const items: DateListValue[] = [];
  for (const text of value.split(',')) {
    if (text === '') continue;
    const time = parseRecurrenceValue(text);
    if (time.kind === 'date' ? valueType === 'DATE-TIME' : valueType === 'DATE') {
      throw badLine(line, `"${text}" is not of type ${valueType}`);
    }
    if (zone && (time.kind === 'date' || time.utc))
      throw badLine(line, `"${text}" cannot have a TZID (it is UTC or a date)`);
    items.push(zone ? { time, zone } : { time });
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
  if (!allDay && !(until.kind === 'date-time' && until.utc)) {
    throw badLine(line, 'UNTIL of a timed series must be a UTC date-time (ending in Z)');
  }
}

export function prepareSeries(series: GoogleEvent): PreparedSeries {
  const start = readEventDateTime(series.start);
  const end = readEventDateTime(series.end);
  const allDay = start.allDay;
  const zone = start.allDay ? UTC_ZONE : start.zone;
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
          prepared.rdates.push(instantInSeries(prepared, item));
        break;
      case 'EXDATE':
        for (const item of dateListValues(line, params, value)) {
          // Google keeps the instance when a timed series gets a DATE EXDATE (the value types must match,
          // RFC 5545 3.8.5.1): such a line excludes nothing, so the mapping must write date-times.
          if (item.time.kind === 'date' && !allDay) continue;
          prepared.exdates.add(instantInSeries(prepared, item));
        }
        break;
      default:
        throw badLine(line, `"${name}" is not a recurrence line (RRULE, EXRULE, RDATE, EXDATE)`);
    }
  }
  return prepared;
}

/** UNTIL as an instant comparable with instance starts (inclusive; its type was checked by prepareSeries). */
function untilInstant(series: PreparedSeries, until: IcsTime): number {
  const wall = wallMs(until);
  return until.kind === 'date' || until.utc ? wall : series.zone.toUtc(wall);
}

/** Milliseconds of slack between wall-clock and UTC bounds: more than any zone offset. */
const WALL_SLACK_MS = 2 * DAY_MS;

export interface WindowMs {
  minMs: number;
  maxMs: number;
  /** The feed's work budget, when a feed's mapping walks the series. */
  budget?: WorkBudget;
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
    {
      dtstartWall: startWall,
      afterWall: startWall - 1,
      fromWall,
      stopWall: window.maxMs + WALL_SLACK_MS,
      ...(window.budget ? { budget: window.budget } : {}),
    },
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
    if (!overlapsWindow(utcMs, utcMs + durationMs, this.window.minMs, this.window.maxMs)) return false;
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
  window.budget?.spend(1 + series.rdates.length, 'expanding a recurrence');
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
