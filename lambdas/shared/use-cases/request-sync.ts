import type { SyncQueue, SyncReason } from '../ports/sync-queue.ts';

export interface RequestSyncDependencies {
  syncQueue: SyncQueue;
  now: () => Date;
}

/** The reasons a sync is asked for outside the schedule (the worker runs them even if a sync ran lately). */
export type ImmediateSyncReason = Extract<SyncReason, 'connected' | 'manual' | 'notified'>;

/**
 * Asks the worker for one sync of a subscriber now (or after `delaySeconds`): the first sync after a connect,
 * "sync now", and change notifications all go through here. Throws SyncQueueError when SQS refused it.
 */
export async function requestImmediateSync(
  deps: RequestSyncDependencies,
  subscriberIds: readonly string[],
  reason: ImmediateSyncReason,
  options: { delaySeconds?: number } = {},
): Promise<void> {
  if (subscriberIds.length === 0) return;
  const requestedAt = deps.now().toISOString();
  await deps.syncQueue.enqueue(
    subscriberIds.map((subscriberId) => ({
      subscriberId,
      reason,
      requestedAt,
      ...(options.delaySeconds ? { delaySeconds: options.delaySeconds } : {}),
    })),
  );
}
