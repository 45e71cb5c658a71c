import { findTimeZone, type TimeZone } from '../time/zone.ts';
import { ExpansionError } from './errors.ts';

/** The zone named by an IANA id (or a fixed `+HH:MM` offset). Throws ExpansionError for an unknown name. */
export function timeZoneNamed(id: string): TimeZone {
  const zone = findTimeZone(id);
  if (!zone)
    throw new ExpansionError('unknown_time_zone', `Unknown time zone "${id}" (an IANA name is needed).`);
  return zone;
}
