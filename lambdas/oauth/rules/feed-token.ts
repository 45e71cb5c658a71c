/**
 * The subscriber's identity is the token of their personal ICS URL. The service keeps it only encrypted and keys
 * everything by `subscriberId = HMAC-SHA256(server secret, token)` (SubscriberIdentity, shared with the other
 * functions), so a table read never yields a usable token.
 */

/** URL-safe characters only, of a sensible length: anything else is refused before any work is done. */
const FEED_TOKEN_PATTERN = /^[A-Za-z0-9._~-]{8,256}$/;

export const isWellFormedFeedToken = (token: string): boolean => FEED_TOKEN_PATTERN.test(token);

export { SubscriberIdentity } from '../../shared/adapters/crypto/subscriber-identity.ts';
export { feedUrlFor } from '../../shared/domain/feed-url.ts';
