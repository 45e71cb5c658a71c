/** When scheduled syncs run: pure rules shared by the scheduler (spreading) and the worker (repeated ticks). */
import { createHash } from 'node:crypto';

/** SQS delays a message at most 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

/**
 * When, after a tick, a subscriber's scheduled sync is delivered: a delay from a hash of the subscriber id, in
 * [0, min(interval, 900 s)). The hash spreads subscribers evenly over the interval, so Google sees an even rate
 * instead of every sync at the tick; and it is the same on every tick, so one subscriber's runs stay one interval
 * apart (what lets the worker tell a repeated tick from the next one: see `recentlySynced`). Intervals over 15
 * minutes are spread over the first 15 (SQS delays no longer).
 */
export function spreadDelaySeconds(subscriberId: string, intervalSeconds: number): number {
  const window = Math.max(1, Math.min(Math.floor(intervalSeconds), MAX_DELAY_SECONDS));
  return createHash('sha256').update(subscriberId).digest().readUInt32BE(0) % window;
}

/**
 * Whether a scheduled request finds the subscriber synced within this interval already (a repeated tick, or
 * a tick racing a continuation): then it is skipped. Runs of one subscriber are an interval apart give or take
 * the schedule's and the queue's jitter; the tolerance (a quarter of the interval, at most 2 minutes) keeps the
 * regular next run from being taken for a repeat.
 */
export function recentlySynced(
  lastRunStartedAt: string | undefined,
  now: Date,
  intervalSeconds: number,
): boolean {
  if (!lastRunStartedAt) return false;
  const started = Date.parse(lastRunStartedAt);
  if (Number.isNaN(started)) return false;
  const intervalMs = intervalSeconds * 1000;
  const minSpacingMs = intervalMs - Math.min(intervalMs / 4, 120_000);
  return now.getTime() - started < minSpacingMs;
}
