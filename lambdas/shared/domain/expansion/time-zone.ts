import { DAY_MS, HOUR_MS, MINUTE_MS } from './civil.ts';
import { ExpansionError } from './errors.ts';

/** A time zone as expansion needs it: the UTC offset at an instant, and wall time to instant. */
export interface TimeZone {
  readonly id: string;
  /** Milliseconds to add to an instant to get the wall clock. */
  offsetAt(utcMs: number): number;
  /**
   * The instant of a wall-clock time. A time repeated by a fall-back transition is its first occurrence
   * (RFC 5545 3.3.5); a time skipped by a spring-forward gap is read with the offset in force before the gap,
   * so 02:30 becomes 03:30. Google, Temporal ("compatible") and common clients keep such recurrence
   * instances this way rather than dropping them, so nothing silently disappears from the calendar.
   */
  toUtc(wallMs: number): number;
}

class FixedOffsetZone implements TimeZone {
  constructor(
    readonly id: string,
    private readonly offsetMs: number,
  ) {}
  offsetAt(): number {
    return this.offsetMs;
  }
  toUtc(wallMs: number): number {
    return wallMs - this.offsetMs;
  }
}

/** One UTC year of a zone: offsets[i] applies from starts[i] (starts[0] is the year's first instant). */
interface YearOffsets {
  starts: number[];
  offsets: number[];
}

const SAMPLE_STEP_MS = 7 * DAY_MS;

/**
 * An IANA zone read through the runtime's Intl data. Offsets are sampled once per zone and year, transitions
 * located to the second and cached, so a lookup afterwards is a scan of two or three numbers.
 */
class IanaZone implements TimeZone {
  private readonly format: Intl.DateTimeFormat;
  private readonly years = new Map<number, YearOffsets>();
  private cachedYearStart = Number.POSITIVE_INFINITY;
  private cachedYearEnd = Number.NEGATIVE_INFINITY;
  private cachedYear: YearOffsets | undefined;

  constructor(readonly id: string) {
    // Only the offset is read: formatting just the zone name is several times cheaper than formatToParts.
    this.format = new Intl.DateTimeFormat('en-US', { timeZone: id, timeZoneName: 'longOffset' });
  }

  offsetAt(utcMs: number): number {
    if (utcMs < this.cachedYearStart || utcMs >= this.cachedYearEnd) this.selectYear(utcMs);
    const { starts, offsets } = this.cachedYear as YearOffsets;
    let i = starts.length - 1;
    while (i > 0 && utcMs < (starts[i] as number)) i--;
    return offsets[i] as number;
  }

  toUtc(wallMs: number): number {
    const before = this.offsetAt(wallMs - DAY_MS);
    const after = this.offsetAt(wallMs + DAY_MS);
    if (before === after) return wallMs - before;
    const early = wallMs - before;
    const late = wallMs - after;
    const earlyValid = this.offsetAt(early) === before;
    const lateValid = this.offsetAt(late) === after;
    if (earlyValid && lateValid) return Math.min(early, late);
    if (lateValid) return late;
    return early;
  }

  private selectYear(utcMs: number): void {
    const year = new Date(utcMs).getUTCFullYear();
    let offsets = this.years.get(year);
    if (!offsets) {
      offsets = this.computeYear(year);
      this.years.set(year, offsets);
    }
    this.cachedYear = offsets;
    this.cachedYearStart = Date.UTC(year, 0, 1);
    this.cachedYearEnd = Date.UTC(year + 1, 0, 1);
    // Date.UTC maps years 0..99 to 1900..1999; such dates never reach a calendar, but stay correct.
    if (year >= 0 && year < 100) {
      this.cachedYearStart = Number.POSITIVE_INFINITY;
      this.cachedYearEnd = Number.NEGATIVE_INFINITY;
    }
  }

  private computeYear(year: number): YearOffsets {
    const start = new Date(0).setUTCFullYear(year, 0, 1);
    const end = new Date(0).setUTCFullYear(year + 1, 0, 1);
    const starts = [start];
    const offsets = [this.intlOffset(start)];
    let previous = start;
    let previousOffset = offsets[0] as number;
    for (
      let sample = Math.min(start + SAMPLE_STEP_MS, end);
      ;
      sample = Math.min(sample + SAMPLE_STEP_MS, end)
    ) {
      const sampleOffset = this.intlOffset(sample);
      if (sampleOffset !== previousOffset) {
        starts.push(this.findTransition(previous, sample, previousOffset));
        offsets.push(sampleOffset);
      }
      previous = sample;
      previousOffset = sampleOffset;
      if (sample >= end) break;
    }
    return { starts, offsets };
  }

  /** First second in (low, high] whose offset differs from lowOffset. */
  private findTransition(low: number, high: number, lowOffset: number): number {
    let lo = low;
    let hi = high;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (this.intlOffset(mid) === lowOffset) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** The offset Intl reports for an instant (`GMT+05:30`, `GMT-04:56:02`, or plain `GMT`). */
  private intlOffset(utcMs: number): number {
    const text = this.format.format(utcMs);
    const match = LONG_OFFSET.exec(text);
    if (!match) return 0;
    const sign = match[1] === '-' ? -1 : 1;
    return sign * (Number(match[2]) * HOUR_MS + Number(match[3]) * MINUTE_MS + Number(match[4] ?? 0) * 1000);
  }
}

const LONG_OFFSET = /GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/;

const zones = new Map<string, TimeZone>();
const OFFSET_PATTERN = /^([+-])(\d{2}):?(\d{2})$/;

/** An offset such as `+02:00` or `Z` as a fixed zone (used for dateTimes that carry no timeZone). */
export function fixedOffsetZone(offsetMs: number): TimeZone {
  const id = offsetMs === 0 ? 'UTC' : `fixed${offsetMs}`;
  let zone = zones.get(id);
  if (!zone) {
    zone = new FixedOffsetZone(id, offsetMs);
    zones.set(id, zone);
  }
  return zone;
}

/** The zone named by an IANA id (or a fixed `+HH:MM` offset). Throws ExpansionError for an unknown name. */
export function timeZoneNamed(id: string): TimeZone {
  const cached = zones.get(id);
  if (cached) return cached;
  let zone: TimeZone;
  const offset = OFFSET_PATTERN.exec(id);
  if (offset) {
    const sign = offset[1] === '-' ? -1 : 1;
    zone = new FixedOffsetZone(id, sign * (Number(offset[2]) * HOUR_MS + Number(offset[3]) * MINUTE_MS));
  } else if (id === 'UTC' || id === 'Etc/UTC' || id === 'GMT' || id === 'Etc/GMT') {
    zone = new FixedOffsetZone(id, 0);
  } else {
    try {
      zone = new IanaZone(id);
    } catch {
      throw new ExpansionError('unknown_time_zone', `Unknown time zone "${id}" (an IANA name is needed).`);
    }
  }
  zones.set(id, zone);
  return zone;
}

export const UTC_ZONE: TimeZone = timeZoneNamed('UTC');
