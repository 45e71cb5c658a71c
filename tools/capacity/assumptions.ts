/**
 * What the cost model assumes beyond what is measured. The service's own settings come from the code (their
 * defaults), the rest is stated here with the reason; the README's "Capacity and cost" section prints them all.
 */
import { DEFAULT_CHECK_CONCURRENCY } from '../../lambdas/check/config.ts';
import { SCHEDULE_SHARDS } from '../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { DEFAULT_SYNC_INTERVAL_MINUTES } from '../../lambdas/shared/wiring/config-parts.ts';
import { DEFAULT_GOOGLE_PROJECT_QUOTA_PER_MINUTE } from '../../lambdas/sync/config.ts';
import type { Assumptions } from './cost-model.ts';

export const ASSUMPTIONS: Assumptions = {
  intervalMinutes: DEFAULT_SYNC_INTERVAL_MINUTES,
  daysPerMonth: 30,
  // Calendars of a booking or club service change a few times a week; once a day per subscriber is generous.
  feedChangesPerDay: 1,
  // The audit, the horizon's roll and the token check fall due together once a day.
  dailyWriteJobsPerDay: 1,
  eventsPerFeed: 50,
  eventMapItemBytes: 200,
  subscriberItemBytes: 2_000,
  // About one subscriber in ten opens the settings page in a month and it polls the status a few times; one in
  // twenty presses "sync now"; one in fifty connects again (or is new) in a month.
  statusRequestsPerSubscriberMonth: 1,
  syncNowPerSubscriberMonth: 0.05,
  connectsPerSubscriberMonth: 0.02,
  sweepShards: SCHEDULE_SHARDS,
  // A sweep hands the rest of its shard to a continuation when its time runs short; at 32 fetches at once and
  // ~150 ms each, a few thousand checks fit well inside one invocation.
  checksPerSweepMessage: 5_000,
  feedRoundTripMs: 150,
  checkConcurrency: DEFAULT_CHECK_CONCURRENCY,
  platformLogBytesPerInvocation: 350,
  // The stack keeps logs 30 days (logRetentionDays).
  logRetentionMonths: 1,
  customMetrics: 40,
  alarms: 20,
  dashboards: 1,
  secrets: 3,
  kmsKeys: 1,
  wafWebAcls: 1,
  wafRules: 2,
  secretReadsPerContainerHour: 24,
  projectQuotaPerMinute: DEFAULT_GOOGLE_PROJECT_QUOTA_PER_MINUTE,
  // First syncs of many subscribers at once, and the day's peak, need room above the average.
  quotaMargin: 2,
};
