/**
 * The check's composition: its dependencies from its configuration, once per warm container and only when first
 * needed. Tests and benchmarks call `buildCheckServices` with their own clients, clock and feed source. No Google
 * client: a check never calls Google.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { KMSClient } from '@aws-sdk/client-kms';
import { createCipher } from '../shared/adapters/crypto/create-cipher.ts';
import { DynamoCheckStateWriter } from '../shared/adapters/dynamodb/check-state-writer.ts';
import { DynamoDataKeyStore } from '../shared/adapters/dynamodb/data-key-store.ts';
import { DynamoSweepSource } from '../shared/adapters/dynamodb/sweep-source.ts';
import { HttpFeedSource } from '../shared/adapters/feed/http-feed-source.ts';
import { PowertoolsCheckMetrics } from '../shared/adapters/metrics/powertools-check-metrics.ts';
import { SqsSweepQueue } from '../shared/adapters/sqs/sqs-sweep-queue.ts';
import { SqsSyncQueue } from '../shared/adapters/sqs/sqs-sync-queue.ts';
import { horizonAround } from '../shared/domain/ics/horizon.ts';
import { dynamoClient, sqsClient } from '../shared/wiring/aws-clients.ts';
import { builtOnce } from '../shared/wiring/built-once.ts';
import { dateNow, systemClock } from '../shared/wiring/clock.ts';
import { serviceLogger } from '../shared/wiring/logger.ts';
import type { WiringOverrides } from '../shared/wiring/overrides.ts';
import { type CheckConfig, parseCheckConfig } from './config.ts';
import type { CheckDependencies } from './dependencies.ts';

/** The check's extra replaceable parts. */
export interface CheckOverrides extends WiringOverrides {
  metrics?: Metrics;
}

/** The check's dependencies. */
export function buildCheckServices(config: CheckConfig, overrides: CheckOverrides = {}): CheckDependencies {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? serviceLogger();
  const dynamo = dynamoClient(config.aws, overrides);
  const sqs = sqsClient(config.aws, overrides);
  // Envelope encryption when the data-key table is configured (always in AWS): a container unwraps each data key
  // once, so checks make no KMS call.
  const dataKeys = config.cipher.dataKeys
    ? new DynamoDataKeyStore(dynamo, config.cipher.dataKeys)
    : undefined;
  const cipher = createCipher(config.cipher, () => overrides.kms ?? new KMSClient({}), dataKeys, {
    now: dateNow(clock),
  });
  const metrics =
    overrides.metrics ??
    new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'IcsGoogleSync' });
  return {
    source: new DynamoSweepSource(dynamo, config.tables),
    stateWriter: new DynamoCheckStateWriter(dynamo, config.tables.syncState),
    feeds: overrides.feeds ?? new HttpFeedSource(),
    cipher,
    syncQueue: new SqsSyncQueue(sqs, config.syncQueueUrl),
    sweepQueue: new SqsSweepQueue(sqs, config.sweepQueueUrl),
    metrics: new PowertoolsCheckMetrics(metrics),
    logger,
    now: dateNow(clock),
    settings: {
      feedUrlTemplate: config.feed.urlTemplate,
      defaultTimeZone: config.calendar.timeZone,
      horizon: (now: Date) => horizonAround(now, config.check.horizon),
      concurrency: config.check.concurrency,
      timeMarginMs: config.check.timeMarginSeconds * 1000,
      auditIntervalMs: config.check.auditIntervalHours * 3_600_000,
      maxUnitsPerDay: config.check.maxUnitsPerDay,
    },
  };
}

/** Built on first use from the environment, once per container. */
export const checkDependencies: () => CheckDependencies = builtOnce(() =>
  buildCheckServices(parseCheckConfig(process.env)),
);
