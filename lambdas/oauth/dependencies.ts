import type { Logger } from '@aws-lambda-powertools/logger';
import type { SubscriberIdentity } from '../shared/adapters/crypto/subscriber-identity.ts';
import type { ValidTokenCache } from '../shared/adapters/feed/valid-token-cache.ts';
import type { CalendarProvisioner } from '../shared/ports/calendar-provisioner.ts';
import type { Cipher } from '../shared/ports/cipher.ts';
import type { ConnectionStore } from '../shared/ports/connection-store.ts';
import type { FeedSource } from '../shared/ports/feed-source.ts';
import type { AccessTokenProvider } from '../shared/ports/google-auth.ts';
import type { HostEvents } from '../shared/ports/host-events.ts';
import type { HostKeyRing } from '../shared/ports/host-keys.ts';
import type { NonceStore } from '../shared/ports/nonce-store.ts';
import type { OAuthClient } from '../shared/ports/oauth-client.ts';
import type { OAuthStateStore } from '../shared/ports/oauth-state-store.ts';
import type { RequestRateLimiter } from '../shared/ports/request-rate-limiter.ts';
import type { SweepRecords } from '../shared/ports/sweep-source.ts';
import type { SyncQueue } from '../shared/ports/sync-queue.ts';
import type { EventMapStore, SyncLeaseStore, SyncStateStore } from '../shared/ports/sync-stores.ts';
import type { OAuthConfig, RateLimitedRoute } from './config.ts';

/** Access tokens, plus what the connect flow and disconnect do with the warm cache. */
interface AccessTokens extends AccessTokenProvider {
  /** `refreshTokenCiphertext`: the stored refresh token the access token belongs to (the cache's key). */
  remember(
    subscriberId: string,
    refreshTokenCiphertext: string,
    accessToken: string,
    expiresAt: number,
  ): void;
  forget(subscriberId: string): void;
}

/**
 * What the OAuth use cases need; its composition (compose.ts) builds it from its configuration. Each use case takes
 * only the part it uses.
 */
export interface OAuthDependencies {
  config: OAuthConfig;
  identity: SubscriberIdentity;
  connections: ConnectionStore;
  oauthStates: OAuthStateStore;
  rateLimiter: RequestRateLimiter<RateLimitedRoute>;
  cipher: Cipher;
  oauth: OAuthClient;
  provisioner: CalendarProvisioner;
  accessTokens: AccessTokens;
  /** Where a feed token is proven: its feed must answer with a calendar (feed-check.ts). */
  feeds: FeedSource;
  /** Feed tokens seen valid lately in this container (positive verdicts only). */
  validTokens: ValidTokenCache;
  /** The host's keys and the used intent nonces; absent with CONNECT_INTENTS=token_only (nothing checked). */
  intents?: { hostKeys: HostKeyRing; nonces: NonceStore };
  syncQueue: SyncQueue;
  eventMap: EventMapStore;
  /** The lease keeps a disconnect or a purge from overlapping a running sync. */
  /** With when the check last swept the subscriber's shard (the status view's `lastCheckedAt`). */
  syncState: SyncStateStore & SyncLeaseStore & SweepRecords;
  now: () => Date;
  /** Tells the host about connects, disconnects and lost connections (optional: HOST_EVENTS_URL). */
  hostEvents?: HostEvents;
  logger: Logger;
}
