/**
 * The scheduled jobs' composition (the sync tick and the retention purge share it): their dependencies from
 * their configuration, once per warm container and only when first needed. No Google access.
 */
import { DynamoConnectionStore } from '../shared/adapters/dynamodb/connection-store.ts';
import { DynamoEventMapStore } from '../shared/adapters/dynamodb/event-map-store.ts';
import { DynamoSyncStateStore } from '../shared/adapters/dynamodb/sync-state-store.ts';
import { SqsSweepQueue } from '../shared/adapters/sqs/sqs-sweep-queue.ts';
import { dynamoClient, sqsClient } from '../shared/wiring/aws-clients.ts';
import { builtOnce } from '../shared/wiring/built-once.ts';
import { dateNow, systemClock } from '../shared/wiring/clock.ts';
import { serviceLogger } from '../shared/wiring/logger.ts';
import type { WiringOverrides } from '../shared/wiring/overrides.ts';
import { parseSchedulerConfig, type SchedulerConfig } from './config.ts';
import type { SchedulerDependencies } from './dependencies.ts';

/** The scheduled jobs' dependencies. */
export function buildSchedulerServices(
  config: SchedulerConfig,
  overrides: WiringOverrides = {},
): SchedulerDependencies {
  const dynamo = dynamoClient(config.aws, overrides);
  const connections = new DynamoConnectionStore(dynamo, config.tables.connections);
  const syncState = new DynamoSyncStateStore(dynamo, config.tables.syncState);
  return {
    connections,
    sweepQueue: new SqsSweepQueue(sqsClient(config.aws, overrides), config.sweepQueueUrl),
    eventMap: new DynamoEventMapStore(dynamo, config.tables.eventMap),
    syncState,
    projectQuota: syncState,
    logger: overrides.logger ?? serviceLogger(),
    now: dateNow(overrides.clock ?? systemClock),
    settings: {
      intervalSeconds: config.schedule.intervalSeconds,
      needsReauthDays: config.retention.needsReauthDays,
    },
  };
}

/** Built on first use from the environment, once per container. */
export const schedulerDependencies: () => SchedulerDependencies = builtOnce(() =>
  buildSchedulerServices(parseSchedulerConfig(process.env)),
);
