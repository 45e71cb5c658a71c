/**
 * The OAuth function's composition: its dependencies from its configuration (KMS or local cipher, Secrets
 * Manager or environment credentials, Google or the emulator), once per warm container and only when first
 * needed. Tests, the local run and the operator's tools call `buildOAuthServices` with their own clients and
 * clock.
 */
import { SubscriberIdentity } from '../shared/adapters/crypto/subscriber-identity.ts';
import { DynamoConnectionStore } from '../shared/adapters/dynamodb/connection-store.ts';
import { DynamoEventMapStore } from '../shared/adapters/dynamodb/event-map-store.ts';
import { DynamoNonceStore } from '../shared/adapters/dynamodb/nonce-store.ts';
import { DynamoOAuthStateStore } from '../shared/adapters/dynamodb/oauth-state-store.ts';
import { DynamoRateLimitStore } from '../shared/adapters/dynamodb/rate-limit-store.ts';
import { DynamoSyncStateStore } from '../shared/adapters/dynamodb/sync-state-store.ts';
import { HttpFeedSource } from '../shared/adapters/feed/http-feed-source.ts';
import { ValidTokenCache } from '../shared/adapters/feed/valid-token-cache.ts';
import { GoogleCalendarProvisioner } from '../shared/adapters/google/calendar-provisioner.ts';
import { RateLimiter } from '../shared/adapters/http/rate-limiter.ts';
import { SqsSyncQueue } from '../shared/adapters/sqs/sqs-sync-queue.ts';
import { dynamoClient, sqsClient } from '../shared/wiring/aws-clients.ts';
import { builtOnce } from '../shared/wiring/built-once.ts';
import { dateNow, systemClock } from '../shared/wiring/clock.ts';
import { googleAccess, googleEndpoints } from '../shared/wiring/google-access.ts';
import { hostEvents } from '../shared/wiring/host-events.ts';
import { serviceLogger } from '../shared/wiring/logger.ts';
import type { WiringOverrides } from '../shared/wiring/overrides.ts';
import { hostKeyRing, secretLoader } from '../shared/wiring/secrets.ts';
import { type OAuthConfig, parseOAuthConfig } from './config.ts';
import type { OAuthDependencies } from './dependencies.ts';

/** The OAuth routes' dependencies. */
export function buildOAuthServices(config: OAuthConfig, overrides: WiringOverrides = {}): OAuthDependencies {
  const clock = overrides.clock ?? systemClock;
  const now = dateNow(clock);
  const logger = overrides.logger ?? serviceLogger();
  const dynamo = dynamoClient(config.aws, overrides);
  const identity = new SubscriberIdentity(secretLoader(config.subscriberIdSecret, overrides.secretsManager));
  const connections = new DynamoConnectionStore(dynamo, config.tables.connections);
  const { cipher, oauth, accessTokens } = googleAccess(
    config,
    { dynamo, connections, clock, logger },
    overrides,
    config.oauth.redirectUri,
  );
  return {
    config,
    identity,
    connections,
    oauthStates: new DynamoOAuthStateStore(dynamo, config.tables.oauthStates),
    rateLimiter: new RateLimiter({
      store: new DynamoRateLimitStore(dynamo, config.tables.rateLimits),
      limits: config.rateLimits,
      hashIp: (ip) => identity.ipKey(ip),
      now,
    }),
    cipher,
    oauth,
    provisioner: new GoogleCalendarProvisioner({ rootUrl: googleEndpoints(config.google).calendarRootUrl }),
    accessTokens,
    feeds: overrides.feeds ?? new HttpFeedSource(),
    validTokens: new ValidTokenCache({ ttlMs: config.feed.validTokenCacheSeconds * 1000, now }),
    ...(config.intents.mode === 'required'
      ? {
          intents: {
            hostKeys: hostKeyRing(config.intents.hostKeys, overrides),
            nonces: new DynamoNonceStore(dynamo, config.intents.noncesTable),
          },
        }
      : {}),
    syncQueue: new SqsSyncQueue(sqsClient(config.aws, overrides), config.syncQueueUrl),
    eventMap: new DynamoEventMapStore(dynamo, config.tables.eventMap),
    syncState: new DynamoSyncStateStore(dynamo, config.tables.syncState),
    ...hostEvents(config.hostEvents, logger, overrides),
    now,
    logger,
  };
}

/** Built on first use from the environment, once per container. */
export const oauthDependencies: () => OAuthDependencies = builtOnce(() =>
  buildOAuthServices(parseOAuthConfig(process.env)),
);
