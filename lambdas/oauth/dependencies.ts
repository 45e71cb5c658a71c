import type { Logger } from '@aws-lambda-powertools/logger';
import type { RateLimiter } from '../shared/adapters/http/rate-limiter.ts';
import type { OAuthConfig } from '../shared/config.ts';
import type { CalendarProvisioner } from '../shared/ports/calendar-provisioner.ts';
import type { Cipher } from '../shared/ports/cipher.ts';
import type { ConnectionStore } from '../shared/ports/connection-store.ts';
import type { AccessTokenProvider } from '../shared/ports/google-auth.ts';
import type { HostEvents } from '../shared/ports/host-events.ts';
import type { HostKeyRing } from '../shared/ports/host-keys.ts';
import type { NonceStore } from '../shared/ports/nonce-store.ts';
import type { OAuthClient } from '../shared/ports/oauth-client.ts';
import type { OAuthStateStore } from '../shared/ports/oauth-state-store.ts';
import type { SyncQueue } from '../shared/ports/sync-queue.ts';
import type { EventMapStore, SyncLeaseStore, SyncStateStore } from '../shared/ports/sync-stores.ts';
import type { SubscriberIdentity } from './feed-token.ts';
import type { ValidTokenCache } from './valid-token-cache.ts';

/**
 * Whether a feed URL answers with a calendar: `invalid` when the feed service refuses it or answers something
 * that is not a calendar (unknown or revoked token), `unavailable` when it could not be asked.
 */
export type FeedVerdict = 'valid' | 'invalid' | 'unavailable';
/** The verdict, and for a valid feed its X-WR-CALNAME when it has one (the confirmation page names it). */
export interface FeedCheckResult {
  verdict: FeedVerdict;
  calendarName?: string;
}
export type FeedCheck = (feedUrl: string) => Promise<FeedCheckResult>;

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
  /** The host's keys and the used intent nonces; absent with CONNECT_INTENTS=token_only (nothing checked). */
  intents?: { hostKeys: HostKeyRing; nonces: NonceStore };
  syncQueue: SyncQueue;
  eventMap: EventMapStore;
  /** The lease keeps a disconnect or a purge from overlapping a running sync. */
  syncState: SyncStateStore & SyncLeaseStore;
  now: () => Date;
  /** Tells the host about connects, disconnects and lost connections (optional: HOST_EVENTS_URL). */
  hostEvents?: HostEvents;
  logger: Logger;
}
