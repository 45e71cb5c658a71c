import { createHash, timingSafeEqual } from 'node:crypto';
import { describeError, type Refusal } from '../../shared/errors.ts';
import type { Connection } from '../../shared/ports/connection-store.ts';
import type { RateLimitedRoute } from '../config.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { checkFeed, type FeedCheckResult, type FeedVerdict } from '../rules/feed-check.ts';
import { feedUrlFor, isWellFormedFeedToken } from '../rules/feed-token.ts';
import { type RefusalCode, refusal } from '../rules/refusals.ts';
import type { CallerDependencies, CallerInput } from './caller.ts';
import { countForSubscriber, countingFailures, identifyCaller } from './caller.ts';

export type AuthenticationDependencies = Pick<
  OAuthDependencies,
  'identity' | 'rateLimiter' | 'feeds' | 'validTokens' | 'config' | 'logger'
>;

/** What proving a feed token with its feed takes (a "valid" seen lately in this container is not asked again). */
export type FeedCheckDependencies = Pick<OAuthDependencies, 'feeds' | 'validTokens' | 'config'>;

/** What identifying the caller and proving its feed token take. */
export type FeedTokenDependencies = AuthenticationDependencies & CallerDependencies;

/** A request that names its subscriber by the feed token (`Authorization: Bearer`), signed by the host or not. */
export interface FeedTokenInput extends CallerInput {
  feedToken: string | undefined;
}

/**
 * Identifies the caller (the host by its signature, or a client by its IP), then proves the feed token: well
 * formed, and its feed URL answers with a calendar (the definition of a valid token); then counts the request
 * against the subscriber (the host's own budget when it signed). A client's failure counts against its IP.
 * Returns the subscriberId and adds it to the log keys.
 */
export async function authenticateFeedToken(
  deps: FeedTokenDependencies,
  route: RateLimitedRoute,
  { feedToken, ...callerInput }: FeedTokenInput,
): Promise<string> {
  const caller = await identifyCaller(deps, route, callerInput);
  const { subscriberId } = await countingFailures(deps, route, caller, async () => {
    const identified = await identifySubscriber(deps, feedToken);
    const verdict = await feedVerdict(deps, identified);
    if (verdict !== 'valid') throw feedRefusal(verdict);
    return identified;
  });
  await countForSubscriber(deps, route, caller, subscriberId);
  return subscriberId;
}

export interface IdentifiedSubscriber {
  subscriberId: string;
  feedToken: string;
}

/**
 * A well-formed token's subscriberId (added to the log keys). Nothing is counted for the subscriber yet: the
 * token is not proven, and a leaked one must not spend the subscriber's budget (countForSubscriber, after proof).
 */
export async function identifySubscriber(
  deps: Pick<OAuthDependencies, 'identity' | 'logger'>,
  feedToken: string | undefined,
): Promise<IdentifiedSubscriber> {
  if (feedToken === undefined || feedToken === '') throw refusal('missing_token');
  if (!isWellFormedFeedToken(feedToken)) throw refusal('invalid_token');
  const subscriberId = await deps.identity.subscriberIdFor(feedToken);
  deps.logger.appendKeys({ subscriberId });
  return { subscriberId, feedToken };
}

/** What the ICS service says of the token; a "valid" seen lately in this container is not asked again. */
export async function feedVerdict(
  deps: FeedCheckDependencies,
  identified: IdentifiedSubscriber,
): Promise<FeedVerdict> {
  return (await checkedFeed(deps, identified)).verdict;
}

/** The verdict with the feed's calendar name, from the same download (or the same cached verdict). */
export async function checkedFeed(
  deps: FeedCheckDependencies,
  { subscriberId, feedToken }: IdentifiedSubscriber,
): Promise<FeedCheckResult> {
  if (deps.validTokens.isValid(subscriberId)) {
    const calendarName = deps.validTokens.calendarNameOf(subscriberId);
    return { verdict: 'valid', ...(calendarName === undefined ? {} : { calendarName }) };
  }
  const result = await checkFeed(deps.feeds, feedUrlFor(deps.config.feed.urlTemplate, feedToken));
  if (result.verdict === 'valid') deps.validTokens.rememberValid(subscriberId, result.calendarName);
  return result;
}

export function feedRefusal(verdict: Exclude<FeedVerdict, 'valid'>): Refusal<RefusalCode> {
  return refusal(verdict === 'invalid' ? 'invalid_token' : 'feed_unavailable');
}

/**
 * Whether the connection was made with this very feed token: its stored (encrypted) copy equals the presented
 * one, compared in constant time. An unreadable copy counts as no match.
 */
export async function connectionHoldsFeedToken(
  deps: Pick<OAuthDependencies, 'cipher' | 'logger'>,
  connection: Connection,
  feedToken: string,
): Promise<boolean> {
  let stored: string;
  try {
    stored = await deps.cipher.decrypt(connection.feedTokenCiphertext, {
      subscriberId: connection.subscriberId,
      purpose: 'feed_token',
    });
  } catch (error) {
    deps.logger.warn('stored feed token unreadable', describeError(error));
    return false;
  }
  // Equal-length digests: timingSafeEqual needs equal lengths, and the length of the token stays hidden too.
  return timingSafeEqual(digest(stored), digest(feedToken));
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
