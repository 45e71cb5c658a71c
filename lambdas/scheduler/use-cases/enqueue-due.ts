import type { Logger } from '@aws-lambda-powertools/logger';
import { SCHEDULE_SHARDS } from '../../shared/adapters/dynamodb/connection-store.ts';
import { MAX_DELAY_SECONDS } from '../../shared/domain/sync-schedule.ts';
import { describeError, SafeMessageError } from '../../shared/errors.ts';
import type { SweepQueue, SweepRequest } from '../../shared/ports/sweep-queue.ts';
import type { ProjectQuotaState } from '../../shared/ports/sync-stores.ts';

export interface EnqueueDependencies {
  sweepQueue: SweepQueue;
  /**
   * Google's daily quota of the project: while it is used up, a tick sends no sweep. A check spends no Google
   * quota, but every write job it found would be held back by the worker and found again by the next sweep, so
   * the sweep would cost feed fetches and reads for nothing.
   */
  projectQuota?: Pick<ProjectQuotaState, 'dailyLimitUntil'>;
  logger: Pick<Logger, 'error'>;
  now: () => Date;
}

/** Some sweeps could not be enqueued; the others were. Running the tick again is harmless. */
class TickIncompleteError extends SafeMessageError {
  override readonly name = 'TickIncompleteError';
  constructor(
    readonly notEnqueued: number,
    readonly enqueued: number,
  ) {
    super(`${notEnqueued} sweeps were not enqueued (${enqueued} were)`);
  }
}

/**
 * Where a shard's sweep starts in the interval: shard n waits n / SCHEDULE_SHARDS of it (of at most the 900 s
 * SQS allows), so the checks reach the feed service evenly over the interval.
 */
export function sweepDelaySeconds(shard: number, intervalSeconds: number): number {
  return Math.floor((shard * Math.min(intervalSeconds, MAX_DELAY_SECONDS)) / SCHEDULE_SHARDS);
}

/**
 * One tick of the schedule: one sweep per shard of the scheduling index, each delayed by its slot in the
 * interval. The tick reads no subscriber (the sweeps do), so it costs the same at any number of them. When the
 * queue refuses some sweeps, the tick fails as a whole so that the scheduler runs it again; that costs a second
 * check of the shards already enqueued, and no second write (a check finds a feed already written unchanged).
 */
export async function enqueueDueSyncs(
  deps: EnqueueDependencies,
  settings: { intervalSeconds: number },
): Promise<{ sweeps: number }> {
  const now = deps.now();
  const quotaBackAt = await deps.projectQuota?.dailyLimitUntil();
  // A sweep reads the state of its shard afresh, so a tick left out loses nothing: the first after the reset
  // checks everyone.
  if (quotaBackAt && Date.parse(quotaBackAt) > now.getTime()) return { sweeps: 0 };
  const requestedAt = now.toISOString();
  const sweeps = Array.from(
    { length: SCHEDULE_SHARDS },
    (_, shard): SweepRequest => ({
      shard,
      requestedAt,
      delaySeconds: sweepDelaySeconds(shard, settings.intervalSeconds),
    }),
  );
  try {
    await deps.sweepQueue.enqueue(sweeps);
  } catch (error) {
    // The queue adapter says how many it could not enqueue; any other error loses them all.
    const failed = (error as { failedCount?: unknown }).failedCount;
    const lost = typeof failed === 'number' ? failed : sweeps.length;
    deps.logger.error('sweeps not enqueued', { count: lost, ...describeError(error) });
    throw new TickIncompleteError(lost, sweeps.length - lost);
  }
  return { sweeps: sweeps.length };
}
