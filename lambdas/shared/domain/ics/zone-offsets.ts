/** UTC offsets of IANA zones (through Intl, cached per zone and day) and wall-time <-> instant conversion. */

const DAY_MS = 86_400_000;

/** Gives the UTC offset, in minutes, in force at an instant. */
export type OffsetAt = (utcMs: number) => number;

const formatters = new Map<string, Intl.DateTimeFormat>();
const dayOffsets = new Map<string, Map<number, number>>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formatters.set(zone, formatter);
  }
  return formatter;
}

function exactOffset(zone: string, utcMs: number): number {
  const parts = formatterFor(zone).formatToParts(utcMs);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?/.exec(name);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** Offset of an IANA zone at an instant. Zones change offset at most once a day, so a day whose two ends agree is cached. */
export function ianaOffset(zone: string, utcMs: number): number {
  let days = dayOffsets.get(zone);
  if (!days) {
    days = new Map();
    dayOffsets.set(zone, days);
  }
  const day = Math.floor(utcMs / DAY_MS);
  const cached = days.get(day);
  if (cached !== undefined) return cached;
  const atStart = exactOffset(zone, day * DAY_MS);
  const atEnd = exactOffset(zone, (day + 1) * DAY_MS - 1);
  if (atStart === atEnd) {
    days.set(day, atStart);
    return atStart;
  }
  return exactOffset(zone, utcMs);
}

export const ianaOffsetAt =
  (zone: string): OffsetAt =>
  (utcMs) =>
    ianaOffset(zone, utcMs);

/**
 * The instant of a wall time (its fields read as if UTC) in a zone, as RFC 5545 3.3.5 asks: a time that
 * occurs twice (clocks going back) is the first one; a time that does not exist (clocks going forward)
 * is read with the offset in force before the gap.
 */
export function wallToUtc(wall: number, offsetAt: OffsetAt): number {
  const before = offsetAt(wall - DAY_MS);
  const after = offsetAt(wall + DAY_MS);
  const withBefore = wall - before * 60_000;
  if (before === after) {
    // No transition near: one offset, unless the zone moved for longer than a day (rare), so check.
    const exact = offsetAt(withBefore);
    return exact === before ? withBefore : wall - exact * 60_000;
  }
  const withAfter = wall - after * 60_000;
  const beforeValid = offsetAt(withBefore) === before;
  const afterValid = offsetAt(withAfter) === after;
  if (beforeValid && afterValid) return Math.min(withBefore, withAfter);
  if (beforeValid) return withBefore;
  if (afterValid) return withAfter;
  return withBefore;
}

/** Wall-time milliseconds (fields as if UTC) of an instant in a zone. */
export function utcToWall(utcMs: number, offsetAt: OffsetAt): number {
  return utcMs + offsetAt(utcMs) * 60_000;
}

const ianaZones = new Map<string, string | null>();

/** The IANA name Intl knows this zone by (aliases such as US/Central resolved), or undefined. */
export function canonicalIana(name: string): string | undefined {
  const known = ianaZones.get(name);
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
  ianaZones.set(name, resolved);
  return resolved ?? undefined;
}

let allZones: string[] | undefined;
/** Every zone Intl lists, sorted (for matching a custom VTIMEZONE against real rules). */
export function listIanaZones(): string[] {
  allZones ??= [...Intl.supportedValuesOf('timeZone')].sort();
  return allZones;
}
