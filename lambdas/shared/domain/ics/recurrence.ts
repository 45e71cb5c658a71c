/** The recurrence lines of a series, in the forms Google accepts. */
import { RULE_PARTS } from '../expansion/index.ts';
import { DAY_MS, MINUTE_MS } from '../time/civil.ts';
import { durationParts, type IcsTime, parseDuration, parseIcsTime, wallMs } from '../time/ics-values.ts';
import { basicId, basicIdAt, coerceLike, type When } from '../time/when.ts';
import { all, type Component, type Property } from './content-lines.ts';
import { recurrenceParams, recurrenceValue, type TimeContext, whenOf, whenOfValue } from './when.ts';

/** The span of a timed event that would not end after it starts (Google refuses end <= start). */
export const POINT_IN_TIME_MS = MINUTE_MS;

/** An RDATE;VALUE=PERIOD instance whose length differs from the series: written as an instance exception. */
export interface PeriodInstance {
  start: When;
  end: When;
}

export interface SeriesRecurrence {
  lines: string[];
  periodInstances: PeriodInstance[];
  /** The EXDATE values, in DTSTART's form (coerceLike): which instances the series deletes. */
  exdates: When[];
  problems: string[];
}

/**
 * An RDATE/EXDATE property as the series reads it: a floating value (no TZID, no Z) beside a DTSTART with a
 * TZID is the series' own wall time, so it gets DTSTART's TZID (values naming instances take DTSTART's form:
 * RFC 5545 3.8.4.4 and 3.3.10, erratum 6316 for EXDATE; read in the calendar's default zone it would miss the
 * instance by the zone's offset). UTC values and dates are unaffected; a series with a floating DTSTART keeps
 * floating values floating.
 */
export function inSeriesZone(property: Property, startTzid: string | undefined): Property {
  if (!startTzid || property.params.TZID !== undefined) return property;
  return { ...property, params: { ...property.params, TZID: startTzid } };
}

const RULE_ORDER = ['FREQ', 'UNTIL', 'COUNT', 'INTERVAL'];

/** Normalises one RRULE/EXRULE value: upper case, empty parts dropped, UNTIL in UTC for timed series. */
function normaliseRule(value: string, start: When, ctx: TimeContext, problems: string[]): string | undefined {
  const parts = new Map<string, string>();
  for (const part of value.replace(/^RRULE:/i, '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toUpperCase();
    const val = part
      .slice(eq + 1)
      .trim()
      .toUpperCase();
    if (!key || !val || parts.has(key)) continue;
    if (!RULE_PARTS.has(key) || ((key === 'COUNT' || key === 'INTERVAL') && !/^[1-9]\d*$/.test(val))) {
      problems.push(`recurrence rule part ${key}=${val.slice(0, 20)} ignored`);
      continue;
    }
    parts.set(key, val);
  }
  if (!/^(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)$/.test(parts.get('FREQ') ?? '')) {
    problems.push(`recurrence rule without a valid FREQ ignored: ${value.slice(0, 80)}`);
    return undefined;
  }
  const untilText = parts.get('UNTIL');
  if (untilText) {
    const until = parseIcsTime(untilText);
    if (!until) {
      problems.push(`unreadable UNTIL ignored: ${untilText}`);
      parts.delete('UNTIL');
    } else {
      parts.set('UNTIL', untilFor(until, start, ctx));
      if (parts.has('COUNT')) {
        problems.push('RRULE with both UNTIL and COUNT: COUNT ignored');
        parts.delete('COUNT');
      }
    }
  }
  const ordered = [...parts.entries()].sort(
    ([a], [b]) => rank(a) - rank(b) || (rank(a) === RULE_ORDER.length ? a.localeCompare(b) : 0),
  );
  return ordered.map(([k, v]) => `${k}=${v}`).join(';');
}

const rank = (key: string) => {
  const i = RULE_ORDER.indexOf(key);
  return i < 0 ? RULE_ORDER.length : i;
};

/**
 * UNTIL in the form RFC 5545 asks (and Google checks): a DATE for all-day series, UTC for timed ones.
 * A DATE UNTIL on a timed series keeps that whole day; a local UNTIL is read in the series' zone; a UTC
 * UNTIL on an all-day series names the day whose midnight it is nearest to (Exchange writes the local
 * midnight starting the last day; 23:59 forms mean the end of that day).
 */
function untilFor(until: IcsTime, start: When, ctx: TimeContext): string {
  if (start.allDay) {
    if (until.kind === 'date-time' && until.utc && !(until.hour === 23 && until.minute === 59)) {
      // Exchange writes the local midnight that starts the last day, in UTC: the nearest midnight is that day.
      const nearest = Math.round(wallMs(until) / DAY_MS) * DAY_MS;
      return basicId({ allDay: true, utcMs: nearest });
    }
    return basicId(coerceLike(whenOf(until, undefined, ctx), start));
  }
  if (until.kind === 'date') {
    const utcMs = start.zone.toUtc(wallMs(until) + DAY_MS - 1000);
    return basicIdAt(false, utcMs);
  }
  if (until.utc) return basicId(whenOf(until, undefined, ctx));
  return basicIdAt(false, start.zone.toUtc(wallMs(until)));
}

/** EXDATE/RDATE values of a property, each interpreted with the property's TZID and VALUE. */
function datesOf(
  property: Property,
  ctx: TimeContext,
  problems: string[],
): { when: When; periodEnd?: When }[] {
  const out: { when: When; periodEnd?: When }[] = [];
  for (const raw of property.value.split(',')) {
    const value = raw.trim();
    if (!value) continue;
    const slash = value.indexOf('/');
    const when = whenOfValue(slash < 0 ? value : value.slice(0, slash), property, ctx);
    if (!when) {
      problems.push(`unreadable ${property.name} value ignored: ${value.slice(0, 40)}`);
      continue;
    }
    if (slash < 0 || when.allDay) {
      out.push({ when });
      continue;
    }
    const tail = value.slice(slash + 1);
    const duration = parseDuration(tail);
    if (duration) {
      const { days, ms } = durationParts(duration);
      out.push({ when, periodEnd: { ...when, utcMs: when.utcMs + days * DAY_MS + ms } });
      continue;
    }
    const end = whenOfValue(tail, property, ctx);
    out.push(end && !end.allDay ? { when, periodEnd: end } : { when });
  }
  return out;
}

function groupedLine(name: string, values: When[], start: When): string | undefined {
  const formatted = [...new Set(values.map((v) => recurrenceValue(coerceLike(v, start))))].sort();
  if (formatted.length === 0) return undefined;
  return `${name}${recurrenceParams(start)}:${formatted.join(',')}`;
}

/**
 * RRULE, EXRULE, RDATE and EXDATE lines for a series starting at `start` that lasts `durationMs`;
 * `startTzid` is the TZID parameter DTSTART was written with (floating RDATE/EXDATE values are read in it).
 */
export function seriesRecurrence(
  component: Component,
  start: When,
  durationMs: number,
  ctx: TimeContext,
  startTzid?: string,
): SeriesRecurrence {
  const problems: string[] = [];
  const lines: string[] = [];
  for (const name of ['RRULE', 'EXRULE'] as const) {
    for (const property of all(component, name)) {
      const rule = normaliseRule(property.value, start, ctx, problems);
      if (rule) lines.push(`${name}:${rule}`);
    }
  }
  const rdates: When[] = [];
  const periodInstances: PeriodInstance[] = [];
  for (const property of all(component, 'RDATE')) {
    for (const { when, periodEnd } of datesOf(inSeriesZone(property, startTzid), ctx, problems)) {
      rdates.push(when);
      if (periodEnd && !start.allDay && !when.allDay && !periodEnd.allDay) {
        // An empty or inverted period is a point in time, like a zero-length event (read-sources.ts).
        const endMs = periodEnd.utcMs > when.utcMs ? periodEnd.utcMs : when.utcMs + POINT_IN_TIME_MS;
        if (endMs - when.utcMs !== durationMs) {
          const instanceStart = coerceLike(when, start);
          periodInstances.push({
            start: instanceStart,
            end: { ...periodEnd, utcMs: endMs, zone: start.zone },
          });
        }
      }
    }
  }
  const exdates = all(component, 'EXDATE').flatMap((p) =>
    datesOf(inSeriesZone(p, startTzid), ctx, problems).map((d) => d.when),
  );
  const rdateLine = groupedLine('RDATE', rdates, start);
  const exdateLine = groupedLine('EXDATE', exdates, start);
  if (rdateLine) lines.push(rdateLine);
  if (exdateLine) lines.push(exdateLine);
  return { lines, periodInstances, exdates: exdates.map((v) => coerceLike(v, start)), problems };
}
