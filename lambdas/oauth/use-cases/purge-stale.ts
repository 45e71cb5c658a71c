import { DAY_MS } from '../../shared/domain/time/civil.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { scrubSubscriber } from './scrub-subscriber.ts';

/**
 * Retention: a connection left in needs_reauth for longer than the configured days (default 30) is scrubbed like
 * a disconnect (its refresh token is already gone; the feed-token ciphertext, event map and sync state go now).
 * The dedicated calendar stays in the subscriber's Google account. The scheduler calls this daily.
 */
export async function purgeStaleConnections(
  deps: Pick<
    OAuthDependencies,
    'config' | 'connections' | 'eventMap' | 'syncState' | 'accessTokens' | 'logger' | 'now'
  >,
): Promise<{ purged: number }> {
  const cutoff = new Date(deps.now().getTime() - deps.config.retention.needsReauthDays * DAY_MS);
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
