/**
 * Time zones for the whole domain (expansion, ICS mapping, reconcile planner, the Google emulator): the UTC
 * offset in force at an instant, the instant of a wall-clock time under RFC 5545 3.3.5, and which names Google
 * takes. The ICS mapping's reading of a feed's TZIDs (Windows and Outlook names, VTIMEZONEs) is
 * ../ics/time-zones.ts: it ends in one of these zones.
 */
import { IANA_ALIAS_MAP } from 'windows-iana';
import { BoundedCache } from '../bounded-cache.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from './civil.ts';
import { TimeInputError } from './errors.ts';

/** Milliseconds to add to an instant to get the wall clock in force there. */
export type OffsetAt = (utcMs: number) => number;

export interface TimeZone {
  readonly id: string;
  /** A plain function (it may be passed around detached from its zone). */
  readonly offsetAt: OffsetAt;
  /** The instant of a wall-clock time (fields as if UTC), as `wallToUtc` reads it. */
  toUtc(wallMs: number): number;
}

/**
 * The instant of a wall-clock time (fields as if UTC) under a zone's offsets. A time repeated by a fall-back
 * transition is its first occurrence (RFC 5545 3.3.5); a time skipped by a spring-forward gap is read with the
 * offset in force before the gap, so 02:30 becomes 03:30. Google, Temporal ("compatible") and common clients
 * keep such times this way rather than dropping them, so nothing silently disappears from the calendar.
 */
export function wallToUtc(wallMs: number, offsetAt: OffsetAt): number {
  const before = offsetAt(wallMs - DAY_MS);
  const after = offsetAt(wallMs + DAY_MS);
  // One offset a day either side: no transition near (none comes back within days, see SPAN_MS).
  if (before === after) return wallMs - before;
  const early = wallMs - before;
  const late = wallMs - after;
  const earlyValid = offsetAt(early) === before;
  const lateValid = offsetAt(late) === after;
  if (earlyValid && lateValid) return Math.min(early, late);
  return lateValid ? late : early;
}

class FixedOffsetZone implements TimeZone {
  readonly offsetAt: OffsetAt;
  constructor(
    readonly id: string,
    offsetMs: number,
  ) {
    this.offsetAt = () => offsetMs;
  }
  toUtc(wallMs: number): number {
    return wallMs - this.offsetAt(wallMs);
  }
}

/**
 * Real zones change offset at most once in five days: the closest two transitions in tzdata (1900-2100) are
 * 167 hours apart (Brazil's one-week DST of 2000, the rules projected for Gaza around Ramadan). So a span of
 * SPAN_MS whose two ends agree has one offset, and a span whose ends differ has exactly one transition. Five
 * days keep two days of margin below that gap, where a week (the sampling this replaces) could miss a
 * one-week DST, and cost fewer Intl calls than sampling every day or every week.
 */
const SPAN_MS = 5 * DAY_MS;
/**
 * Spans kept per zone (about 110 years): the instants looked up come from feeds, which may name any year; past
 * this the zone forgets its spans and reads the ones it needs again.
 */
const SPANS_KEPT = 8_192;
/** Transitions fall on whole seconds, mostly on whole hours or minutes: they are searched coarse to fine. */
const SEARCH_STEPS = [HOUR_MS, MINUTE_MS, SECOND_MS];

/** One span of an IANA zone: `offset` until `transition`, `after` from it on. */
interface ZoneSpan {
  offset: number;
  transition: number;
  after: number;
}

/**
 * An IANA zone read through the runtime's Intl data, span by span as lookups reach them, each transition
 * located to the second; afterwards a lookup in the same span is two comparisons, in another a map read.
 */
class IanaZone implements TimeZone {
  readonly offsetAt: OffsetAt;
  private readonly format: Intl.DateTimeFormat;
  private readonly spans = new Map<number, ZoneSpan>();
  /** Offsets at span boundaries, shared by the two spans that meet there. */
  private readonly boundaries = new Map<number, number>();

  constructor(readonly id: string) {
    // Only the offset is read: formatting just the zone name is several times cheaper than formatToParts.
    this.format = new Intl.DateTimeFormat('en-US', { timeZone: id, timeZoneName: 'longOffset' });
    let lastIndex = Number.NaN;
    let last: ZoneSpan = { offset: 0, transition: 0, after: 0 };
    this.offsetAt = (utcMs) => {
      const index = Math.floor(utcMs / SPAN_MS);
      if (index !== lastIndex) {
        last = this.span(index);
        lastIndex = index;
      }
      return utcMs < last.transition ? last.offset : last.after;
    };
  }

  toUtc(wallMs: number): number {
    return wallToUtc(wallMs, this.offsetAt);
  }

  private span(index: number): ZoneSpan {
    let span = this.spans.get(index);
    if (!span) {
      const offset = this.boundaryOffset(index);
      const next = this.boundaryOffset(index + 1);
      span =
        offset === next
          ? { offset, transition: Number.POSITIVE_INFINITY, after: offset }
          : {
              offset,
              transition: this.locateTransition(index * SPAN_MS, (index + 1) * SPAN_MS, offset),
              after: next,
            };
      if (this.spans.size >= SPANS_KEPT) this.spans.clear();
      this.spans.set(index, span);
    }
    return span;
  }

  private boundaryOffset(index: number): number {
    let offset = this.boundaries.get(index);
    if (offset === undefined) {
      offset = this.intlOffset(index * SPAN_MS);
      if (this.boundaries.size >= SPANS_KEPT) this.boundaries.clear();
      this.boundaries.set(index, offset);
    }
    return offset;
  }

  /** The first second in (start, end] whose offset is not `offset` (start and end on the hour grid). */
  private locateTransition(start: number, end: number, offset: number): number {
    let low = start;
    let high = end;
    for (const step of SEARCH_STEPS) {
      // One probe just before `high` settles the usual transition on a whole hour or minute.
      if (high - low > step) {
        const justBefore = high - step;
        if (this.intlOffset(justBefore) === offset) low = justBefore;
        else high = justBefore;
      }
      while (high - low > step) {
        const mid = low + Math.floor((high - low) / (2 * step)) * step;
        if (this.intlOffset(mid) === offset) low = mid;
        else high = mid;
      }
    }
    return high;
  }

  /** The offset Intl reports for an instant (`GMT+05:30`, `GMT-04:56:02`, or plain `GMT`). */
  private intlOffset(utcMs: number): number {
    const match = LONG_OFFSET.exec(this.format.format(utcMs));
    if (!match) return 0;
    const sign = match[1] === '-' ? -1 : 1;
    return (
      sign * (Number(match[2]) * HOUR_MS + Number(match[3]) * MINUTE_MS + Number(match[4] ?? 0) * SECOND_MS)
    );
  }
}

const LONG_OFFSET = /GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/;
const OFFSET_ID = /^([+-])(\d{2}):?(\d{2})$/;
const UTC_IDS = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);

/** Zones by id (and unknown ids as null): bounded, since ids and fixed offsets may come from feeds. */
const zones = new BoundedCache<string, TimeZone | null>(2_048);

/** An offset as a fixed zone (for dateTimes that carry an offset and no timeZone). */
export function fixedOffsetZone(offsetMs: number): TimeZone {
  const id = offsetMs === 0 ? 'UTC' : `fixed${offsetMs}`;
  let zone = zones.get(id);
  if (!zone) {
    zone = new FixedOffsetZone(id, offsetMs);
    zones.set(id, zone);
  }
  return zone;
}

/** The zone named by an IANA id (aliases too) or a fixed `+HH:MM` offset; undefined for a name Intl does not know. */
export function findTimeZone(id: string): TimeZone | undefined {
  const known = zones.get(id);
  if (known !== undefined) return known ?? undefined;
  let zone: TimeZone | null;
  const offset = OFFSET_ID.exec(id);
  if (offset) {
    const sign = offset[1] === '-' ? -1 : 1;
    zone = new FixedOffsetZone(id, sign * (Number(offset[2]) * HOUR_MS + Number(offset[3]) * MINUTE_MS));
  } else if (UTC_IDS.has(id)) {
    zone = new FixedOffsetZone(id, 0);
  } else {
    try {
      zone = new IanaZone(id);
    } catch {
      zone = null;
    }
  }
  zones.set(id, zone);
  return zone ?? undefined;
}

export const UTC_ZONE: TimeZone = fixedOffsetZone(0);

/** Names as Intl resolves them: bounded, the names are whatever TZIDs feeds write. */
const ianaNames = new BoundedCache<string, string | null>(4_096);

/** The IANA name Intl knows this zone by (aliases such as US/Central resolved), or undefined. */
export function canonicalIana(name: string): string | undefined {
  const known = ianaNames.get(name);
  if (known !== undefined) return known ?? undefined;
  let resolved: string | null = null;
  // Intl also accepts fixed offsets ("+01:00") and bare abbreviations; those are not IANA zone names.
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) {
    try {
      resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      resolved = null;
    }
  }
  if (resolved === 'Etc/Unknown') resolved = null;
  ianaNames.set(name, resolved);
  return resolved ?? undefined;
}

let allZones: string[] | undefined;
/** Every zone Intl lists, sorted (for matching a custom VTIMEZONE against real rules). */
export function listIanaZones(): string[] {
  allZones ??= [...Intl.supportedValuesOf('timeZone')].sort();
  return allZones;
}

/** The zone named by an IANA id (or a fixed `+HH:MM` offset). Throws TimeInputError for an unknown name. */
export function timeZoneNamed(id: string): TimeZone {
  const zone = findTimeZone(id);
  if (!zone)
    throw new TimeInputError('unknown_time_zone', `Unknown time zone "${id}" (an IANA name is needed).`);
  return zone;
}

/**
 * Old tzdata zones named after a rule, not a place (`EST`, `PST8PDT`): Intl takes them, Google's zone list does
 * not, so they are refused like any name Google does not list.
 */
const RULE_NAMED_ZONES = new Set(['EST', 'MST', 'HST', 'EST5EDT', 'CST6CDT', 'MST7MDT', 'PST8PDT']);
/** A path segment of a tzdata name: capitalised words (`Port_of_Spain` and `DumontDUrville` are listed). */
const TITLE_CASE_SEGMENT = /^[A-Z][a-z]+(?:[_-][A-Z][a-z]+)*$/;

let exactNames: Set<string> | undefined;
/** Every zone name in its exact spelling: CLDR's canonical ids and their IANA aliases (links). */
function knownNames(): Set<string> {
  exactNames ??= new Set([
    ...Intl.supportedValuesOf('timeZone'),
    ...IANA_ALIAS_MAP.flatMap((zone): readonly string[] => zone.alias),
  ]);
  return exactNames;
}

/**
 * Whether Google takes this as a time zone name: an IANA name or link spelled exactly (`Europe/Berlin`,
 * `Asia/Calcutta`, `US/Eastern`, `UTC`, `Etc/GMT-1`), not a case variant (`europe/berlin`), an offset
 * (`+01:00`) or a rule-named zone (`EST`), all of which Intl accepts. Names newer than the CLDR alias table
 * (`Europe/Kyiv`) are taken when Intl knows them and they are spelled in tzdata's capitalised words.
 */
export function isGoogleTimeZoneName(name: string): boolean {
  if (RULE_NAMED_ZONES.has(name) || name === 'Etc/Unknown') return false;
  if (knownNames().has(name)) return true;
  return (
    name.split('/').every((segment) => TITLE_CASE_SEGMENT.test(segment)) && findTimeZone(name) !== undefined
  );
}

/** timeZoneNamed for a name that must be spelled as Google lists it (see isGoogleTimeZoneName). */
export function googleTimeZoneNamed(id: string): TimeZone {
  if (!isGoogleTimeZoneName(id)) {
    throw new TimeInputError('unknown_time_zone', `"${id}" is not an IANA time zone name spelled exactly.`);
  }
  return timeZoneNamed(id);
}
