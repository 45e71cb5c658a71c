/**
 * The sync worker's composition: its dependencies from its configuration, once per warm container and only
 * when first needed. Tests and benchmarks call `buildSyncWorkerServices` with their own clients, clock and
 * engine settings.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoConnectionStore } from '../shared/adapters/dynamodb/connection-store.ts';
import { DynamoEventMapStore } from '../shared/adapters/dynamodb/event-map-store.ts';
import { DynamoProjectQuotaBudget } from '../shared/adapters/dynamodb/project-quota-budget.ts';
import { DynamoSyncStateStore } from '../shared/adapters/dynamodb/sync-state-store.ts';
import { HttpFeedSource } from '../shared/adapters/feed/http-feed-source.ts';
import { GoogleCalendarGateway } from '../shared/adapters/google/calendar-gateway.ts';
import { PowertoolsSyncMetrics } from '../shared/adapters/metrics/powertools-sync-metrics.ts';
import { SqsSyncQueue } from '../shared/adapters/sqs/sqs-sync-queue.ts';
import { horizonAround } from '../shared/domain/ics/horizon.ts';
import {
  DEFAULT_PROJECT_QUOTA_WINDOWS,
  type ProjectQuotaPolicy,
} from '../shared/domain/project-quota-windows.ts';
import { dynamoClient, sqsClient } from '../shared/wiring/aws-clients.ts';
import { builtOnce } from '../shared/wiring/built-once.ts';
import { dateNow, systemClock } from '../shared/wiring/clock.ts';
import { googleAccess, googleEndpoints } from '../shared/wiring/google-access.ts';
import { hostEvents } from '../shared/wiring/host-events.ts';
import { serviceLogger } from '../shared/wiring/logger.ts';
import type { WiringOverrides } from '../shared/wiring/overrides.ts';
import { parseSyncWorkerConfig, type SyncWorkerConfig } from './config.ts';
import type { SyncWorkerDependencies } from './dependencies.ts';
import type { SyncSettings } from './engine/sync-subscriber.ts';

/** The sync worker's extra replaceable parts. */
export interface SyncWorkerOverrides extends WiringOverrides {
  metrics?: Metrics;
  /** Engine settings other than the defaults. */
  engine?: Partial<SyncSettings>;
  /** The project budget's windows other than Google's (benchmarks scale the minute like the emulator's). */
  projectQuotaWindows?: Partial<Omit<ProjectQuotaPolicy, 'quotaPerMinute'>>;
}

/** The sync worker's dependencies. */
export function buildSyncWorkerServices(
  config: SyncWorkerConfig,
  overrides: SyncWorkerOverrides = {},
): SyncWorkerDependencies {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? serviceLogger();
  const dynamo = dynamoClient(config.aws, overrides);
  const connections = new DynamoConnectionStore(dynamo, config.tables.connections);
  const { cipher, oauth, accessTokens } = googleAccess(
    config,
    { dynamo, connections, clock, logger },
    overrides,
  );
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
    // One budget per container: its concurrent syncs spend from the same reservations.
    ...(config.tables.rateLimits !== undefined
      ? {
          projectBudget: new DynamoProjectQuotaBudget(
            dynamo,
            config.tables.rateLimits,
            {
              ...DEFAULT_PROJECT_QUOTA_WINDOWS,
              ...overrides.projectQuotaWindows,
              quotaPerMinute: config.sync.projectQuotaPerMinute,
            },
            clock,
          ),
        }
      : {}),
    eventMap: new DynamoEventMapStore(dynamo, config.tables.eventMap),
    feeds: overrides.feeds ?? new HttpFeedSource(),
    cipher,
    accessTokens,
    oauth,
    calendarFor: (accessToken, tokenRefused) =>
      new GoogleCalendarGateway({
        rootUrl: calendarRootUrl,
        accessToken,
        ...(tokenRefused ? { tokenRefused } : {}),
      }),
    syncQueue: new SqsSyncQueue(sqsClient(config.aws, overrides), config.syncQueueUrl),
    metrics: new PowertoolsSyncMetrics(metrics),
    logger,
    ...hostEvents(config.hostEvents, logger, overrides),
    now: dateNow(clock),
    clock,
    settings: {
      feedUrlTemplate: config.feed.urlTemplate,
      defaultTimeZone: config.calendar.timeZone,
      intervalSeconds: config.sync.intervalSeconds,
      timeMarginMs: config.sync.timeMarginSeconds * 1000,
      continueDelaySeconds: config.sync.continueDelaySeconds,
      busyRetryDelaySeconds: config.sync.busyRetryDelaySeconds,
      parallelSubscribers: config.sync.parallelSubscribers,
      engine: {
        horizon: (now: Date) => horizonAround(now, config.sync.horizon),
        auditIntervalMs: config.sync.auditIntervalHours * 3_600_000,
        maxUnitsPerDay: config.sync.maxUnitsPerDay,
        ...overrides.engine,
      },
    },
  };
}

/** Built on first use from the environment, once per container. */
export const syncWorkerDependencies: () => SyncWorkerDependencies = builtOnce(() =>
  buildSyncWorkerServices(parseSyncWorkerConfig(process.env)),
);
