/**
 * The one composition root: builds each function's adapters from its validated configuration (KMS or local
 * cipher, Secrets Manager or environment credentials, Google or the emulator), once per warm container and only
 * when first needed. Tests call the `build...` functions with their own clients (dynalite, fauxqs) and clock.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { NotifyDependencies } from '../notify/dependencies.ts';
import type { SchedulerDependencies } from '../scheduler/dependencies.ts';
import type { Clock } from '../sync/clock.ts';
import type { SyncWorkerDependencies } from '../sync/dependencies.ts';
import type { SyncSettings } from '../sync/sync-subscriber.ts';
import { createCipher } from './adapters/crypto/create-cipher.ts';
import { SubscriberIdentity } from './adapters/crypto/subscriber-identity.ts';
import { DynamoConnectionStore } from './adapters/dynamodb/connection-store.ts';
import { DynamoDataKeyStore } from './adapters/dynamodb/data-key-store.ts';
import { DynamoEventMapStore } from './adapters/dynamodb/event-map-store.ts';
import { DynamoNonceStore } from './adapters/dynamodb/nonce-store.ts';
import { DynamoOAuthStateStore } from './adapters/dynamodb/oauth-state-store.ts';
import { DynamoRateLimitStore } from './adapters/dynamodb/rate-limit-store.ts';
import { DynamoSyncStateStore } from './adapters/dynamodb/sync-state-store.ts';
import { HttpFeedSource } from './adapters/feed/http-feed-source.ts';
import { ValidTokenCache } from './adapters/feed/valid-token-cache.ts';
import { CachingAccessTokenProvider } from './adapters/google/access-token-provider.ts';
import { GoogleCalendarGateway } from './adapters/google/calendar-gateway.ts';
import { GoogleCalendarProvisioner } from './adapters/google/calendar-provisioner.ts';
import { endpointsUnder, GOOGLE_ENDPOINTS, type GoogleEndpoints } from './adapters/google/endpoints.ts';
import { GoogleOAuthClient } from './adapters/google/oauth-client.ts';
import { SignedHostEvents } from './adapters/http/host-events.ts';
import { RateLimiter } from './adapters/http/rate-limiter.ts';
import { PowertoolsSyncMetrics } from './adapters/metrics/powertools-sync-metrics.ts';
import {
  EnvironmentGoogleClientCredentials,
  SecretsManagerGoogleClientCredentials,
} from './adapters/secrets/google-client-credentials.ts';
import { SecretsManagerHostKeyRing, StaticHostKeyRing } from './adapters/secrets/host-keys.ts';
import { SqsSyncQueue } from './adapters/sqs/sqs-sync-queue.ts';
import {
  type AwsConfig,
  type GoogleConfig,
  type HostEventsConfig,
  type HostKeysSource,
  type NotifyConfig,
  notifyConfig,
  type OAuthConfig,
  oauthConfig,
  type RateLimitedRoute,
  type SchedulerConfig,
  type SecretSource,
  type SyncWorkerConfig,
  schedulerConfig,
  syncWorkerConfig,
} from './config.ts';
import { horizonAround } from './domain/ics/horizon.ts';
import type { CalendarProvisioner } from './ports/calendar-provisioner.ts';
import type { Cipher } from './ports/cipher.ts';
import type { ConnectionStore } from './ports/connection-store.ts';
import type { FeedSource } from './ports/feed-source.ts';
import type { HostEvents } from './ports/host-events.ts';
import type { HostKeyRing } from './ports/host-keys.ts';
import type { NonceStore } from './ports/nonce-store.ts';
import type { OAuthClient } from './ports/oauth-client.ts';
import type { OAuthStateStore } from './ports/oauth-state-store.ts';
import type { RequestRateLimiter } from './ports/request-rate-limiter.ts';
import type { SyncQueue } from './ports/sync-queue.ts';
import type { EventMapStore, SyncLeaseStore, SyncStateStore } from './ports/sync-stores.ts';

/**
 * What the OAuth routes are built with. Declared here, not imported: shared code knows nothing of the OAuth
 * function, whose dependencies (lambdas/oauth/dependencies.ts) take this.
 */
export interface Services {
  config: OAuthConfig;
  identity: SubscriberIdentity;
  connections: ConnectionStore;
  oauthStates: OAuthStateStore;
  rateLimiter: RequestRateLimiter<RateLimitedRoute>;
  cipher: Cipher;
  oauth: OAuthClient;
  provisioner: CalendarProvisioner;
  /** Access tokens, with the warm cache the connect flow fills and disconnect empties. */
  accessTokens: CachingAccessTokenProvider;
  feeds: FeedSource;
  validTokens: ValidTokenCache;
  intents?: { hostKeys: HostKeyRing; nonces: NonceStore };
  syncQueue: SyncQueue;
  eventMap: EventMapStore;
  syncState: SyncStateStore & SyncLeaseStore;
  hostEvents?: HostEvents;
  now: () => Date;
  logger: Logger;
}

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

/** The sync worker's extra replaceable parts. */
export interface SyncWorkerOverrides extends ServiceOverrides {
  metrics?: Metrics;
  /** The engine's clock (pacing and backoff pauses). */
  clock?: Clock;
  /** Engine settings other than the defaults. */
  engine?: Partial<SyncSettings>;
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

const dynamoClient = (aws: AwsConfig, overrides: ServiceOverrides) =>
  overrides.dynamo ?? new DynamoDBClient(aws.dynamodbEndpoint ? { endpoint: aws.dynamodbEndpoint } : {});

const sqsClient = (aws: AwsConfig, overrides: ServiceOverrides) =>
  overrides.sqs ?? new SQSClient(aws.sqsEndpoint ? { endpoint: aws.sqsEndpoint } : {});

const googleEndpoints = (google: GoogleConfig): GoogleEndpoints =>
  google.apiBaseUrl ? endpointsUnder(google.apiBaseUrl) : GOOGLE_ENDPOINTS;

/** The Google OAuth client and the access tokens made with it: what every function acting for a subscriber needs. */
function googleAccess(
  config: { google: GoogleConfig; cipher: OAuthConfig['cipher'] },
  dynamo: DynamoDBClient,
  connections: DynamoConnectionStore,
  overrides: ServiceOverrides,
  redirectUri?: string,
) {
  const now = overrides.now ?? (() => new Date());
  const logger = overrides.logger ?? serviceLogger();
  // Envelope encryption when the data-key table is configured (always in AWS): KMS only unwraps data keys.
  const dataKeys = config.cipher.dataKeys
    ? new DynamoDataKeyStore(dynamo, config.cipher.dataKeys)
    : undefined;
  const cipher: Cipher = createCipher(
    config.cipher,
    () => overrides.kms ?? new KMSClient({}),
    dataKeys,
    overrides.now ? { now: overrides.now } : {},
  );
  const credentials =
    config.google.credentials.kind === 'secrets_manager'
      ? new SecretsManagerGoogleClientCredentials({
          secretId: config.google.credentials.secretId,
          ...(overrides.secretsManager ? { client: overrides.secretsManager } : {}),
        })
      : new EnvironmentGoogleClientCredentials(overrides.env ?? process.env);
  const oauth = new GoogleOAuthClient({
    credentials,
    endpoints: googleEndpoints(config.google),
    ...(redirectUri ? { redirectUri } : {}),
  });
  const accessTokens = new CachingAccessTokenProvider({
    connections,
    cipher,
    oauth,
    refreshMarginMs: config.google.accessTokenRefreshMarginSeconds * 1000,
    now,
    onNeedsReauth: (subscriberId) =>
      logger.warn('Google refused the refresh token: connection needs re-authorisation', { subscriberId }),
  });
  return { cipher, oauth, accessTokens };
}

/** The OAuth routes' services. */
export function buildOAuthServices(config: OAuthConfig, overrides: ServiceOverrides = {}): Services {
  const now = overrides.now ?? (() => new Date());
  const logger = overrides.logger ?? serviceLogger();
  const dynamo = dynamoClient(config.aws, overrides);
  const identity = new SubscriberIdentity(secretLoader(config.subscriberIdSecret, overrides.secretsManager));
  const connections = new DynamoConnectionStore(dynamo, config.tables.connections);
  const { cipher, oauth, accessTokens } = googleAccess(
    config,
    dynamo,
    connections,
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

/** The host's notifications, when configured (HOST_EVENTS_URL). */
function hostEvents(
  config: HostEventsConfig | undefined,
  logger: Logger,
  overrides: ServiceOverrides,
): { hostEvents?: HostEvents } {
  if (!config) return {};
  const keys = hostKeyRing(config.hostKeys, overrides);
  return { hostEvents: new SignedHostEvents({ url: config.url, keyId: config.keyId, keys, logger }) };
}

/** The sync worker's services. */
export function buildSyncWorkerServices(
  config: SyncWorkerConfig,
  overrides: SyncWorkerOverrides = {},
): SyncWorkerDependencies {
  const dynamo = dynamoClient(config.aws, overrides);
  const connections = new DynamoConnectionStore(dynamo, config.tables.connections);
  const { cipher, oauth, accessTokens } = googleAccess(config, dynamo, connections, overrides);
  const workerLogger = overrides.logger ?? serviceLogger();
  const { calendarRootUrl } = googleEndpoints(config.google);
  const metrics =
    overrides.metrics ??
    new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'IcsGoogleSync' });
  // The project's daily-quota cool-down is an item of the sync-state table (see DynamoSyncStateStore).
  const syncState = new DynamoSyncStateStore(dynamo, config.tables.syncState);
  return {
    connections,
    schedule: connections,
    syncState,
    projectQuota: syncState,
    eventMap: new DynamoEventMapStore(dynamo, config.tables.eventMap),
    feeds: overrides.feeds ?? new HttpFeedSource(),
    cipher,
    accessTokens,
    oauth,
    calendarFor: (accessToken) => new GoogleCalendarGateway({ rootUrl: calendarRootUrl, accessToken }),
    syncQueue: new SqsSyncQueue(sqsClient(config.aws, overrides), config.syncQueueUrl),
    metrics: new PowertoolsSyncMetrics(metrics),
    logger: workerLogger,
    ...hostEvents(config.hostEvents, workerLogger, overrides),
    now: overrides.now ?? (() => new Date()),
    ...(overrides.clock ? { clock: overrides.clock } : {}),
    settings: {
      feedUrlTemplate: config.feed.urlTemplate,
      defaultTimeZone: config.calendar.timeZone,
      intervalSeconds: config.sync.intervalSeconds,
      timeMarginMs: config.sync.timeMarginSeconds * 1000,
      continueDelaySeconds: config.sync.continueDelaySeconds,
      busyRetryDelaySeconds: config.sync.busyRetryDelaySeconds,
      engine: {
        horizon: (now: Date) => horizonAround(now, config.sync.horizon),
        auditIntervalMs: config.sync.auditIntervalHours * 3_600_000,
        maxUnitsPerDay: config.sync.maxUnitsPerDay,
        ...overrides.engine,
      },
    },
  };
}

/** The change-notification function's services. */
export function buildNotifyServices(
  config: NotifyConfig,
  overrides: ServiceOverrides = {},
): NotifyDependencies {
  const now = overrides.now ?? (() => new Date());
  const dynamo = dynamoClient(config.aws, overrides);
  const identity = new SubscriberIdentity(secretLoader(config.subscriberIdSecret, overrides.secretsManager));
  const counters = new DynamoRateLimitStore(dynamo, config.tables.rateLimits);
  return {
    config,
    identity,
    hostKeys: hostKeyRing(config.hostKeys, overrides),
    nonces: new DynamoNonceStore(dynamo, config.tables.hostNonces),
    subscribers: new DynamoConnectionStore(dynamo, config.tables.connections),
    rateLimiter: new RateLimiter({
      store: counters,
      limits: config.rateLimits,
      hashIp: (ip) => identity.ipKey(ip),
      now,
    }),
    notificationCounters: counters,
    syncQueue: new SqsSyncQueue(sqsClient(config.aws, overrides), config.syncQueueUrl),
    logger: overrides.logger ?? serviceLogger(),
    now,
  };
}

/** The keys the host signs with (change notifications, connect intents). */
function hostKeyRing(source: HostKeysSource, overrides: ServiceOverrides): HostKeyRing {
  return source.kind === 'secrets_manager'
    ? new SecretsManagerHostKeyRing({
        secretId: source.secretId,
        ...(overrides.secretsManager ? { client: overrides.secretsManager } : {}),
      })
    : StaticHostKeyRing.fromText(source.text);
}

/** The scheduled jobs' services. */
export function buildSchedulerServices(
  config: SchedulerConfig,
  overrides: ServiceOverrides = {},
): SchedulerDependencies {
  const dynamo = dynamoClient(config.aws, overrides);
  const connections = new DynamoConnectionStore(dynamo, config.tables.connections);
  const syncState = new DynamoSyncStateStore(dynamo, config.tables.syncState);
  return {
    schedule: connections,
    connections,
    syncQueue: new SqsSyncQueue(sqsClient(config.aws, overrides), config.syncQueueUrl),
    eventMap: new DynamoEventMapStore(dynamo, config.tables.eventMap),
    syncState,
    projectQuota: syncState,
    logger: overrides.logger ?? serviceLogger(),
    now: overrides.now ?? (() => new Date()),
    settings: {
      intervalSeconds: config.schedule.intervalSeconds,
      needsReauthDays: config.retention.needsReauthDays,
    },
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

/** Built on first use from the environment, once per container. */
function builtOnce<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}

export const oauthDependencies: () => Services = builtOnce(() => buildOAuthServices(oauthConfig()));
export const syncWorkerDependencies: () => SyncWorkerDependencies = builtOnce(() =>
  buildSyncWorkerServices(syncWorkerConfig()),
);
export const notifyDependencies: () => NotifyDependencies = builtOnce(() =>
  buildNotifyServices(notifyConfig()),
);
export const schedulerDependencies: () => SchedulerDependencies = builtOnce(() =>
  buildSchedulerServices(schedulerConfig()),
);
