import type { Logger } from '@aws-lambda-powertools/logger';
import { DAY_MS } from '../../shared/domain/time/civil.ts';
import type { ConnectionStore } from '../../shared/ports/connection-store.ts';
import { ConnectionConflictError } from '../../shared/ports/connection-store.ts';
import {
  type ScrubDependencies,
  SyncRunningError,
  scrubSubscriber,
} from '../../shared/use-cases/scrub-subscriber.ts';

export interface PurgeDependencies extends ScrubDependencies {
  connections: Pick<
    ConnectionStore,
    | 'get'
    | 'remove'
    | 'removeVersion'
    | 'listNeedsReauthSince'
    | 'listFeedGoneSince'
    | 'listCalendarMissingSince'
  >;
  logger: Pick<Logger, 'info'>;
  now: () => Date;
}

/**
 * Retention: a connection left in needs_reauth, feed_gone or calendar_missing for longer than `needsReauthDays`
 * (default 30) is scrubbed like a disconnect (its refresh token is already gone, and its grant revoked when
 * unshared, see the worker; the feed-token ciphertext, event map and sync state go now). A feed_gone
 * connection's time counts from the first sync that found the feed gone, a calendar_missing one's from the sync
 * that found the calendar gone: all three wait for the subscriber to reconnect, and none can sync before. The
 * dedicated calendar (if any is left) stays in the subscriber's Google account. The scheduler runs this daily.
 */
export async function purgeStaleConnections(
  deps: PurgeDependencies,
  retention: { needsReauthDays: number },
): Promise<{ purged: number }> {
  const cutoff = new Date(deps.now().getTime() - retention.needsReauthDays * DAY_MS);
  let purged = 0;
  const stale = [
    { ids: deps.connections.listNeedsReauthSince(cutoff), status: 'needs_reauth', since: 'needsReauthSince' },
    { ids: deps.connections.listFeedGoneSince(cutoff), status: 'feed_gone', since: 'feedGoneSince' },
    {
      ids: deps.connections.listCalendarMissingSince(cutoff),
      status: 'calendar_missing',
      since: 'calendarMissingSince',
    },
  ] as const;
  for (const { ids, status, since } of stale) {
    for await (const subscriberId of ids) {
      // Re-read: the subscriber may have reconnected since the scan saw the item.
      const connection = await deps.connections.get(subscriberId);
      const sinceAt = connection?.[since];
      if (connection?.status !== status || !sinceAt || Date.parse(sinceAt) >= cutoff.getTime()) continue;
      try {
        // Only the version read: a reconnect landing meanwhile keeps its new connection.
        await scrubSubscriber(deps, subscriberId, { expectedVersion: connection.version });
      } catch (error) {
        // A running sync or a reconnect: the next daily run looks at it again.
        if (error instanceof SyncRunningError || error instanceof ConnectionConflictError) continue;
        throw error;
      }
      deps.logger.info('stale connection purged', { subscriberId, status });
      purged += 1;
    }
  }
  return { purged };
}
