import type { Logger } from '@aws-lambda-powertools/logger';
import type { RateLimiter } from '../shared/adapters/http/rate-limiter.ts';
import type { OAuthConfig } from '../shared/config.ts';
import type { CalendarProvisioner } from '../shared/ports/calendar-provisioner.ts';
import type { Cipher } from '../shared/ports/cipher.ts';
import type { ConnectionStore } from '../shared/ports/connection-store.ts';
import type { AccessTokenProvider } from '../shared/ports/google-auth.ts';
import type { OAuthClient } from '../shared/ports/oauth-client.ts';
import type { OAuthStateStore } from '../shared/ports/oauth-state-store.ts';
import type { SyncQueue } from '../shared/ports/sync-queue.ts';
import type { EventMapStore, SyncStateStore } from '../shared/ports/sync-stores.ts';
import type { SubscriberIdentity } from './feed-token.ts';
import type { ValidTokenCache } from './valid-token-cache.ts';

/**
 * Whether a feed URL answers with a calendar: `invalid` when the feed service refuses it or answers something
 * that is not a calendar (unknown or revoked token), `unavailable` when it could not be asked.
 */
export type FeedVerdict = 'valid' | 'invalid' | 'unavailable';
export type FeedCheck = (feedUrl: string) => Promise<FeedVerdict>;

/** Access tokens, plus what the connect flow and disconnect do with the warm cache. */
export interface AccessTokens extends AccessTokenProvider {
  /** `refreshTokenCiphertext`: the stored refresh token the access token belongs to (the cache's key). */
  remember(
    subscriberId: string,
    refreshTokenCiphertext: string,
    accessToken: string,
    expiresAt: number,
  ): void;
  forget(subscriberId: string): void;
}

/** What the OAuth use cases need; the composition root builds it from the configuration. */
export interface OAuthDependencies {
  config: OAuthConfig;
  identity: SubscriberIdentity;
  connections: ConnectionStore;
  oauthStates: OAuthStateStore;
  rateLimiter: RateLimiter;
  cipher: Cipher;
  oauth: OAuthClient;
  provisioner: CalendarProvisioner;
  accessTokens: AccessTokens;
  checkFeed: FeedCheck;
  /** Feed tokens seen valid lately in this container (positive verdicts only). */
  validTokens: ValidTokenCache;
  syncQueue: SyncQueue;
  eventMap: EventMapStore;
  syncState: SyncStateStore;
  now: () => Date;
  logger: Logger;
}
