/**
 * Series whose zone Google has no name for: a VTIMEZONE no IANA zone matches (its own rules), or a fixed offset
 * no real zone keeps. Their times are instants written in UTC, which is right for single events but not for a
 * series: Google expands its RRULE in UTC wall time, so every occurrence after the zone's next offset change
 * is an hour off, and BYHOUR/BYMINUTE/BYSECOND (and BYDAY across midnight) mean UTC hours and days.
 *
 * Each such series is expanded in the feed's own wall time (RFC 5545: the VTIMEZONE is the truth) and placed
 * so Google's expansion gives the same instants over the horizon, the first that works of:
 * 1. as written (UTC): when Google's expansion already agrees (no offset change, no zone-dependent part);
 * 2. an IANA zone (under a name Google takes) that puts every occurrence, RDATE, EXDATE and exception of the
 *    series at the feed's instant: transitions at 01:00 instead of 02:00 agree for a 09:00 meeting;
 * 3. one series per stretch of constant offset, each in a zone that keeps that offset all over the horizon
 *    (America/Panama for -05:00), the rule unchanged (its BY parts are wall-time parts of that zone, as in
 *    the feed), bounded by UNTIL at its last occurrence; the stretch holding DTSTART keeps the UID, the others
 *    are keyed `<UID>#<first instance>` like a THISANDFUTURE split;
 * 4. where an offset has no such zone or the series has several rules or an EXRULE: its occurrences over the
 *    horizon as RDATEs in UTC, beside DTSTART.
 */
import { BoundedCache } from '../bounded-cache.ts';
import { ExpansionError, expandSeries } from '../expansion/index.ts';
import type { GoogleEvent } from '../google-event.ts';
import { DAY_MS, formatBasicUtcDateTime, MINUTE_MS } from '../time/civil.ts';
import { instantOf } from '../time/event-time.ts';
import { googleZoneFor, googleZoneForOffset, type ZoneSpan } from '../time/google-zones.ts';
import { parseIcsTime, wallMs } from '../time/ics-values.ts';
import { basicId, basicIdAt, type When } from '../time/when.ts';
import {
  canonicalIana,
  listIanaZones,
  type OffsetAt,
  type TimeZone,
  timeZoneNamed,
  UTC_ZONE,
  wallToUtc,
} from '../time/zone.ts';
import type { WorkBudget } from '../work-budget.ts';
import type { Component, Property } from './content-lines.ts';
import type { Horizon } from './horizon.ts';
import type { Warnings } from './read-sources.ts';
import { inSeriesZone, seriesRecurrence } from './recurrence.ts';
import type { SourceEvent } from './source-event.ts';
import { primaryZones } from './time-zones.ts';
import type { CustomZone } from './vtimezone.ts';
import { toEventDateTime, whenOfValue } from './when.ts';

const RULES = new Set(['RRULE', 'EXRULE']);
const DATES = new Set(['RDATE', 'EXDATE']);
/** Occurrences one series may be expanded to while it is placed (the expansion's own cap is higher). */
const MAX_OCCURRENCES = 50_000;
/**
 * How far before the horizon the wall-time expansion starts: more than a year, so the stretch of constant
 * offset the horizon begins in is seen from its start (its first instance, and so the output, stays the same
 * from one sync to the next until the horizon leaves it).
 */
const LOOK_BACK_MS = 400 * DAY_MS;

/** The zone a series' DTSTART is in, when Google has no name for it: its offsets, and the VTIMEZONE if any. */
function unnamedZoneOf(source: SourceEvent): { offsetAt: OffsetAt; custom?: CustomZone } | undefined {
  const { resolver, floatingZone } = source.ctx;
  let resolution = source.startTzid !== undefined ? resolver.resolve(source.startTzid) : undefined;
  if (!resolution || resolution.kind === 'floating') resolution = resolver.resolve(floatingZone);
  if (resolution.kind === 'custom') return { offsetAt: resolution.zone.offsetAt, custom: resolution.zone };
  if (resolution.kind === 'utc') return { offsetAt: resolution.offsetAt };
  return undefined;
}

/** A series resource for the expansion only. */
function probe(start: When, durationMs: number, recurrence: string[]): GoogleEvent {
  return {
    id: 'probe',
    start: toEventDateTime(start),
    end: toEventDateTime({ ...start, utcMs: start.utcMs + durationMs }),
    recurrence,
    extendedProperties: { private: { icsUid: 'probe', icsHash: '' } },
  };
}

/** The instants (or, for a wall-time probe, wall times) of a probe's occurrences in [fromMs, toMs). */
function startsOf(series: GoogleEvent, fromMs: number, toMs: number, budget: WorkBudget): number[] {
  const window = { timeMin: new Date(fromMs), timeMax: new Date(toMs) };
  return expandSeries(series, [], window, { maxOccurrences: MAX_OCCURRENCES, budget }).map((o) =>
    instantOf(o.start),
  );
}

const UNTIL_UTC = /UNTIL=(\d{8}T\d{6}Z)/;

/** An instant written as YYYYMMDDTHHMMSSZ, read back. */
function instantOfBasic(text: string): number {
  const time = parseIcsTime(text);
  return time ? wallMs(time) : Number.NaN;
}

/** Candidate zones for a VTIMEZONE, by signature and years: same offsets mid-January and mid-July. */
const candidatesBySignature = new BoundedCache<string, string[]>(256);

function candidateZones(custom: CustomZone, span: ZoneSpan, years: number[], budget: WorkBudget): string[] {
  const key = `${custom.signature}|${span.fromMs}|${span.toMs}`;
  const known = candidatesBySignature.get(key);
  if (known) return known;
  const samples = years.flatMap((y) => [Date.UTC(y, 0, 15, 12), Date.UTC(y, 6, 15, 12)]);
  const expected = samples.map((s) => custom.offsetAt(s));
  const seen = new Set<string>();
  const found: string[] = [];
  for (const name of [...(custom.hint ? [custom.hint] : []), ...primaryZones(), ...listIanaZones()]) {
    const iana = canonicalIana(name);
    if (!iana || seen.has(iana)) continue;
    seen.add(iana);
    const google = googleZoneFor(iana, span);
    if (google.kind !== 'named') continue;
    const { offsetAt } = timeZoneNamed(google.name);
    let compared = 0;
    while (compared < samples.length && offsetAt(samples[compared] as number) === expected[compared])
      compared++;
    budget.spend(compared + 1, 'placing a series of a custom time zone');
    if (compared === samples.length && !found.includes(google.name)) found.push(google.name);
  }
  candidatesBySignature.set(key, found);
  return found;
}

/** The values of a series' RDATE/EXDATE properties, as instants. */
function dateValues(source: SourceEvent, property: Property): When[] {
  return property.value
    .split(',')
    .map((v) => whenOfValue(v.trim(), inSeriesZone(property, source.startTzid), source.ctx))
    .filter((v): v is When => v !== undefined);
}

/** A date property holding these instants in UTC. */
const utcDates = (name: string, values: number[]): Property => ({
  name,
  params: {},
  value: values.map((v) => basicIdAt(false, v)).join(','),
});

const withZone = (when: When, zone: TimeZone): When => (when.allDay ? when : { ...when, zone });

export interface PlacementContext {
  horizon: Horizon;
  budget: WorkBudget;
  warnings: Warnings;
}

/**
 * Places every timed series of a zone Google has no name for (see the file's comment); `masters` and
 * `exceptions` are changed in place (split-off stretches join `masters`, their overrides move to them).
 */
export function placeUnnamedZoneSeries(
  masters: Map<string, SourceEvent>,
  exceptions: Map<string, SourceEvent>,
  { horizon, budget, warnings }: PlacementContext,
): void {
  const fromMs = horizon.from.getTime();
  const toMs = horizon.to.getTime();
  const firstYear = horizon.from.getUTCFullYear();
  const lastYear = Math.min(horizon.to.getUTCFullYear(), firstYear + 11);
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i);
  const span: ZoneSpan = { fromMs: Date.UTC(firstYear, 0, 1), toMs: Date.UTC(lastYear + 1, 0, 1) };
  for (const source of [...masters.values()]) {
    if (source.start.allDay || !source.component.properties.some((p) => p.name === 'RRULE')) continue;
    const zone = unnamedZoneOf(source);
    if (!zone) continue;
    try {
      placeSeries(source, zone, { masters, exceptions, fromMs, toMs, years, span, budget, warnings });
    } catch (error) {
      // Rules the expansion refuses: the mapping keeps the series' first instance anyway (map-feed.ts).
      if (!(error instanceof ExpansionError)) throw error;
    }
  }
}

interface Placing {
  masters: Map<string, SourceEvent>;
  exceptions: Map<string, SourceEvent>;
  fromMs: number;
  toMs: number;
  years: number[];
  span: ZoneSpan;
  budget: WorkBudget;
  warnings: Warnings;
}

/** The series as the feed means it: its rule walked in its own wall time, its occurrences placed by its zone. */
interface SeriesWalk {
  durationMs: number;
  /** The recurrence lines the mapping writes for the series (UTC). */
  written: string[];
  hasCount: boolean;
  /** The occurrences' wall times, and their instants by the feed's zone. */
  walls: number[];
  instants: number[];
  /** The instants that overlap the horizon. */
  expected: number[];
  relevant: (instant: number) => boolean;
}

/**
 * Places a series of a zone Google has no name for, by the first way that lands at the feed's instants: as
 * written, in an IANA zone that agrees, in stretches of constant offset, or as its occurrences.
 */
function placeSeries(
  source: SourceEvent,
  zone: { offsetAt: OffsetAt; custom?: CustomZone },
  placing: Placing,
): void {
  const walk = walkSeries(source, zone.offsetAt, placing);
  if (walk === undefined) return;

  // 1. As written, when Google's expansion in UTC already gives the feed's instants.
  const { fromMs, toMs, budget } = placing;
  const asWritten = startsOf(
    probe(source.start, walk.durationMs, walk.written),
    fromMs - walk.durationMs - DAY_MS,
    toMs + DAY_MS,
    budget,
  ).filter(walk.relevant);
  if (sameList(asWritten, walk.expected)) return;

  // 2. An IANA zone that agrees at every instant of the series over the horizon.
  const dates = source.component.properties
    .filter((p) => DATES.has(p.name))
    .flatMap((p) => dateValues(source, p));
  const overrides = [...placing.exceptions.values()].filter((e) => e.uid === source.uid);
  if (zone.custom) {
    const checked = [
      ...walk.expected,
      ...dates.map((d) => d.utcMs).filter(walk.relevant),
      ...overrides.map((e) => (e.recurrenceId as When).utcMs),
    ];
    if (placeInAgreeingZone(source, { offsetAt: zone.offsetAt, custom: zone.custom }, checked, placing))
      return;
  }

  // 3. Stretches of constant offset, each in a zone that keeps it, or 4. the occurrences themselves.
  const stretches = stretchesOf(walk.walls, walk.instants, fromMs - walk.durationMs);
  const zones = stretches.map((s) => googleZoneForOffset(s.offsetMs / MINUTE_MS, placing.span));
  const singleRule = walk.written.length === 1 && walk.written[0]?.startsWith('RRULE:');
  if (singleRule && zones.every((z) => z.kind === 'named')) {
    splitIntoStretches(
      source,
      stretches,
      zones.map((z) => (z as { name: string }).name),
      walk.hasCount,
      placing,
    );
    return;
  }
  writeOccurrences(source, walk.expected, placing.warnings, placing.masters);
}

/** Walks the series' rule in its own wall time; undefined when there is nothing to place (or too much). */
function walkSeries(source: SourceEvent, offsetAt: OffsetAt, placing: Placing): SeriesWalk | undefined {
  const { fromMs, toMs, budget } = placing;
  const durationMs = source.end.utcMs - source.start.utcMs;
  const rules: Component = {
    name: 'VEVENT',
    properties: source.component.properties.filter((p) => RULES.has(p.name)),
    components: [],
  };
  const written = seriesRecurrence(rules, source.start, durationMs, source.ctx).lines;
  if (written.length === 0) return undefined;
  const hasCount = written.some((line) => /[:;]COUNT=/.test(line));
  const startWall = source.start.utcMs + offsetAt(source.start.utcMs);
  // The feed's rule in its own wall time: wall clock as if UTC, UNTIL moved to the wall clock likewise.
  const wallLines = written.map((line) =>
    line.replace(UNTIL_UTC, (_, until: string) => {
      const instant = instantOfBasic(until);
      return `UNTIL=${formatBasicUtcDateTime(instant + offsetAt(instant))}`;
    }),
  );
  const wallProbe = probe({ allDay: false, utcMs: startWall, zone: UTC_ZONE }, durationMs, wallLines);
  // With COUNT the walk starts at DTSTART anyway, and each stretch's remaining COUNT needs the ones before.
  const walkFrom = hasCount ? startWall - DAY_MS : Math.max(startWall - DAY_MS, fromMs - LOOK_BACK_MS);
  const walls = startsOf(wallProbe, walkFrom, toMs + 2 * DAY_MS, budget);
  if (walls.length >= MAX_OCCURRENCES) {
    // Cut short, the stretches and their counts would be wrong: left as written, with a warning.
    placing.warnings.add(
      `series in a time zone Google has no name for has more than ${MAX_OCCURRENCES} occurrences: written in UTC`,
      source.uid,
    );
    return undefined;
  }
  const instants = walls.map((w) => wallToUtc(w, offsetAt));
  const relevant = (instant: number) => instant + Math.max(durationMs, 1) > fromMs && instant < toMs;
  const expected = instants.filter(relevant);
  if (expected.length === 0) return undefined;
  return { durationMs, written, hasCount, walls, instants, expected, relevant };
}

/** Moves the series into the first IANA zone that agrees with its own at every `checked` instant, if one does. */
function placeInAgreeingZone(
  source: SourceEvent,
  zone: { offsetAt: OffsetAt; custom: CustomZone },
  checked: number[],
  placing: Placing,
): boolean {
  const { budget } = placing;
  for (const name of candidateZones(zone.custom, placing.span, placing.years, budget)) {
    const candidate = timeZoneNamed(name);
    budget.spend(checked.length, 'placing a series of a custom time zone');
    if (checked.every((i) => candidate.offsetAt(i) === zone.offsetAt(i))) {
      placing.masters.set(source.uid, {
        ...source,
        start: withZone(source.start, candidate),
        end: withZone(source.end, candidate),
      });
      return true;
    }
  }
  return false;
}

const sameList = (a: number[], b: number[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

interface Stretch {
  offsetMs: number;
  /** Index of the stretch's first occurrence among all walked (COUNT spent before it). */
  firstIndex: number;
  walls: number[];
  instants: number[];
}

/** Runs of occurrences of one offset, from the one holding `fromMs` (or the first after it) on. */
function stretchesOf(walls: number[], instants: number[], fromMs: number): Stretch[] {
  const stretches: Stretch[] = [];
  walls.forEach((wall, index) => {
    const instant = instants[index] as number;
    const offsetMs = wall - instant;
    const last = stretches.at(-1);
    if (last && last.offsetMs === offsetMs) {
      last.walls.push(wall);
      last.instants.push(instant);
    } else stretches.push({ offsetMs, firstIndex: index, walls: [wall], instants: [instant] });
  });
  // Stretches wholly before the horizon are left out; the one the horizon begins in is kept whole.
  return stretches.filter((s) => (s.instants.at(-1) as number) >= fromMs);
}

function ruleParts(line: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const part of line.replace(/^RRULE:/, '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return parts;
}

function splitIntoStretches(
  source: SourceEvent,
  stretches: Stretch[],
  zoneNames: string[],
  hasCount: boolean,
  placing: Placing,
): void {
  const durationMs = source.end.utcMs - source.start.utcMs;
  const rule = seriesRecurrence(
    {
      name: 'VEVENT',
      properties: source.component.properties.filter((p) => p.name === 'RRULE'),
      components: [],
    },
    source.start,
    durationMs,
    source.ctx,
  ).lines[0] as string;
  const baseParts = ruleParts(rule);
  const count = Number(baseParts.get('COUNT'));
  const others = source.component.properties.filter((p) => !RULES.has(p.name) && !DATES.has(p.name));
  const dated = source.component.properties
    .filter((p) => DATES.has(p.name))
    .map((p) => ({ name: p.name, values: dateValues(source, p).map((v) => v.utcMs) }));
  const firstInstants = stretches.map((s) => s.instants[0] as number);
  /** The stretch an instant falls in: the last one starting at or before it (the first for earlier ones). */
  const stretchAt = (instant: number): number => {
    let index = 0;
    for (let i = 1; i < firstInstants.length; i++) if ((firstInstants[i] as number) <= instant) index = i;
    return index;
  };
  // The stretch DTSTART begins keeps the UID (and so the event id); the others are keyed apart.
  const uids = stretches.map((s) =>
    s.instants[0] === source.start.utcMs
      ? source.uid
      : `${source.uid}#${basicIdAt(false, s.instants[0] as number)}`,
  );
  placing.masters.delete(source.uid);
  stretches.forEach((stretch, i) => {
    const zone = timeZoneNamed(zoneNames[i] as string);
    const parts = new Map(baseParts);
    parts.delete('COUNT');
    if (i < stretches.length - 1) parts.set('UNTIL', basicIdAt(false, stretch.instants.at(-1) as number));
    else if (Number.isFinite(count) && hasCount) {
      if (count - stretch.firstIndex <= 0)
        parts.set('UNTIL', basicIdAt(false, stretch.instants.at(-1) as number));
      else parts.set('COUNT', String(count - stretch.firstIndex));
    }
    const ruleLine = [...parts].map(([k, v]) => `${k}=${v}`).join(';');
    const properties: Property[] = [...others, { name: 'RRULE', params: {}, value: ruleLine }];
    for (const { name, values } of dated) {
      const mine = values.filter((v) => stretchAt(v) === i);
      if (mine.length > 0) properties.push(utcDates(name, mine));
    }
    const startMs = stretch.instants[0] as number;
    const start: When = { allDay: false, utcMs: startMs, zone };
    const uid = uids[i] as string;
    const part: SourceEvent = {
      ...source,
      component: { ...source.component, properties },
      uid,
      start,
      end: { allDay: false, utcMs: startMs + durationMs, zone },
    };
    delete part.startTzid;
    if (uid !== source.uid) part.splitFrom = source.splitFrom ?? source.uid;
    placing.masters.set(uid, part);
  });
  for (const [key, exception] of placing.exceptions) {
    if (exception.uid !== source.uid || !exception.recurrenceId) continue;
    const uid = uids[stretchAt(exception.recurrenceId.utcMs)] as string;
    if (uid === source.uid) continue;
    placing.exceptions.delete(key);
    placing.exceptions.set(`${uid}\u0000${basicId(exception.recurrenceId)}`, { ...exception, uid });
  }
  placing.warnings.add(
    `series in a time zone Google has no name for: written as ${stretches.length} series, one per stretch of constant UTC offset`,
    source.uid,
  );
}

/** The series as DTSTART and its occurrences over the horizon as RDATEs in UTC (EXDATEs still apply). */
function writeOccurrences(
  source: SourceEvent,
  expected: number[],
  warnings: Warnings,
  masters: Map<string, SourceEvent>,
): void {
  const kept = source.component.properties.filter((p) => !RULES.has(p.name));
  const rdates = expected.filter((i) => i !== source.start.utcMs);
  const properties = rdates.length > 0 ? [...kept, utcDates('RDATE', rdates)] : kept;
  masters.set(source.uid, { ...source, component: { ...source.component, properties } });
  warnings.add(
    `series in a time zone Google has no name for: its ${expected.length} occurrence(s) over the horizon written as dates`,
    source.uid,
  );
}
