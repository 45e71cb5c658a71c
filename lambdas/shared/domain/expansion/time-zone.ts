import { IANA_ALIAS_MAP } from 'windows-iana';
import { findTimeZone, type TimeZone } from '../time/zone.ts';
import { ExpansionError } from './errors.ts';

/** The zone named by an IANA id (or a fixed `+HH:MM` offset). Throws ExpansionError for an unknown name. */
export function timeZoneNamed(id: string): TimeZone {
  const zone = findTimeZone(id);
  if (!zone)
    throw new ExpansionError('unknown_time_zone', `Unknown time zone "${id}" (an IANA name is needed).`);
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
    throw new ExpansionError('unknown_time_zone', `"${id}" is not an IANA time zone name spelled exactly.`);
  }
  return timeZoneNamed(id);
}
