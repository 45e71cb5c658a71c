import type { RateLimitedRoute } from '../../shared/config.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { feedUrlFor, isWellFormedFeedToken } from '../feed-token.ts';
import { refusal } from '../refusals.ts';

/**
 * Proves a feed token: well formed, within the subscriber's rate limit, and its feed URL answers with a calendar
 * (the definition of a valid token). Returns the subscriberId and adds it to the log keys.
 */
export async function authenticateFeedToken(
  deps: Pick<OAuthDependencies, 'identity' | 'rateLimiter' | 'checkFeed' | 'config' | 'logger'>,
  route: RateLimitedRoute,
  feedToken: string | undefined,
): Promise<string> {
  if (feedToken === undefined || feedToken === '') throw refusal('missing_token');
  if (!isWellFormedFeedToken(feedToken)) throw refusal('invalid_token');
  const subscriberId = await deps.identity.subscriberIdFor(feedToken);
  deps.logger.appendKeys({ subscriberId });
  await deps.rateLimiter.checkSubscriber(route, subscriberId);
  const verdict = await deps.checkFeed(feedUrlFor(deps.config.feed.urlTemplate, feedToken));
  if (verdict === 'invalid') throw refusal('invalid_token');
  if (verdict === 'unavailable') throw refusal('feed_unavailable');
  return subscriberId;
}
