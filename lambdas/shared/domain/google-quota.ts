import { DAY_MS } from './time/civil.ts';
import { timeZoneNamed } from './time/zone.ts';

/** Google Cloud resets per-day API quotas at midnight Pacific Time (its quota documentation says so). */
const QUOTA_RESET_ZONE = 'America/Los_Angeles';

/** The next midnight in Pacific Time after `now`: when a used-up daily quota is given back. */
export function nextDailyQuotaReset(now: Date): Date {
  const zone = timeZoneNamed(QUOTA_RESET_ZONE);
  const wall = now.getTime() + zone.offsetAt(now.getTime());
  // Midnight is never in a DST gap there (the clocks change at 02:00), so the wall time maps to one instant.
  return new Date(zone.toUtc(Math.floor(wall / DAY_MS) * DAY_MS + DAY_MS));
}
