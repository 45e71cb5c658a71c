/**
 * Custom VTIMEZONE definitions: their offsets at any instant, and the IANA zone that has the same rules
 * (Google only takes IANA names). Observance rules are yearly in practice (nth weekday of a month, or a
 * weekday on or after a month day); anything else counts as a single onset at DTSTART.
 */
import { civilFromDays, DAY_MS, daysFromCivil, daysInMonth, HOUR_MS, weekdayOf } from '../time/civil.ts';
import { parseIcsTime, parseUtcOffset, wallMs } from '../time/ics-values.ts';
import { timeOfDayMs } from '../time/when.ts';
import { canonicalIana, listIanaZones, type OffsetAt, timeZoneNamed } from '../time/zone.ts';
import { all, type Component, first } from './content-lines.ts';

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

interface YearlyRule {
  month: number;
  /** Weekday (0 = Sunday) and position (1..5, or -1 for last); or a weekday on/after monthDay. */
  weekday?: number;
  position?: number;
  monthDays?: number[];
  untilUtc?: number;
}

interface Observance {
  /** Milliseconds, as every offset in the domain. */
  offsetFrom: number;
  offsetTo: number;
  /** Wall time of the first onset (fields as if UTC). */
  startWall: number;
  rule?: YearlyRule;
  /** Further onsets (RDATE), wall times. */
  extraWalls: number[];
}

export interface CustomZone {
  tzid: string;
  offsetAt: OffsetAt;
  /** Offsets and onsets, for matching and for caching the match. */
  signature: string;
  observances: Observance[];
  /** X-LIC-LOCATION or similar hint naming an IANA zone. */
  hint?: string;
}

function parseRule(value: string): YearlyRule | undefined {
  const parts = new Map(
    value.split(';').map((p) => {
      const [k, v] = p.split('=');
      return [(k ?? '').trim().toUpperCase(), (v ?? '').trim().toUpperCase()] as const;
    }),
  );
  if (parts.get('FREQ') !== 'YEARLY') return undefined;
  const month = Number(parts.get('BYMONTH'));
  if (!(month >= 1 && month <= 12)) return undefined;
  const rule: YearlyRule = { month };
  const until = parts.get('UNTIL');
  if (until) {
    const t = parseIcsTime(until);
    if (t) rule.untilUtc = wallMs(t);
  }
  const byDay = parts.get('BYDAY');
  if (byDay) {
    const m = /^([+-]?\d)?([A-Z]{2})$/.exec(byDay);
    if (!m) return undefined;
    rule.weekday = WEEKDAYS.indexOf(m[2] as string);
    if (rule.weekday < 0) return undefined;
    if (m[1] !== undefined) rule.position = Number(m[1]);
  }
  const byMonthDay = parts.get('BYMONTHDAY');
  if (byMonthDay) rule.monthDays = byMonthDay.split(',').map(Number);
  if (rule.weekday === undefined && !rule.monthDays) return undefined;
  if (rule.weekday !== undefined && rule.position === undefined && !rule.monthDays) rule.position = 1;
  return rule;
}

/** 0 = Sunday ... 6 = Saturday (as BYDAY is indexed here) of a date. */
const sundayWeekday = (year: number, month: number, day: number): number =>
  (weekdayOf(daysFromCivil(year, month, day)) + 1) % 7;

/** The year of wall-clock (or UTC) milliseconds. */
const yearOf = (ms: number): number => civilFromDays(Math.floor(ms / DAY_MS)).year;

/** Day of month of the rule's onset in a year, or undefined when the rule has none that year. */
function onsetDay(rule: YearlyRule, year: number): number | undefined {
  const last = daysInMonth(year, rule.month);
  if (rule.weekday === undefined) return rule.monthDays?.[0];
  const firstWeekday = sundayWeekday(year, rule.month, 1);
  const firstMatch = 1 + ((rule.weekday - firstWeekday + 7) % 7);
  if (rule.monthDays) return rule.monthDays.find((d) => d >= 1 && d <= last && (d - firstMatch) % 7 === 0);
  const position = rule.position ?? 1;
  if (position > 0) {
    const day = firstMatch + (position - 1) * 7;
    return day <= last ? day : undefined;
  }
  const lastWeekday = sundayWeekday(year, rule.month, last);
  const lastMatch = last - ((lastWeekday - rule.weekday + 7) % 7);
  const day = lastMatch + (position + 1) * 7;
  return day >= 1 ? day : undefined;
}

/** The latest onset (UTC ms) of an observance at or before `utcMs`, or undefined. */
function latestOnset(o: Observance, utcMs: number): number | undefined {
  const toUtc = (wall: number) => wall - o.offsetFrom;
  let best: number | undefined;
  const consider = (onset: number) => {
    if (onset <= utcMs && (best === undefined || onset > best)) best = onset;
  };
  const start = toUtc(o.startWall);
  if (start > utcMs) return undefined;
  consider(start);
  for (const wall of o.extraWalls) consider(toUtc(wall));
  if (o.rule) {
    const startYear = yearOf(o.startWall);
    const timeOfDay = timeOfDayMs(o.startWall);
    const year = yearOf(utcMs);
    for (const y of [year + 1, year, year - 1]) {
      if (y < startYear) continue;
      const day = onsetDay(o.rule, y);
      if (day === undefined) continue;
      const onset = toUtc(daysFromCivil(y, o.rule.month, day) * DAY_MS + timeOfDay);
      if (onset < start || (o.rule.untilUtc !== undefined && onset > o.rule.untilUtc)) continue;
      consider(onset);
    }
  }
  return best;
}

/** Reads a VTIMEZONE; undefined when it has no usable observance. */
export function readVTimezone(component: Component): CustomZone | undefined {
  // Outlook escapes commas in TZID ("Kuala Lumpur\\, Singapore") though TZID parameters carry none.
  const tzid = first(component, 'TZID')
    ?.value.trim()
    .replace(/\\([,;\\])/g, '$1');
  if (!tzid) return undefined;
  const observances: Observance[] = [];
  for (const child of component.components) {
    if (child.name !== 'STANDARD' && child.name !== 'DAYLIGHT') continue;
    const offsetTo = parseUtcOffset(first(child, 'TZOFFSETTO')?.value ?? '');
    const start = parseIcsTime(first(child, 'DTSTART')?.value ?? '');
    if (offsetTo === undefined || !start) continue;
    const offsetFrom = parseUtcOffset(first(child, 'TZOFFSETFROM')?.value ?? '') ?? offsetTo;
    const rruleValue = first(child, 'RRULE')?.value;
    const extraWalls = all(child, 'RDATE')
      .flatMap((p) => p.value.split(','))
      .map((v) => parseIcsTime(v))
      .filter((t) => t !== undefined)
      .map((t) => wallMs(t));
    const rule = rruleValue ? parseRule(rruleValue) : undefined;
    observances.push({
      offsetFrom,
      offsetTo,
      startWall: wallMs(start),
      extraWalls,
      ...(rule ? { rule } : {}),
    });
  }
  if (observances.length === 0) return undefined;
  const earliest = observances.reduce((a, b) => (b.startWall < a.startWall ? b : a));
  const offsetAt: OffsetAt = (utcMs) => {
    let bestOnset: number | undefined;
    let offset = earliest.offsetFrom;
    for (const o of observances) {
      const onset = latestOnset(o, utcMs);
      if (onset !== undefined && (bestOnset === undefined || onset > bestOnset)) {
        bestOnset = onset;
        offset = o.offsetTo;
      }
    }
    return offset;
  };
  const hint =
    first(component, 'X-LIC-LOCATION')?.value.trim() ??
    first(component, 'X-MICROSOFT-CDO-TZID')?.value.trim();
  const signature = JSON.stringify(observances);
  return { tzid, offsetAt, signature, observances, ...(hint ? { hint } : {}) };
}

const matches = new Map<string, string | null>();

/** Instants at which two zones must agree: each onset of the custom zone (and an hour either side), and mid-month. */
function samplesFor(zone: CustomZone, years: number[]): number[] {
  const samples: number[] = [];
  for (const year of years) {
    for (let month = 1; month <= 12; month++)
      samples.push(daysFromCivil(year, month, 15) * DAY_MS + 12 * HOUR_MS);
    for (const o of zone.observances) {
      if (!o.rule) continue;
      const day = onsetDay(o.rule, year);
      if (day === undefined) continue;
      const onset = daysFromCivil(year, o.rule.month, day) * DAY_MS + timeOfDayMs(o.startWall) - o.offsetFrom;
      samples.push(onset - HOUR_MS, onset + HOUR_MS, onset - DAY_MS, onset + DAY_MS);
    }
  }
  return samples;
}

/**
 * The IANA zone whose offsets equal the custom zone's over the given years (the zone the VTIMEZONE hints
 * at first, then the preferred ones, then every zone in name order), or undefined.
 */
export function matchIana(zone: CustomZone, years: number[], preferred: string[]): string | undefined {
  const key = `${zone.signature}|${years.join(',')}|${preferred.join(',')}`;
  const known = matches.get(key);
  if (known !== undefined) return known ?? undefined;
  const candidates = [...(zone.hint ? [zone.hint] : []), ...preferred, ...listIanaZones()];
  const found =
    firstAgreeing(zone, years, candidates) ?? firstAgreeing(zone, eraYears(zone), candidates) ?? null;
  matches.set(key, found);
  return found ?? undefined;
}

/**
 * The years a VTIMEZONE was written for: those after its latest observance start. Outlook and old Mozilla
 * exports carry the rules of their time (US rules before 2007, say); the IANA zone that had exactly those
 * rules then is the zone they describe, and Google applies its current rules.
 */
function eraYears(zone: CustomZone): number[] {
  const latest = Math.max(...zone.observances.map((o) => yearOf(o.startWall)));
  const from = Math.max(latest, 1971);
  return [from, from + 1, from + 2];
}

function firstAgreeing(zone: CustomZone, years: number[], candidates: string[]): string | undefined {
  const samples = samplesFor(zone, years);
  const expected = samples.map((s) => zone.offsetAt(s));
  for (const candidate of candidates) {
    const iana = canonicalIana(candidate);
    if (!iana) continue;
    const { offsetAt } = timeZoneNamed(iana);
    if (samples.every((s, i) => offsetAt(s) === expected[i])) return iana;
  }
  return undefined;
}
