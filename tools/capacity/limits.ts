/**
 * Every limit the service meets at 1,000,000 subscribers, with the load it carries there and the headroom. The
 * limits are the code's own (the functions' configuration defaults, the stack's throttles and WAF rules, the
 * engine's pacing, the quota budget's windows) and AWS's and Google's published quotas; the load comes from the
 * cost model over the measured counts. test/unit/capacity/limits.test.ts fails when a constant moves so that a
 * limit no longer holds.
 */
import { parseNotifyConfig } from '../../lambdas/notify/config.ts';
import { parseOAuthConfig } from '../../lambdas/oauth/config.ts';
import { SCHEDULE_SHARDS } from '../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import {
  DEFAULT_PROJECT_QUOTA_WINDOWS,
  quotaWindowsOf,
} from '../../lambdas/shared/domain/project-quota-windows.ts';
import { API_ROUTES, type RouteId } from '../../lambdas/shared/routes.ts';
import { DEFAULT_SYNC_MAX_UNITS_PER_DAY } from '../../lambdas/sync/config.ts';
import { DEFAULT_PACING } from '../../lambdas/sync/engine/pacer.ts';
import { DEFAULT_CHECK_FUNCTION_CONCURRENCY, DEFAULT_WORKER_CONCURRENCY } from '../../lib/config.ts';
import { ROUTES, STAGE_THROTTLE, WAF_SIGNED_RATE_LIMIT_PER_5_MINUTES } from '../../lib/constructs/api.ts';
import { type Assumptions, type Capacity, capacityAt, type Measurements } from './cost-model.ts';

/** How the host's traffic is sized at 1,000,000 subscribers (docs/operating.md, "Rate limits"). */
const HOST_SIZING = {
  /** Each subscriber opens the settings page daily and it polls the status about ten times. */
  statusPollsPerSubscriberDay: 10,
  /** The busiest minute against the day's average. */
  peakFactor: 4,
  /** The host's servers calling the API (each its own IP for the WAF). */
  hostServers: 4,
} as const;

/** Published quotas of AWS (us-east-1 defaults) and Google that the service depends on. */
const PLATFORM_QUOTAS = {
  /** DynamoDB: one partition serves at most 3,000 read and 1,000 write units a second. */
  dynamodbPartitionReadUnitsPerSecond: 3_000,
  dynamodbPartitionWriteUnitsPerSecond: 1_000,
  /** Lambda: concurrent executions per account and Region (adjustable). */
  lambdaConcurrentExecutions: 1_000,
  /** SQS: in-flight messages of a standard queue. */
  sqsInFlightMessages: 120_000,
  /** KMS: shared symmetric cryptographic requests a second (the lowest Region default; adjustable). */
  kmsRequestsPerSecond: 5_500,
  /** Secrets Manager: GetSecretValue a second. */
  secretsManagerGetSecretValuePerSecond: 10_000,
  /** Google Calendar: requests per minute per user per project. */
  googlePerUserPerMinute: 600,
} as const;

interface LimitRow {
  limit: string;
  /** Where the limit is set. */
  where: string;
  value: number;
  unit: string;
  /** The load at 1,000,000 subscribers, in the same unit. */
  load: number;
  /** `must-hold`: the test requires load <= value; `ask`: raised by asking (the project quota). */
  kind: 'must-hold' | 'ask';
}

const SUBSCRIBERS = 1_000_000;

/** A configuration parse with placeholder values where a value is required: only the defaults are read. */
const PLACEHOLDER_ENV = {
  CONNECTIONS_TABLE: 'connections',
  SYNC_STATE_TABLE: 'sync-state',
  EVENT_MAP_TABLE: 'event-map',
  OAUTH_STATES_TABLE: 'oauth-states',
  RATE_LIMITS_TABLE: 'rate-limits',
  HOST_NONCES_TABLE: 'host-nonces',
  FEED_URL_TEMPLATE: 'https://cal.example.com/ics/{token}.ics',
  OAUTH_REDIRECT_URI: 'https://api.example.com/api/google-oauth/callback',
  RETURN_TO_ALLOWLIST: 'https://app.example.com/settings',
  DEFAULT_RETURN_TO: 'https://app.example.com/settings',
  GOOGLE_CLIENT_ID: 'client',
  GOOGLE_CLIENT_SECRET: 'secret',
  KMS_KEY_ID: 'alias/ics-google-sync',
  SUBSCRIBER_ID_SECRET: 's'.repeat(32),
  HOST_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  SYNC_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/sync',
};

const perSecond = (perMinute: number) => perMinute / 60;
const throttleOf = (id: RouteId) => {
  const { method, path } = API_ROUTES[id];
  const route = ROUTES.find((r) => r.method === method && r.path === path);
  if (!route) throw new Error(`no throttle for the route ${id}`);
  return route;
};

/** The limits at 1,000,000 subscribers, and the capacity they were computed from. */
export function limitsAtOneMillion(
  m: Measurements,
  a: Assumptions,
): { rows: LimitRow[]; capacity: Capacity; quotaToAsk: number } {
  const capacity = capacityAt(SUBSCRIBERS, m, a);
  const oauth = parseOAuthConfig(PLACEHOLDER_ENV).rateLimits;
  const notify = parseNotifyConfig(PLACEHOLDER_ENV).rateLimits;
  const windowMinutes = oauth.windowSeconds / 60;
  const hostLimitPerMinute = (route: 'status' | 'sync' | 'disconnect') => {
    const host = oauth.routes[route].host;
    if (!host) throw new Error(`${route} has no host limit`);
    return host.perKey / windowMinutes;
  };
  const day = 86_400;
  const peak = HOST_SIZING.peakFactor;
  const statusPeakPerSecond = (SUBSCRIBERS * HOST_SIZING.statusPollsPerSubscriberDay * peak) / day;
  const syncNowPeakPerSecond = (SUBSCRIBERS * a.syncNowPerSubscriberMonth * peak) / (a.daysPerMonth * day);
  const disconnectPeakPerSecond =
    (SUBSCRIBERS * a.connectsPerSubscriberMonth * peak) / (a.daysPerMonth * day);
  // A change notification names the feeds that changed; the host sends one per change at worst.
  const notifyPeakPerSecond = (SUBSCRIBERS * a.feedChangesPerDay * peak) / day;
  const hostPeakPerSecond =
    statusPeakPerSecond + syncNowPeakPerSecond + disconnectPeakPerSecond + notifyPeakPerSecond;
  const askedWindows = quotaWindowsOf({
    quotaPerMinute: capacity.quotaToAskPerMinute,
    ...DEFAULT_PROJECT_QUOTA_WINDOWS,
  });
  const unitsPerSubscriberDay =
    a.feedChangesPerDay * m.changedWrite.googleUnits +
    (a.dailyWriteJobsPerDay + a.syncNowPerSubscriberMonth / a.daysPerMonth) * m.dailyWrite.googleUnits;
  // A sweep reads its shard's index entries (about 100 bytes each, eventually consistent: 8 KB per read unit).
  const indexReadUnitsPerSweep = (SUBSCRIBERS / SCHEDULE_SHARDS) * (100 / 8192);
  const checkFunctions = capacity.concurrentCheckFunctions;
  const writeFunctions = capacity.concurrentWriteFunctions;
  const rows: LimitRow[] = [
    {
      limit: 'Google project quota',
      where: 'GOOGLE_PROJECT_QUOTA_PER_MINUTE (Google Cloud console)',
      value: a.projectQuotaPerMinute,
      unit: 'units/min',
      load: capacity.googleUnitsPerMinute,
      kind: 'ask',
    },
    {
      limit: 'Google per-user quota',
      where: 'Google (the engine paces at DEFAULT_PACING)',
      value: PLATFORM_QUOTAS.googlePerUserPerMinute,
      unit: 'requests/min per user',
      load: ((DEFAULT_PACING.unitsPerWindow + DEFAULT_PACING.burst) * 60_000) / DEFAULT_PACING.windowMs,
      kind: 'must-hold',
    },
    {
      limit: 'daily unit budget per subscriber',
      where: 'SYNC_MAX_UNITS_PER_DAY',
      value: DEFAULT_SYNC_MAX_UNITS_PER_DAY,
      unit: 'units/day per subscriber',
      load: unitsPerSubscriberDay,
      kind: 'must-hold',
    },
    {
      limit: '"sync now" per subscriber (each an audit)',
      where: 'RATE_LIMIT_SYNC_PER_SUBSCRIBER, RATE_LIMIT_HOST_SYNC_PER_SUBSCRIBER',
      value: DEFAULT_SYNC_MAX_UNITS_PER_DAY,
      unit: 'units/day per subscriber',
      load:
        Math.max(oauth.routes.sync.perSubscriber, oauth.routes.sync.host?.perSubscriber ?? 0) *
        (1440 / windowMinutes) *
        m.dailyWrite.googleUnits,
      kind: 'must-hold',
    },
    {
      limit: 'check function concurrency',
      where: 'checkConcurrency (stack setting)',
      value: DEFAULT_CHECK_FUNCTION_CONCURRENCY,
      unit: 'invocations at once',
      load: checkFunctions,
      kind: 'must-hold',
    },
    {
      limit: 'worker concurrency',
      where: 'workerConcurrency (stack setting)',
      value: DEFAULT_WORKER_CONCURRENCY,
      unit: 'invocations at once',
      load: writeFunctions,
      kind: 'must-hold',
    },
    {
      limit: 'Lambda concurrent executions',
      where: 'AWS account quota',
      value: PLATFORM_QUOTAS.lambdaConcurrentExecutions,
      unit: 'invocations at once',
      // At most every check and worker invocation allowed, and the API functions at the host's peak.
      load:
        DEFAULT_CHECK_FUNCTION_CONCURRENCY +
        DEFAULT_WORKER_CONCURRENCY +
        (hostPeakPerSecond * m.statusRequest.lambdaMs) / 1000,
      kind: 'must-hold',
    },
    {
      limit: 'status: host-signed per key',
      where: 'RATE_LIMIT_HOST_STATUS_PER_KEY',
      value: hostLimitPerMinute('status'),
      unit: 'requests/min (peak)',
      load: statusPeakPerSecond * 60,
      kind: 'must-hold',
    },
    {
      limit: '"sync now": host-signed per key',
      where: 'RATE_LIMIT_HOST_SYNC_PER_KEY',
      value: hostLimitPerMinute('sync'),
      unit: 'requests/min (peak)',
      load: syncNowPeakPerSecond * 60,
      kind: 'must-hold',
    },
    {
      limit: 'disconnect: host-signed per key',
      where: 'RATE_LIMIT_HOST_DISCONNECT_PER_KEY',
      value: hostLimitPerMinute('disconnect'),
      unit: 'requests/min (peak)',
      load: disconnectPeakPerSecond * 60,
      kind: 'must-hold',
    },
    {
      limit: 'notify: host-signed per key',
      where: 'RATE_LIMIT_HOST_NOTIFY_PER_KEY',
      value: notify.routes.notify.host.perKey / (notify.windowSeconds / 60),
      unit: 'requests/min (peak)',
      load: notifyPeakPerSecond * 60,
      kind: 'must-hold',
    },
    ...(
      [
        ['status', 'API Gateway throttle, status route', statusPeakPerSecond],
        ['syncNow', 'API Gateway throttle, "sync now" route', syncNowPeakPerSecond],
        ['disconnect', 'API Gateway throttle, disconnect route', disconnectPeakPerSecond],
        ['notify', 'API Gateway throttle, notify route', notifyPeakPerSecond],
      ] as const
    ).map(
      ([id, limit, load]): LimitRow => ({
        limit,
        where: 'lib/constructs/api.ts (THROTTLES)',
        value: throttleOf(id).rate,
        unit: 'requests/s (peak)',
        load,
        kind: 'must-hold',
      }),
    ),
    {
      limit: 'API Gateway stage throttle',
      where: 'lib/constructs/api.ts (STAGE_THROTTLE)',
      value: STAGE_THROTTLE.rate,
      unit: 'requests/s (peak)',
      load: hostPeakPerSecond,
      kind: 'must-hold',
    },
    {
      limit: 'WAF per IP, host-signed requests',
      where: 'WAF_SIGNED_RATE_LIMIT_PER_5_MINUTES',
      value: WAF_SIGNED_RATE_LIMIT_PER_5_MINUTES / 300,
      unit: `requests/s per host server (${HOST_SIZING.hostServers} servers)`,
      load: hostPeakPerSecond / HOST_SIZING.hostServers,
      kind: 'must-hold',
    },
    {
      limit: 'DynamoDB partition: rate-limit counter of the host key (status)',
      where: 'rateLimits table, one item per key and window',
      value: PLATFORM_QUOTAS.dynamodbPartitionWriteUnitsPerSecond,
      unit: 'write units/s',
      load: statusPeakPerSecond,
      kind: 'must-hold',
    },
    {
      limit: 'DynamoDB partition: project quota window counter',
      where: `rateLimits table, reservations of ${askedWindows.reservationUnits} units at the quota asked`,
      value: PLATFORM_QUOTAS.dynamodbPartitionWriteUnitsPerSecond,
      unit: 'write units/s',
      load: perSecond(capacity.quotaToAskPerMinute) / askedWindows.reservationUnits,
      kind: 'must-hold',
    },
    {
      limit: `DynamoDB partition: a shard of the scheduling index (${SCHEDULE_SHARDS} shards)`,
      where: 'SCHEDULE_SHARDS; the index read by one sweep within a second at worst',
      value: PLATFORM_QUOTAS.dynamodbPartitionReadUnitsPerSecond,
      unit: 'read units/s',
      load: indexReadUnitsPerSweep,
      kind: 'must-hold',
    },
    {
      limit: 'SQS messages in flight (sync queue)',
      where: 'AWS quota (standard queue)',
      value: PLATFORM_QUOTAS.sqsInFlightMessages,
      unit: 'messages',
      // Each worker invocation holds at most a batch of 10 received messages.
      load: DEFAULT_WORKER_CONCURRENCY * 10,
      kind: 'must-hold',
    },
    {
      limit: 'KMS cryptographic requests',
      where: 'AWS quota (shared, symmetric)',
      value: PLATFORM_QUOTAS.kmsRequestsPerSecond,
      unit: 'requests/s',
      load: capacity.kmsCallsPerSecond,
      kind: 'must-hold',
    },
    {
      limit: 'Secrets Manager GetSecretValue',
      where: 'AWS quota',
      value: PLATFORM_QUOTAS.secretsManagerGetSecretValuePerSecond,
      unit: 'requests/s',
      load: ((Math.ceil(writeFunctions) + 2) * a.secretReadsPerContainerHour) / 3600,
      kind: 'must-hold',
    },
  ];
  return { rows, capacity, quotaToAsk: capacity.quotaToAskPerMinute };
}
