/**
 * The one composition root: builds every adapter from the validated configuration (KMS or local cipher,
 * Secrets Manager or environment credentials, Google or the emulator), once per warm container and only when
 * first needed. Tests call `buildServices` with their own clients (dynalite, fauxqs) and clock.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { FeedCheck, FeedVerdict, OAuthDependencies } from '../oauth/dependencies.ts';
import { SubscriberIdentity } from '../oauth/feed-token.ts';
import { ValidTokenCache } from '../oauth/valid-token-cache.ts';
import { createCipher } from './adapters/crypto/create-cipher.ts';
import { DynamoConnectionStore } from './adapters/dynamodb/connection-store.ts';
import { DynamoEventMapStore } from './adapters/dynamodb/event-map-store.ts';
import { DynamoOAuthStateStore } from './adapters/dynamodb/oauth-state-store.ts';
import { DynamoRateLimitStore } from './adapters/dynamodb/rate-limit-store.ts';
import { DynamoSyncStateStore } from './adapters/dynamodb/sync-state-store.ts';
import { HttpFeedSource } from './adapters/feed/http-feed-source.ts';
import { CachingAccessTokenProvider } from './adapters/google/access-token-provider.ts';
import { GoogleCalendarProvisioner } from './adapters/google/calendar-provisioner.ts';
import { GoogleOAuthClient } from './adapters/google/oauth-client.ts';
import { RateLimiter } from './adapters/http/rate-limiter.ts';
import {
  EnvironmentGoogleClientCredentials,
  SecretsManagerGoogleClientCredentials,
} from './adapters/secrets/google-client-credentials.ts';
import { SqsSyncQueue } from './adapters/sqs/sqs-sync-queue.ts';
import { type Config, config as loadConfig, type SecretSource } from './config.ts';
import { FeedError, type FeedErrorReason } from './domain/feed-error.ts';
import type { FeedSource } from './ports/feed-source.ts';

/** Everything the functions use. The sync worker and the scheduler add their parts here. */
export type Services = OAuthDependencies & { feeds: FeedSource };

/** Replaceable parts: AWS clients pointed at emulators, a test clock, a captured logger, the environment. */
export interface ServiceOverrides {
  dynamo?: DynamoDBClient;
  sqs?: SQSClient;
  kms?: KMSClient;
  secretsManager?: SecretsManagerClient;
  feeds?: FeedSource;
  now?: () => Date;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

let containerLogger: Logger | undefined;

/**
 * The container's one Powertools Logger (service name from POWERTOOLS_SERVICE_NAME, level from
 * POWERTOOLS_LOG_LEVEL): handlers and adapters share it, so keys such as the subscriber id reach every line.
 */
export function serviceLogger(): Logger {
  containerLogger ??= new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ics-google-sync' });
  return containerLogger;
}

export function buildServices(config: Config, overrides: ServiceOverrides = {}): Services {
  const now = overrides.now ?? (() => new Date());
  const logger = overrides.logger ?? serviceLogger();
  const dynamo =
    overrides.dynamo ??
    new DynamoDBClient(config.aws.dynamodbEndpoint ? { endpoint: config.aws.dynamodbEndpoint } : {});
  const sqs =
    overrides.sqs ?? new SQSClient(config.aws.sqsEndpoint ? { endpoint: config.aws.sqsEndpoint } : {});
  const cipher = createCipher(config.cipher, () => overrides.kms ?? new KMSClient({}));
  const identity = new SubscriberIdentity(secretLoader(config.subscriberIdSecret, overrides.secretsManager));
  const credentials =
    config.google.credentials.kind === 'secrets_manager'
      ? new SecretsManagerGoogleClientCredentials({
          secretId: config.google.credentials.secretId,
          ...(overrides.secretsManager ? { client: overrides.secretsManager } : {}),
        })
      : new EnvironmentGoogleClientCredentials(overrides.env ?? process.env);
  const oauth = new GoogleOAuthClient({
    credentials,
    endpoints: config.google.endpoints,
    redirectUri: config.oauth.redirectUri,
  });
  const connections = new DynamoConnectionStore(dynamo, config.tables.connections);
  const feeds = overrides.feeds ?? new HttpFeedSource();
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
    provisioner: new GoogleCalendarProvisioner({ rootUrl: config.google.endpoints.calendarRootUrl }),
    accessTokens: new CachingAccessTokenProvider({
      connections,
      cipher,
      oauth,
      refreshMarginMs: config.google.accessTokenRefreshMarginSeconds * 1000,
      now,
      onNeedsReauth: (subscriberId) =>
        logger.warn('Google refused the refresh token: connection needs re-authorisation', { subscriberId }),
    }),
    feeds,
    checkFeed: feedCheck(feeds),
    validTokens: new ValidTokenCache({ ttlMs: config.feed.validTokenCacheSeconds * 1000, now }),
    syncQueue: new SqsSyncQueue(sqs, config.syncQueueUrl),
    eventMap: new DynamoEventMapStore(dynamo, config.tables.eventMap),
    syncState: new DynamoSyncStateStore(dynamo, config.tables.syncState),
    now,
    logger,
  };
}

/** A secret read once per container: from Secrets Manager in AWS, from the environment locally. */
function secretLoader(source: SecretSource, client: SecretsManagerClient | undefined): () => Promise<string> {
  if (source.kind === 'environment') return async () => source.value;
  const provider = new SecretsProvider(client ? { awsSdkV3Client: client } : {});
  return async () => {
    const value = await provider.get(source.secretId, { maxAge: Number.MAX_SAFE_INTEGER });
    if (typeof value !== 'string' || value.length < 32) {
      throw new Error('the subscriber id secret is missing or shorter than 32 characters');
    }
    return value;
  };
}

/**
 * A feed token is valid when its URL answers with a calendar. The service refusing it (4xx) or answering
 * something else means an unknown or revoked token; no or a broken answer means "try later". A feed over the
 * size cap still proves the token (the sync reports the size).
 */
export function feedCheck(feeds: FeedSource): FeedCheck {
  return async (feedUrl) => {
    try {
      await feeds.fetch(feedUrl);
      return 'valid';
    } catch (error) {
      if (!(error instanceof FeedError)) throw error;
      return FEED_VERDICTS[error.reason](error.httpStatus);
    }
  };
}

const transientStatus = (status: number | undefined) =>
  status === undefined || status === 408 || status === 429 || status >= 500;

const FEED_VERDICTS: Record<FeedErrorReason, (status: number | undefined) => FeedVerdict> = {
  http_status: (status) => (transientStatus(status) ? 'unavailable' : 'invalid'),
  not_a_calendar: () => 'invalid',
  empty: () => 'invalid',
  bad_location: () => 'invalid',
  unreadable_file: () => 'invalid',
  too_large: () => 'valid',
  partial_content: () => 'unavailable',
  truncated: () => 'unavailable',
  timeout: () => 'unavailable',
  network: () => 'unavailable',
  too_many_redirects: () => 'unavailable',
};

let services: Services | undefined;

/** The services of this container, built on first use from the environment. */
export function containerServices(): Services {
  services ??= buildServices(loadConfig());
  return services;
}

export const oauthDependencies = (): OAuthDependencies => containerServices();
