/**
 * A feed's TZID -> the name of the zone Google gets (the zones themselves, their offsets and Google's names
 * are ../time/zone.ts). In order: an IANA name (or alias); a Windows zone name (CLDR table); an IANA name at
 * the end of a vendor path ("/mozilla.org/20050126_1/Europe/Berlin"); an Outlook display name ("(UTC+01:00)
 * Amsterdam, Berlin, ..."); the file's own VTIMEZONE, as the IANA zone with the same rules; a bare
 * "(UTC+01:00)" offset as a zone with that one offset; else the VTIMEZONE's own rules with times written in
 * UTC (a series of such a zone is placed by ./zone-series.ts); else the time is read as floating. Whatever zone
 * is found, Google gets a name it takes (../time/google-zones.ts), or UTC times.
 */
import { WINDOWS_TO_IANA_MAP } from 'windows-iana';
import { MINUTE_MS } from '../time/civil.ts';
import { googleZoneFor, googleZoneForOffset, type ZoneSpan } from '../time/google-zones.ts';
import { canonicalIana, listIanaZones, type OffsetAt, timeZoneNamed } from '../time/zone.ts';
import { WorkBudget } from '../work-budget.ts';
import { type CustomZone, matchIana } from './vtimezone.ts';

export type ZoneResolution =
  | { kind: 'iana'; zone: string }
  /** A VTIMEZONE no IANA zone matches: its own offsets, times written to Google in UTC. */
  | { kind: 'custom'; zone: CustomZone }
  /** A zone Google has no name for (a fixed offset no real zone keeps): its offsets, times written in UTC. */
  | { kind: 'utc'; offsetAt: OffsetAt }
  | { kind: 'floating' };

let windowsZones: Map<string, string> | undefined;
function windowsToIana(name: string): string | undefined {
  if (!windowsZones) {
    windowsZones = new Map();
    for (const entry of WINDOWS_TO_IANA_MAP) {
      const key = entry.windowsName.toLowerCase();
      if (entry.territory === '001' && entry.iana[0]) windowsZones.set(key, entry.iana[0]);
    }
  }
  const iana = windowsZones.get(name.toLowerCase());
  return iana ? canonicalIana(iana) : undefined;
}

let primaries: string[] | undefined;
/** The zone CLDR names first for each Windows zone: the usual choice among zones with equal rules. */
export function primaryZones(): string[] {
  primaries ??= WINDOWS_TO_IANA_MAP.filter((e) => e.territory === '001' && e.iana[0]).map(
    (e) => e.iana[0] as string,
  );
  return primaries;
}

/** Outlook display names that name a region, not a city. */
const REGION_NAMES: Record<string, string> = {
  'eastern time (us & canada)': 'America/New_York',
  'central time (us & canada)': 'America/Chicago',
  'mountain time (us & canada)': 'America/Denver',
  'pacific time (us & canada)': 'America/Los_Angeles',
  'atlantic time (canada)': 'America/Halifax',
  alaska: 'America/Anchorage',
  hawaii: 'Pacific/Honolulu',
  arizona: 'America/Phoenix',
  saskatchewan: 'America/Regina',
  newfoundland: 'America/St_Johns',
  'indiana (east)': 'America/Indiana/Indianapolis',
  brasilia: 'America/Sao_Paulo',
  'coordinated universal time': 'UTC',
  'greenwich mean time': 'Europe/London',
  'west central africa': 'Africa/Lagos',
  'central america': 'America/Guatemala',
  'mid-atlantic': 'Atlantic/South_Georgia',
  'international date line west': 'Etc/GMT+12',
};

let zonesByCity: Map<string, string[]> | undefined;
function zonesForCity(city: string): string[] {
  if (!zonesByCity) {
    zonesByCity = new Map();
    for (const zone of listIanaZones()) {
      const key = (zone.split('/').at(-1) ?? '').toLowerCase();
      zonesByCity.set(key, [...(zonesByCity.get(key) ?? []), zone]);
    }
  }
  return zonesByCity.get(city.toLowerCase().replace(/\./g, '').trim().replace(/\s+/g, '_')) ?? [];
}

const DISPLAY_NAME = /^\(?\s*(?:UTC|GMT)\s*(?:([+-])\s*(\d{1,2})(?:[:.]?(\d{2}))?)?\s*\)?\s*(.*)$/i;

/** Standard offset of an Outlook display name, in minutes, and the places it lists. */
function parseDisplayName(tzid: string): { offset: number; places: string } | undefined {
  const m = DISPLAY_NAME.exec(tzid.trim());
  if (!m || !/^\(?\s*(UTC|GMT)/i.test(tzid.trim())) return undefined;
  const minutes = Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return { offset: m[1] === '-' ? -minutes : minutes, places: (m[4] ?? '').trim() };
}

function hasStandardOffset(zone: string, offsetMinutes: number, year: number): boolean {
  const { offsetAt } = timeZoneNamed(zone);
  const offset = offsetMinutes * MINUTE_MS;
  const january = offsetAt(Date.UTC(year, 0, 15));
  const july = offsetAt(Date.UTC(year, 6, 15));
  return Math.min(january, july) === offset || january === offset || july === offset;
}

function displayNameToIana(tzid: string, year: number): string | undefined {
  const parsed = parseDisplayName(tzid);
  if (!parsed?.places) return undefined;
  const places = parsed.places.toLowerCase().replace(/ and /g, ' & ');
  const region = REGION_NAMES[places] ?? REGION_NAMES[places.split(':')[0]?.trim() ?? ''];
  if (region) return canonicalIana(region);
  for (const place of parsed.places.split(/[,:;&/]| - /)) {
    for (const zone of zonesForCity(place)) {
      if (hasStandardOffset(zone, parsed.offset, year)) return canonicalIana(zone);
    }
  }
  return undefined;
}

function pathSuffixIana(tzid: string): string | undefined {
  if (!tzid.includes('/')) return undefined;
  const segments = tzid.split('/').filter(Boolean);
  for (const take of [3, 2]) {
    if (segments.length <= take) continue;
    const iana = canonicalIana(segments.slice(-take).join('/'));
    if (iana) return iana;
  }
  return undefined;
}

/** The widest offset in use (Kiribati's +14:00): beyond it a display name is not read as an offset. */
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * Etc/GMT-1 style zone for a whole-hour offset (the sign of Etc names is inverted by POSIX convention): only a
 * candidate when a VTIMEZONE is matched; Google never gets it (see ZoneResolver).
 */
function fixedOffsetZone(offsetMinutes: number): string | undefined {
  if (offsetMinutes % 60 !== 0 || Math.abs(offsetMinutes) > 14 * 60) return undefined;
  if (offsetMinutes === 0) return 'UTC';
  const hours = offsetMinutes / 60;
  return canonicalIana(`Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`);
}

/** A zone from its name alone (IANA, Windows, vendor path, Outlook display name), without any VTIMEZONE. */
export function byNameOnlyZone(tzid: string, year: number): string | undefined {
  const clean = tzid.trim().replace(/^"|"$/g, '');
  return (
    canonicalIana(clean) ?? windowsToIana(clean) ?? pathSuffixIana(clean) ?? displayNameToIana(clean, year)
  );
}

/** Resolves the TZIDs of one feed (cached per TZID). */
export class ZoneResolver {
  readonly #cache = new Map<string, ZoneResolution>();
  readonly #vtimezones: Map<string, CustomZone>;
  readonly #years: number[];
  /** The whole years of the horizon: where a zone sent to Google in place of another must agree with it. */
  readonly #span: ZoneSpan;
  readonly #budget: WorkBudget;

  /**
   * `years`: the years whose rules must agree when a VTIMEZONE is matched to an IANA zone (the horizon's);
   * `budget`: the feed's, which matching spends from.
   */
  constructor(vtimezones: Map<string, CustomZone>, years: number[], budget: WorkBudget = new WorkBudget()) {
    this.#vtimezones = vtimezones;
    this.#years = years;
    this.#budget = budget;
    const first = years[0] ?? new Date().getUTCFullYear();
    const last = years.at(-1) ?? first;
    this.#span = { fromMs: Date.UTC(first, 0, 1), toMs: Date.UTC(last + 1, 0, 1) };
  }

  /** A TZID (or an IANA name, such as the floating zone), as the zone Google gets. */
  resolve(tzid: string): ZoneResolution {
    let resolution = this.#cache.get(tzid);
    if (!resolution) {
      this.#budget.cap('tzids', this.#cache.size + 1, 'more than {n} different TZIDs');
      resolution = this.#forGoogle(this.#resolve(tzid));
      this.#cache.set(tzid, resolution);
    }
    return resolution;
  }

  /** A zone under a name Google takes (Europe/Kiev for Europe/Kyiv, a real zone for Etc/GMT-1), or UTC times. */
  #forGoogle(resolution: ZoneResolution): ZoneResolution {
    if (resolution.kind !== 'iana') return resolution;
    const google = googleZoneFor(resolution.zone, this.#span);
    return google.kind === 'named'
      ? { kind: 'iana', zone: google.name }
      : { kind: 'utc', offsetAt: google.offsetAt };
  }

  #resolve(tzid: string): ZoneResolution {
    const year = this.#years[0] ?? new Date().getUTCFullYear();
    const named = byNameOnlyZone(tzid, year);
    if (named) return { kind: 'iana', zone: named };
    const custom = this.#vtimezones.get(tzid) ?? this.#vtimezones.get(tzid.trim().replace(/^"|"$/g, ''));
    const display = parseDisplayName(tzid);
    if (custom) {
      const preferred = [display ? fixedOffsetZone(display.offset) : undefined, ...primaryZones()].filter(
        (z): z is string => z !== undefined,
      );
      const matched = matchIana(custom, this.#years, preferred, this.#budget);
      if (matched) return { kind: 'iana', zone: matched };
      return { kind: 'custom', zone: custom };
    }
    if (display && Math.abs(display.offset) <= MAX_OFFSET_MINUTES) {
      const google = googleZoneForOffset(display.offset, this.#span);
      return google.kind === 'named'
        ? { kind: 'iana', zone: google.name }
        : { kind: 'utc', offsetAt: google.offsetAt };
    }
    return { kind: 'floating' };
  }
}
