import type { Logger } from '@aws-lambda-powertools/logger';
import { spreadDelaySeconds } from '../../shared/domain/sync-schedule.ts';
import { describeError, SafeMessageError } from '../../shared/errors.ts';
import type { SyncQueue, SyncRequest } from '../../shared/ports/sync-queue.ts';
import type { SyncSchedule } from '../../shared/ports/sync-schedule.ts';
import type { ProjectQuotaState } from '../../shared/ports/sync-stores.ts';

export interface EnqueueDependencies {
  schedule: Pick<SyncSchedule, 'due'>;
  syncQueue: SyncQueue;
  /** Google's daily quota of the project: while it is used up, a tick enqueues nothing (the worker would skip). */
  projectQuota?: Pick<ProjectQuotaState, 'dailyLimitUntil'>;
  logger: Pick<Logger, 'error'>;
  now: () => Date;
}

/** Some subscribers could not be enqueued; the others were. Running the tick again is harmless. */
class TickIncompleteError extends SafeMessageError {
  override readonly name = 'TickIncompleteError';
  constructor(
    readonly notEnqueued: number,
    readonly enqueued: number,
  ) {
    super(`${notEnqueued} scheduled syncs were not enqueued (${enqueued} were)`);
  }
}

/**
 * One tick of the schedule: one message per subscriber due a sync, each delayed by its stable slot in the
 * interval so the syncs reach Google at an even rate. A page the queue refuses does not stop the others; the
 * tick then fails as a whole so that the scheduler runs it again, which costs no second sync for those already
 * enqueued (the worker skips a subscriber synced within the interval).
 */
export async function enqueueDueSyncs(
  deps: EnqueueDependencies,
  settings: { intervalSeconds: number },
): Promise<{ enqueued: number }> {
  const now = deps.now();
  const quotaBackAt = await deps.projectQuota?.dailyLimitUntil();
  // Every tick enqueues whoever is due, so a tick left out loses nothing: the first after the reset catches up.
  if (quotaBackAt && Date.parse(quotaBackAt) > now.getTime()) return { enqueued: 0 };
  const requestedAt = now.toISOString();
  let enqueued = 0;
  let notEnqueued = 0;
  for await (const subscriberIds of deps.schedule.due(now)) {
    const requests = subscriberIds.map(
      (subscriberId): SyncRequest => ({
        subscriberId,
        reason: 'scheduled',
        requestedAt,
        delaySeconds: spreadDelaySeconds(subscriberId, settings.intervalSeconds),
      }),
    );
    try {
      await deps.syncQueue.enqueue(requests);
      enqueued += requests.length;
    } catch (error) {
      // The queue adapter says how many of the page it could not enqueue; any other error loses the page.
      const failed = (error as { failedCount?: unknown }).failedCount;
      const lost = typeof failed === 'number' ? failed : requests.length;
      notEnqueued += lost;
      enqueued += requests.length - lost;
      deps.logger.error('scheduled syncs not enqueued', { count: lost, ...describeError(error) });
    }
  }
  if (notEnqueued > 0) throw new TickIncompleteError(notEnqueued, enqueued);
  return { enqueued };
}
