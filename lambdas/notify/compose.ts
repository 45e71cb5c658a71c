/**
 * The change-notification function's composition: its dependencies from its configuration, once per warm
 * container and only when first needed. No Google access: this bundle carries none of Google's client code.
 */
import { SubscriberIdentity } from '../shared/adapters/crypto/subscriber-identity.ts';
import { DynamoConnectionStore } from '../shared/adapters/dynamodb/connection-store.ts';
import { DynamoNonceStore } from '../shared/adapters/dynamodb/nonce-store.ts';
import { DynamoRateLimitStore } from '../shared/adapters/dynamodb/rate-limit-store.ts';
import { RateLimiter } from '../shared/adapters/http/rate-limiter.ts';
import { SqsSyncQueue } from '../shared/adapters/sqs/sqs-sync-queue.ts';
import { dynamoClient, sqsClient } from '../shared/wiring/aws-clients.ts';
import { builtOnce } from '../shared/wiring/built-once.ts';
import { dateNow, systemClock } from '../shared/wiring/clock.ts';
import { serviceLogger } from '../shared/wiring/logger.ts';
import type { WiringOverrides } from '../shared/wiring/overrides.ts';
import { hostKeyRing, secretLoader } from '../shared/wiring/secrets.ts';
import { type NotifyConfig, parseNotifyConfig } from './config.ts';
import type { NotifyDependencies } from './dependencies.ts';

/** The change-notification function's dependencies. */
export function buildNotifyServices(
  config: NotifyConfig,
  overrides: WiringOverrides = {},
): NotifyDependencies {
  const now = dateNow(overrides.clock ?? systemClock);
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

/** Built on first use from the environment, once per container. */
export const notifyDependencies: () => NotifyDependencies = builtOnce(() =>
  buildNotifyServices(parseNotifyConfig(process.env)),
);
