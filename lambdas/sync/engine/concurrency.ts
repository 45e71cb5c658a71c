import { DEFAULT_PACING, type PacingPolicy } from './pacer.ts';

/** The range SQS event source mappings take for `MaximumConcurrency`. */
const MIN_EVENT_SOURCE_CONCURRENCY = 2;
const MAX_EVENT_SOURCE_CONCURRENCY = 1000;

/**
 * How many sync worker invocations may run at once (the SQS event source mapping's `MaximumConcurrency`) so
 * that all of them together stay under Google's per-project quota.
 *
 * An invocation syncs one subscriber at a time, and a sync's pacer spends at most `unitsPerWindow + burst`
 * units in any window (540 + 40 = 580 per minute by default), so N invocations spend at most N x 580 units a
 * minute: with the default project quota of 10,000 per minute, floor(10,000 / 580) = 17. The result is clamped
 * to what the event source mapping accepts; below 2 x 580 = 1,160 units a minute the quota cannot be kept by
 * concurrency alone (slow the pacing instead).
 */
export function maxConcurrentSyncs(
  projectQuotaPerMinute: number,
  pacing: PacingPolicy = DEFAULT_PACING,
): number {
  const peakUnitsPerMinute = ((pacing.unitsPerWindow + pacing.burst) * 60_000) / pacing.windowMs;
  const fits = Math.floor(projectQuotaPerMinute / peakUnitsPerMinute);
  return Math.min(MAX_EVENT_SOURCE_CONCURRENCY, Math.max(MIN_EVENT_SOURCE_CONCURRENCY, fits));
}
