import type { Logger } from '@aws-lambda-powertools/logger';
import { DAY_MS } from '../../shared/domain/time/civil.ts';
import type { ConnectionStore } from '../../shared/ports/connection-store.ts';
import { type ScrubDependencies, scrubSubscriber } from '../../shared/use-cases/scrub-subscriber.ts';

export interface PurgeDependencies extends ScrubDependencies {
  connections: Pick<ConnectionStore, 'get' | 'remove' | 'listNeedsReauthSince'>;
  logger: Pick<Logger, 'info'>;
  now: () => Date;
}

/**
 * Retention: a connection left in needs_reauth for longer than `needsReauthDays` (default 30) is scrubbed like a
 * disconnect (its refresh token is already gone; the feed-token ciphertext, event map and sync state go now).
 * The dedicated calendar stays in the subscriber's Google account. The scheduler runs this daily.
 */
export async function purgeStaleConnections(
  deps: PurgeDependencies,
  retention: { needsReauthDays: number },
): Promise<{ purged: number }> {
  const cutoff = new Date(deps.now().getTime() - retention.needsReauthDays * DAY_MS);
  let purged = 0;
  for await (const subscriberId of deps.connections.listNeedsReauthSince(cutoff)) {
    // Re-read: the subscriber may have reconnected since the scan saw the item.
    const connection = await deps.connections.get(subscriberId);
    if (connection?.status !== 'needs_reauth' || !connection.needsReauthSince) continue;
    if (Date.parse(connection.needsReauthSince) >= cutoff.getTime()) continue;
    await scrubSubscriber(deps, subscriberId);
    deps.logger.info('stale connection purged', { subscriberId });
    purged += 1;
  }
  return { purged };
}
