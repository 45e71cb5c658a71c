/**
 * Custom VTIMEZONE definitions: their offsets at any instant, and the IANA zone that has the same rules
 * (Google only takes IANA names). Observance rules are yearly in practice (nth weekday of a month, or a
 * weekday on or after a month day); anything else counts as a single onset at DTSTART.
 */

import { hash } from 'node:crypto';
import { BoundedCache } from '../bounded-cache.ts';
import { civilFromDays, DAY_MS, daysFromCivil, daysInMonth, HOUR_MS, weekdayOf } from '../time/civil.ts';
import { parseIcsTime, parseUtcOffset, wallMs } from '../time/ics-values.ts';
import { timeOfDayMs } from '../time/when.ts';
import { canonicalIana, listIanaZones, type OffsetAt, timeZoneNamed } from '../time/zone.ts';
import { WorkBudget } from '../work-budget.ts';
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

/** An onset: from `utcMs` on, `offset` is in force; `rank` (the observance's place) breaks ties, lower first. */
interface Onset {
  utcMs: number;
  rank: number;
  offset: number;
}

/** Later onset first; of two at the same instant, the earlier observance (as the linear scan chose). */
const laterOnset = (a: Onset, b: Onset | undefined): boolean =>
  b === undefined || a.utcMs > b.utcMs || (a.utcMs === b.utcMs && a.rank < b.rank);

/** Ascending by instant, then descending by rank: the last one at or before an instant is the one in force. */
const byOnset = (a: Onset, b: Onset): number => a.utcMs - b.utcMs || b.rank - a.rank;

/** The last onset at or before `utcMs` of a list sorted with byOnset (binary search), or undefined. */
function lastOnsetAtOrBefore(onsets: Onset[], utcMs: number): Onset | undefined {
  let low = 0;
  let high = onsets.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((onsets[mid] as Onset).utcMs <= utcMs) low = mid + 1;
    else high = mid;
  }
  return low > 0 ? onsets[low - 1] : undefined;
}

/** Years of rule onsets kept per zone: lookups cluster on the horizon's years, anything else is recomputed. */
const RULE_YEARS_CACHED = 64;

/**
 * The offset in force at any instant: that of the latest onset at or before it, over every observance (its
 * start, its RDATEs, its yearly rule's onsets in the year of the instant and the years either side), the
 * earliest observance's TZOFFSETFROM before all of them. Fixed onsets are sorted once and binary-searched, a
 * year's rule onsets computed once per year: a lookup costs a logarithm, not a pass over every observance
 * (which made 3,000 observances cost minutes).
 */
function offsetsOf(observances: Observance[]): OffsetAt {
  const fixed: Onset[] = [];
  const ruled: { rank: number; observance: Observance; start: number; startYear: number }[] = [];
  observances.forEach((o, rank) => {
    const start = o.startWall - o.offsetFrom;
    fixed.push({ utcMs: start, rank, offset: o.offsetTo });
    // An RDATE before the observance's start never wins: the start itself is a later onset of it.
    for (const wall of o.extraWalls) {
      const utcMs = wall - o.offsetFrom;
      if (utcMs >= start) fixed.push({ utcMs, rank, offset: o.offsetTo });
    }
    if (o.rule) ruled.push({ rank, observance: o, start, startYear: yearOf(o.startWall) });
  });
  fixed.sort(byOnset);
  const yearCache = new Map<number, Onset[]>();
  const ruleOnsets = (year: number): Onset[] => {
    let onsets = yearCache.get(year);
    if (onsets) return onsets;
    onsets = [];
    for (const { rank, observance: o, start, startYear } of ruled) {
      const rule = o.rule as YearlyRule;
      if (year < startYear) continue;
      const day = onsetDay(rule, year);
      if (day === undefined) continue;
      const onset = daysFromCivil(year, rule.month, day) * DAY_MS + timeOfDayMs(o.startWall) - o.offsetFrom;
      if (onset < start || (rule.untilUtc !== undefined && onset > rule.untilUtc)) continue;
      onsets.push({ utcMs: onset, rank, offset: o.offsetTo });
    }
    onsets.sort(byOnset);
    if (yearCache.size >= RULE_YEARS_CACHED) yearCache.clear();
    yearCache.set(year, onsets);
    return onsets;
  };
  const earliest = observances.reduce((a, b) => (b.startWall < a.startWall ? b : a));
  return (utcMs) => {
    let best = lastOnsetAtOrBefore(fixed, utcMs);
    if (ruled.length > 0) {
      const year = yearOf(utcMs);
      for (const y of [year + 1, year, year - 1]) {
        const candidate = lastOnsetAtOrBefore(ruleOnsets(y), utcMs);
        if (candidate && laterOnset(candidate, best)) best = candidate;
      }
    }
    return best ? best.offset : earliest.offsetFrom;
  };
}

/**
 * Reads a VTIMEZONE; undefined when it has no usable observance. Its observances and RDATE onsets are capped
 * (the budget's `observances`): past the cap it throws FeedTooCostly.
 */
export function readVTimezone(
  component: Component,
  budget: WorkBudget = new WorkBudget(),
): CustomZone | undefined {
  // Outlook escapes commas in TZID ("Kuala Lumpur\\, Singapore") though TZID parameters carry none.
  const tzid = first(component, 'TZID')
    ?.value.trim()
    .replace(/\\([,;\\])/g, '$1');
  if (!tzid) return undefined;
  const observances: Observance[] = [];
  let onsets = 0;
  for (const child of component.components) {
    if (child.name !== 'STANDARD' && child.name !== 'DAYLIGHT') continue;
    onsets += 1 + all(child, 'RDATE').reduce((sum, p) => sum + p.value.split(',').length, 0);
    budget.cap('observances', onsets, 'a VTIMEZONE with more than {n} observances and RDATE onsets');
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
  const offsetAt = offsetsOf(observances);
  const hint =
    first(component, 'X-LIC-LOCATION')?.value.trim() ??
    first(component, 'X-MICROSOFT-CDO-TZID')?.value.trim();
  // A digest, not the observances' text: it keys a process-wide cache, whose entries must stay small.
  const signature = hash('sha256', JSON.stringify(observances), 'hex');
  return { tzid, offsetAt, signature, observances, ...(hint ? { hint } : {}) };
}

/** Matches found, by zone signature, years and preferred zones: bounded, its keys come from feeds. */
const matches = new BoundedCache<string, string | null>(512);

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
export function matchIana(
  zone: CustomZone,
  years: number[],
  preferred: string[],
  budget: WorkBudget = new WorkBudget(),
): string | undefined {
  const key = `${zone.signature}|${years.join(',')}|${preferred.join(',')}`;
  const known = matches.get(key);
  if (known !== undefined) return known ?? undefined;
  const candidates = [...(zone.hint ? [zone.hint] : []), ...preferred, ...listIanaZones()];
  const found =
    firstAgreeing(zone, years, candidates, budget) ??
    firstAgreeing(zone, eraYears(zone), candidates, budget) ??
    null;
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

/** Each sample compared costs a unit of the budget (a candidate usually fails at its first). */
function firstAgreeing(
  zone: CustomZone,
  years: number[],
  candidates: string[],
  budget: WorkBudget,
): string | undefined {
  const samples = samplesFor(zone, years);
  budget.spend(samples.length, 'matching a VTIMEZONE to a known zone');
  const expected = samples.map((s) => zone.offsetAt(s));
  for (const candidate of candidates) {
    const iana = canonicalIana(candidate);
    if (!iana) continue;
    const { offsetAt } = timeZoneNamed(iana);
    let compared = 0;
    while (compared < samples.length && offsetAt(samples[compared] as number) === expected[compared])
      compared++;
    budget.spend(compared + 1, 'matching a VTIMEZONE to a known zone');
    if (compared === samples.length) return iana;
  }
  return undefined;
}
