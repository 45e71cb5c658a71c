/**
 * The feed check's configuration (one SQS message, one sweep of a shard of the schedule): its schema and parser,
 * over only the variables it reads. It opens feed tokens (the cipher) but never calls Google: no OAuth client, no
 * Google endpoints.
 */
import * as z from 'zod';
import type { HorizonSpan } from '../shared/domain/ics/horizon.ts';
import {
  type AwsConfig,
  awsConfig,
  awsVariables,
  type CipherConfig,
  exactlyOne,
  feedUrlTemplate,
  httpUrl,
  optionalText,
  positiveInt,
  syncIntervalMinutes,
  syncPolicy,
  syncPolicyVariables,
  text,
  timeZone,
  validated,
} from '../shared/wiring/config-parts.ts';

/** Feeds fetched at once by one sweep: the feed service sees at most this many requests per sweep in flight. */
export const DEFAULT_CHECK_CONCURRENCY = 32;
/** Kept free at the end of an invocation: no page of the sweep starts later than the remaining time minus this. */
const DEFAULT_CHECK_TIME_MARGIN_SECONDS = 30;

/** The feed check: one SQS message, one sweep of a shard of the schedule. */
export interface CheckConfig {
  tables: { connections: string; syncState: string };
  feed: { urlTemplate: string };
  /** The zone for floating times in feeds without X-WR-TIMEZONE (the fingerprint of a feed depends on it). */
  calendar: { timeZone: string };
  /** Opens the feed tokens; with a data-key table, no KMS call per check. */
  cipher: CipherConfig;
  /** Where write jobs go (the sync worker's queue). */
  syncQueueUrl: string;
  /** Where a sweep that ran short of time continues (the queue the check reads). */
  sweepQueueUrl: string;
  check: {
    /** The schedule's interval (the sweep of a shard comes round once per interval). */
    intervalSeconds: number;
    /** Feeds fetched at once across the sweep. */
    concurrency: number;
    /** Kept free at the end of an invocation: then the rest of the shard goes to a continuation sweep. */
    timeMarginSeconds: number;
    /** What a sync reaches (the fingerprint covers only the events inside it, as the engine's does). */
    horizon: HorizonSpan;
    /** How often a sync audits the calendar: an audit due is a write job without fetching. */
    auditIntervalHours: number;
    /** Google quota units one subscriber's syncs may spend per UTC day: once spent, nothing is checked. */
    maxUnitsPerDay: number;
  };
  aws: AwsConfig;
}

const checkSchema = z.object({
  ...awsVariables,
  CONNECTIONS_TABLE: text,
  SYNC_STATE_TABLE: text,
  KMS_KEY_ID: optionalText,
  LOCAL_CIPHER_KEY: optionalText,
  DATA_KEYS_TABLE: optionalText,
  FEED_URL_TEMPLATE: feedUrlTemplate,
  CALENDAR_TIME_ZONE: timeZone.default('UTC'),
  SYNC_QUEUE_URL: httpUrl,
  SWEEP_QUEUE_URL: httpUrl,
  SYNC_INTERVAL_MINUTES: syncIntervalMinutes,
  CHECK_CONCURRENCY: positiveInt(DEFAULT_CHECK_CONCURRENCY).refine(
    (count) => count <= 256,
    'must be at most 256',
  ),
  CHECK_TIME_MARGIN_SECONDS: positiveInt(DEFAULT_CHECK_TIME_MARGIN_SECONDS).refine(
    (seconds) => seconds <= 600,
    'must be at most 600',
  ),
  ...syncPolicyVariables,
});

/** The variables the check reads (the stack's drift test holds its environment to them). */
export const CHECK_VARIABLES = Object.keys(checkSchema.shape);

/** The check's configuration; throws ConfigError listing every missing or invalid variable. */
export function parseCheckConfig(env: NodeJS.ProcessEnv): CheckConfig {
  const e = validated(checkSchema, env, (raw) => exactlyOne(raw, 'KMS_KEY_ID', 'LOCAL_CIPHER_KEY'));
  return {
    tables: { connections: e.CONNECTIONS_TABLE, syncState: e.SYNC_STATE_TABLE },
    feed: { urlTemplate: e.FEED_URL_TEMPLATE },
    calendar: { timeZone: e.CALENDAR_TIME_ZONE },
    cipher: {
      ...(e.KMS_KEY_ID
        ? { kind: 'kms', keyId: e.KMS_KEY_ID }
        : { kind: 'local', keyBase64: e.LOCAL_CIPHER_KEY as string }),
      ...(e.DATA_KEYS_TABLE ? { dataKeys: e.DATA_KEYS_TABLE } : {}),
    },
    syncQueueUrl: e.SYNC_QUEUE_URL,
    sweepQueueUrl: e.SWEEP_QUEUE_URL,
    check: {
      intervalSeconds: e.SYNC_INTERVAL_MINUTES * 60,
      concurrency: e.CHECK_CONCURRENCY,
      timeMarginSeconds: e.CHECK_TIME_MARGIN_SECONDS,
      ...syncPolicy(e),
    },
    aws: awsConfig(e),
  };
}
