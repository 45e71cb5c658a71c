import { describeError } from '../../shared/errors.ts';
import { requestImmediateSync } from '../../shared/use-cases/request-sync.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { refusal } from '../refusals.ts';
import { type AuthenticationDependencies, authenticateFeedToken } from './authenticate.ts';

export interface SyncNowInput {
  feedToken: string | undefined;
  ip: string;
}

export interface SyncNowOutcome {
  queued: true;
}

/**
 * "Sync now": asks the worker for one immediate sync of the subscriber's calendar. Rate-limited per IP and per
 * subscriber (RATE_LIMIT_SYNC_*: by default once a minute), so the button cannot be used to hammer the feed or
 * Google. A subscriber that is not connected, or whose connection waits for a reconnect, gets a 409 that says so.
 */
export async function syncNow(
  deps: AuthenticationDependencies & Pick<OAuthDependencies, 'connections' | 'syncQueue' | 'now'>,
  input: SyncNowInput,
): Promise<SyncNowOutcome> {
  await deps.rateLimiter.checkIp('sync', input.ip);
  const subscriberId = await authenticateFeedToken(deps, 'sync', input.feedToken);
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
