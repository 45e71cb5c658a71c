import { describeError } from '../../shared/errors.ts';
import { requestImmediateSync } from '../../shared/use-cases/request-sync.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { refusal } from '../rules/refusals.ts';
import { authenticateFeedToken, type FeedTokenDependencies, type FeedTokenInput } from './authenticate.ts';

export interface SyncNowOutcome {
  queued: true;
}

/**
 * "Sync now": asks the worker for one immediate sync of the subscriber's calendar. Rate-limited per subscriber
 * (RATE_LIMIT_SYNC_PER_SUBSCRIBER, or RATE_LIMIT_HOST_SYNC_PER_SUBSCRIBER when the host signed: by default once a
 * minute each), so the button cannot be used to hammer the feed or Google; failures count per IP. A subscriber that is not connected, or whose connection waits for a reconnect, gets a 409 that says so.
 */
export async function syncNow(
  deps: FeedTokenDependencies & Pick<OAuthDependencies, 'connections' | 'syncQueue'>,
  input: FeedTokenInput,
): Promise<SyncNowOutcome> {
  const subscriberId = await authenticateFeedToken(deps, 'sync', input);
  const connection = await deps.connections.get(subscriberId);
  if (!connection) throw refusal('not_connected');
  if (connection.status === 'feed_gone') throw refusal('feed_gone');
  if (connection.status === 'calendar_missing') throw refusal('calendar_missing');
  if (connection.status !== 'connected' || !connection.refreshTokenCiphertext) throw refusal('needs_reauth');
  try {
    await requestImmediateSync(deps, [subscriberId], 'manual');
  } catch (error) {
    deps.logger.warn('sync now not enqueued', describeError(error));
    throw refusal('sync_unavailable');
  }
  deps.logger.info('sync requested');
  return { queued: true };
}
