/**
 * The sync worker's configuration (one SQS message, one subscriber's sync): its schema and parser, over only the
 * variables it reads.
 */
import * as z from 'zod';
import type { HorizonSpan } from '../shared/domain/ics/horizon.ts';
import {
  type AwsConfig,
  awsConfig,
  awsVariables,
  type CipherConfig,
  cipherConfig,
  feedUrlTemplate,
  type GoogleConfig,
  googleAccessProblems,
  googleAccessVariables,
  googleConfig,
  type HostEventsConfig,
  hostEventsConfig,
  hostEventsProblems,
  hostEventVariables,
  hostKeysText,
  httpUrl,
  nonNegativeInt,
  optionalText,
  positiveInt,
  type SubscriberTables,
  subscriberTables,
  subscriberTableVariables,
  syncIntervalMinutes,
  syncPolicy,
  syncPolicyVariables,
  timeZone,
  validated,
} from '../shared/wiring/config-parts.ts';

/** Google's per-project Calendar API quota (requests per minute) unless the project was granted more. */
export const DEFAULT_GOOGLE_PROJECT_QUOTA_PER_MINUTE = 10_000;
export {
  DEFAULT_SYNC_AUDIT_INTERVAL_HOURS,
  DEFAULT_SYNC_MAX_UNITS_PER_DAY,
} from '../shared/wiring/config-parts.ts';
/**
 * Subscribers one worker invocation syncs at once. Most of a sync is waiting (for its per-user pace, for Google,
 * for the feed), so a few at once use one invocation's time and memory better; the project's budget, not the
 * invocations' count, keeps them all within the project's quota.
 */
export const DEFAULT_SYNC_PARALLEL_SUBSCRIBERS = 4;

/** The sync worker: one SQS message, one subscriber's sync. */
export interface SyncWorkerConfig {
  tables: SubscriberTables & { rateLimits?: string };
  feed: { urlTemplate: string };
  /** The zone for floating times in feeds without X-WR-TIMEZONE: the dedicated calendar's zone. */
  calendar: { timeZone: string };
  google: GoogleConfig;
  cipher: CipherConfig;
  /** Where continuations and busy retries go (the queue the worker reads). */
  syncQueueUrl: string;
  sync: {
    /** The schedule's interval: a scheduled request for a subscriber synced more recently is skipped. */
    intervalSeconds: number;
    /** Kept free at the end of an invocation: no Google write starts later than the remaining time minus this. */
    timeMarginSeconds: number;
    /** Delay of the message that continues a sync the time budget cut short. */
    continueDelaySeconds: number;
    /** Delay of the message that retries a subscriber whose sync was already running. */
    busyRetryDelaySeconds: number;
    /** Google's Calendar quota of the whole project, per minute. */
    projectQuotaPerMinute: number;
    /** Messages of a batch synced at once. */
    parallelSubscribers: number;
    /** What a sync reaches: days back and months ahead (events outside it are left alone). */
    horizon: HorizonSpan;
    /** How often a sync audits the calendar (and every "Sync now" does). */
    auditIntervalHours: number;
    /** Google quota units one subscriber's syncs may spend per UTC day; then its sync waits for the next day. */
    maxUnitsPerDay: number;
  };
  hostEvents?: HostEventsConfig;
  aws: AwsConfig;
}

const syncWorkerSchema = z.object({
  ...awsVariables,
  ...subscriberTableVariables,
  ...googleAccessVariables,
  FEED_URL_TEMPLATE: feedUrlTemplate,
  CALENDAR_TIME_ZONE: timeZone.default('UTC'),
  SYNC_QUEUE_URL: httpUrl,
  SYNC_INTERVAL_MINUTES: syncIntervalMinutes,
  SYNC_TIME_MARGIN_SECONDS: positiveInt(60),
  SYNC_CONTINUE_DELAY_SECONDS: nonNegativeInt(2).refine((seconds) => seconds <= 900, 'must be at most 900'),
  SYNC_BUSY_RETRY_SECONDS: nonNegativeInt(60).refine((seconds) => seconds <= 900, 'must be at most 900'),
  GOOGLE_PROJECT_QUOTA_PER_MINUTE: positiveInt(DEFAULT_GOOGLE_PROJECT_QUOTA_PER_MINUTE),
  // The table of the project's quota budget (lambdas/shared/adapters/dynamodb/project-quota-budget.ts). The stack
  // always sets it; without it each sync keeps only its own pace (local runs, a single writer).
  RATE_LIMITS_TABLE: optionalText,
  SYNC_PARALLEL_SUBSCRIBERS: positiveInt(DEFAULT_SYNC_PARALLEL_SUBSCRIBERS).refine(
    (count) => count <= 10,
    'must be at most 10',
  ),
  ...syncPolicyVariables,
  ...hostEventVariables,
  HOST_KEYS_SECRET_ARN: optionalText,
  HOST_KEYS: hostKeysText,
});

/** The variables the sync worker reads (the stack's drift test holds its environment to them). */
export const SYNC_WORKER_VARIABLES = Object.keys(syncWorkerSchema.shape);

/** The sync worker's configuration; throws ConfigError listing every missing or invalid variable. */
export function parseSyncWorkerConfig(env: NodeJS.ProcessEnv): SyncWorkerConfig {
  const e = validated(syncWorkerSchema, env, (raw) => [
    ...googleAccessProblems(raw),
    ...hostEventsProblems(raw),
  ]);
  return {
    tables: {
      ...subscriberTables(e),
      ...(e.RATE_LIMITS_TABLE !== undefined ? { rateLimits: e.RATE_LIMITS_TABLE } : {}),
    },
    feed: { urlTemplate: e.FEED_URL_TEMPLATE },
    calendar: { timeZone: e.CALENDAR_TIME_ZONE },
    google: googleConfig(e),
    cipher: cipherConfig(e),
    syncQueueUrl: e.SYNC_QUEUE_URL,
    sync: {
      intervalSeconds: e.SYNC_INTERVAL_MINUTES * 60,
      timeMarginSeconds: e.SYNC_TIME_MARGIN_SECONDS,
      continueDelaySeconds: e.SYNC_CONTINUE_DELAY_SECONDS,
      busyRetryDelaySeconds: e.SYNC_BUSY_RETRY_SECONDS,
      projectQuotaPerMinute: e.GOOGLE_PROJECT_QUOTA_PER_MINUTE,
      parallelSubscribers: e.SYNC_PARALLEL_SUBSCRIBERS,
      ...syncPolicy(e),
    },
    ...hostEventsConfig(e),
    aws: awsConfig(e),
  };
}
