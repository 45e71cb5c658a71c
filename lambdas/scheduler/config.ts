/** The scheduled jobs' configuration (the sync tick and the retention purge): its schema and parser. */
import * as z from 'zod';
import {
  type AwsConfig,
  awsConfig,
  awsVariables,
  httpUrl,
  positiveInt,
  type SubscriberTables,
  subscriberTables,
  subscriberTableVariables,
  syncIntervalMinutes,
  validated,
} from '../shared/wiring/config-parts.ts';

/** The scheduled jobs: a sweep of every shard of the schedule each interval, and the daily retention purge. */
export interface SchedulerConfig {
  tables: SubscriberTables;
  /** Where the tick sends its sweeps (the check function's queue). */
  sweepQueueUrl: string;
  schedule: { intervalSeconds: number };
  retention: { needsReauthDays: number };
  aws: AwsConfig;
}

const schedulerSchema = z.object({
  ...awsVariables,
  ...subscriberTableVariables,
  SWEEP_QUEUE_URL: httpUrl,
  SYNC_INTERVAL_MINUTES: syncIntervalMinutes,
  NEEDS_REAUTH_RETENTION_DAYS: positiveInt(30),
});

/** The variables the scheduled jobs read (the stack's drift test holds their environment to them). */
export const SCHEDULER_VARIABLES = Object.keys(schedulerSchema.shape);

/** The scheduler's configuration; throws ConfigError listing every missing or invalid variable. */
export function parseSchedulerConfig(env: NodeJS.ProcessEnv): SchedulerConfig {
  const e = validated(schedulerSchema, env, () => []);
  return {
    tables: subscriberTables(e),
    sweepQueueUrl: e.SWEEP_QUEUE_URL,
    schedule: { intervalSeconds: e.SYNC_INTERVAL_MINUTES * 60 },
    retention: { needsReauthDays: e.NEEDS_REAUTH_RETENTION_DAYS },
    aws: awsConfig(e),
  };
}
