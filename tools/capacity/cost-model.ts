/**
 * The monthly cost and the capacity needed at a number of subscribers, from counts measured per operation
 * (`npm run capacity` measures them: bench/suites/cost-model.ts) and stated assumptions. Pure arithmetic: no
 * I/O, no clock, so a test can check it by hand.
 */
import type { Prices } from './prices.ts';

/** What one operation costs in the units AWS and Google count. */
export interface OperationCounts {
  dynamodbReadUnits: number;
  dynamodbWriteUnits: number;
  kmsCalls: number;
  googleTokenCalls: number;
  /** Google Calendar quota units (a call is one, a patch three). */
  googleUnits: number;
  /** Billed Lambda duration. */
  lambdaMs: number;
  /** The memory of the function that runs it (GB-seconds = ms x MB). */
  lambdaMemoryMb: number;
  /** Lambda invocations (a batch of several operations counts a share of one). */
  lambdaInvocations: number;
  sqsRequests: number;
  /** Log lines and embedded metrics written. */
  bytesLogged: number;
  /** Requests through API Gateway (and the WAF). */
  apiRequests: number;
}

/**
 * The operations the service does: a check of an unchanged feed (per subscriber checked), a write job for a
 * changed feed, the daily write job of an unchanged feed (horizon roll, audit, token check), one sweep message's
 * fixed part (index page, sweptAt), one scheduler tick, and the API requests of subscribers.
 */
export const OPERATIONS = [
  'unchangedCheck',
  'changedWrite',
  'dailyWrite',
  'sweep',
  'tick',
  'statusRequest',
  'syncNowRequest',
  'connect',
] as const;
export type Operation = (typeof OPERATIONS)[number];
export type Measurements = Record<Operation, OperationCounts>;

export interface Assumptions {
  /** The schedule's interval. */
  intervalMinutes: number;
  daysPerMonth: number;
  /** Times a subscriber's feed changes per day (each is one write job). */
  feedChangesPerDay: number;
  /** Write jobs of an unchanged feed per day (the audit, the horizon's roll and the token check fall together). */
  dailyWriteJobsPerDay: number;
  /** Events in a subscriber's calendar (the event map's size). */
  eventsPerFeed: number;
  /** DynamoDB bytes per event-map item, and per subscriber outside the event map (connection, sync state). */
  eventMapItemBytes: number;
  subscriberItemBytes: number;
  statusRequestsPerSubscriberMonth: number;
  syncNowPerSubscriberMonth: number;
  connectsPerSubscriberMonth: number;
  /** Shards of the scheduling index: one sweep message each per tick. */
  sweepShards: number;
  /** Subscribers one sweep message checks before it hands the rest of its shard to a continuation. */
  checksPerSweepMessage: number;
  /** A feed request's round trip in production; a sweep overlaps `checkConcurrency` of them. */
  feedRoundTripMs: number;
  checkConcurrency: number;
  /** Lambda's START/END/REPORT lines per invocation. */
  platformLogBytesPerInvocation: number;
  logRetentionMonths: number;
  /** Fixed resources of one stack. */
  customMetrics: number;
  alarms: number;
  dashboards: number;
  secrets: number;
  kmsKeys: number;
  wafWebAcls: number;
  wafRules: number;
  /** Secrets read per warm container per hour (a 5-minute cache, every secret the function reads). */
  secretReadsPerContainerHour: number;
  /** Google's per-project quota per minute the service is configured with. */
  projectQuotaPerMinute: number;
  /** What to ask Google for: the units needed times this (first syncs, peaks). */
  quotaMargin: number;
}

export type CostItem =
  | 'Lambda compute'
  | 'Lambda requests'
  | 'DynamoDB reads'
  | 'DynamoDB writes'
  | 'DynamoDB storage'
  | 'KMS'
  | 'SQS'
  | 'CloudWatch Logs'
  | 'CloudWatch metrics, alarms, dashboard'
  | 'Secrets Manager'
  | 'API Gateway'
  | 'WAF'
  | 'EventBridge Scheduler';

/** How often each operation happens in a month at `subscribers`. */
interface MonthlyVolume {
  ticks: number;
  checks: number;
  changedWrites: number;
  dailyWrites: number;
  sweeps: number;
  statusRequests: number;
  syncNowRequests: number;
  connects: number;
}

export interface Capacity {
  checksPerSecond: number;
  writeJobsPerSecond: number;
  /** Google quota units a minute the writes need, on average. */
  googleUnitsPerMinute: number;
  projectQuotaPerMinute: number;
  /** Needed over the quota (under 1: it fits). */
  quotaShare: number;
  /** What to ask Google for (needed x margin, rounded up to a thousand; never below the quota already there). */
  quotaToAskPerMinute: number;
  googleRequestsPerDay: number;
  googleTokenCallsPerSecond: number;
  kmsCallsPerSecond: number;
  /**
   * Lambda invocations running at once, by Little's law (work arriving per second x seconds each): the check's
   * is its Lambda seconds per interval over the interval.
   */
  concurrentCheckFunctions: number;
  concurrentWriteFunctions: number;
  /** Lambda seconds the checks of one interval take, all sweeps together. */
  checkSecondsPerInterval: number;
  intervalSeconds: number;
}

interface CostAtScale {
  subscribers: number;
  monthlyUsd: number;
  usdPerSubscriberMonth: number;
  breakdown: Record<CostItem, number>;
  /** KMS over the total. */
  kmsShare: number;
  volume: MonthlyVolume;
  capacity: Capacity;
}

const MB_PER_GB = 1024;
const BYTES_PER_GB = 1024 ** 3;

/** One operation repeated `times`: every count multiplied. */
function times(counts: OperationCounts, n: number): OperationCounts {
  return {
    dynamodbReadUnits: counts.dynamodbReadUnits * n,
    dynamodbWriteUnits: counts.dynamodbWriteUnits * n,
    kmsCalls: counts.kmsCalls * n,
    googleTokenCalls: counts.googleTokenCalls * n,
    googleUnits: counts.googleUnits * n,
    lambdaMs: counts.lambdaMs * n,
    // Memory is not additive: GB-seconds are taken per operation below.
    lambdaMemoryMb: counts.lambdaMemoryMb,
    lambdaInvocations: counts.lambdaInvocations * n,
    sqsRequests: counts.sqsRequests * n,
    bytesLogged: counts.bytesLogged * n,
    apiRequests: counts.apiRequests * n,
  };
}

/** How many of each operation a month brings at `subscribers`. */
export function monthlyVolume(subscribers: number, a: Assumptions): MonthlyVolume {
  const ticks = (a.daysPerMonth * 24 * 60) / a.intervalMinutes;
  const perShard = subscribers / a.sweepShards;
  return {
    ticks,
    checks: subscribers * ticks,
    changedWrites: subscribers * a.feedChangesPerDay * a.daysPerMonth,
    dailyWrites: subscribers * a.dailyWriteJobsPerDay * a.daysPerMonth,
    sweeps: ticks * a.sweepShards * Math.max(1, Math.ceil(perShard / a.checksPerSweepMessage)),
    statusRequests: subscribers * a.statusRequestsPerSubscriberMonth,
    syncNowRequests: subscribers * a.syncNowPerSubscriberMonth,
    connects: subscribers * a.connectsPerSubscriberMonth,
  };
}

/** The measured operations paired with their monthly count. */
function monthlyOperations(m: Measurements, v: MonthlyVolume): [OperationCounts, number][] {
  return [
    [m.unchangedCheck, v.checks],
    [m.changedWrite, v.changedWrites],
    [m.dailyWrite, v.dailyWrites],
    [m.sweep, v.sweeps],
    [m.tick, v.ticks],
    [m.statusRequest, v.statusRequests],
    // "Sync now" is the request and the write job it causes (an audit, like the daily one).
    [m.syncNowRequest, v.syncNowRequests],
    [m.dailyWrite, v.syncNowRequests],
    [m.connect, v.connects],
  ];
}

/**
 * A check's billed milliseconds in production: what was measured, or the feed's round trip shared by the
 * fetches a sweep overlaps, whichever is more (the measurement's feed server answers on the same machine).
 */
export function checkMs(m: Measurements, a: Assumptions): number {
  return Math.max(m.unchangedCheck.lambdaMs, a.feedRoundTripMs / a.checkConcurrency);
}

export function capacityAt(subscribers: number, m: Measurements, a: Assumptions): Capacity {
  const daySeconds = 86_400;
  const intervalSeconds = a.intervalMinutes * 60;
  const auditsPerDay = a.dailyWriteJobsPerDay + a.syncNowPerSubscriberMonth / a.daysPerMonth;
  const writeJobsPerDay = subscribers * (a.feedChangesPerDay + auditsPerDay);
  const unitsPerDay =
    subscribers *
    (a.feedChangesPerDay * m.changedWrite.googleUnits + auditsPerDay * m.dailyWrite.googleUnits);
  const tokenCallsPerDay =
    subscribers *
    (a.feedChangesPerDay * m.changedWrite.googleTokenCalls +
      auditsPerDay * m.dailyWrite.googleTokenCalls +
      (daySeconds / intervalSeconds) * m.unchangedCheck.googleTokenCalls);
  const v = monthlyVolume(subscribers, a);
  const monthSeconds = a.daysPerMonth * daySeconds;
  const kmsPerMonth = monthlyOperations(inProduction(m, a), v).reduce((s, [op, n]) => s + op.kmsCalls * n, 0);
  const checksPerSecond = subscribers / intervalSeconds;
  const googleUnitsPerMinute = unitsPerDay / 1440;
  const writeMsPerJob =
    (a.feedChangesPerDay * m.changedWrite.lambdaMs + auditsPerDay * m.dailyWrite.lambdaMs) /
    Math.max(a.feedChangesPerDay + auditsPerDay, Number.EPSILON);
  const checkSecondsPerInterval =
    (subscribers * checkMs(m, a) + (v.sweeps / v.ticks) * m.sweep.lambdaMs) / 1000;
  const neededWithMargin = Math.ceil((googleUnitsPerMinute * a.quotaMargin) / 1000) * 1000;
  return {
    checksPerSecond,
    writeJobsPerSecond: writeJobsPerDay / daySeconds,
    googleUnitsPerMinute,
    projectQuotaPerMinute: a.projectQuotaPerMinute,
    quotaShare: googleUnitsPerMinute / a.projectQuotaPerMinute,
    quotaToAskPerMinute: Math.max(a.projectQuotaPerMinute, neededWithMargin),
    googleRequestsPerDay: unitsPerDay,
    googleTokenCallsPerSecond: tokenCallsPerDay / daySeconds,
    kmsCallsPerSecond: kmsPerMonth / monthSeconds,
    concurrentCheckFunctions: checkSecondsPerInterval / intervalSeconds,
    concurrentWriteFunctions: ((writeJobsPerDay / daySeconds) * writeMsPerJob) / 1000,
    checkSecondsPerInterval,
    intervalSeconds,
  };
}

/** The measurements with a check's production milliseconds (see checkMs). */
function inProduction(m: Measurements, a: Assumptions): Measurements {
  return { ...m, unchangedCheck: { ...m.unchangedCheck, lambdaMs: checkMs(m, a) } };
}

/** The monthly bill at `subscribers`, item by item. */
export function costAt(subscribers: number, m: Measurements, a: Assumptions, p: Prices): CostAtScale {
  const v = monthlyVolume(subscribers, a);
  const ops = monthlyOperations(inProduction(m, a), v).map(([op, n]) => times(op, n));
  const sum = (pick: (c: OperationCounts) => number) => ops.reduce((s, total) => s + pick(total), 0);
  const gbSeconds = sum((c) => (c.lambdaMs / 1000) * (c.lambdaMemoryMb / MB_PER_GB));
  const invocations = sum((c) => c.lambdaInvocations);
  const apiRequests = sum((c) => c.apiRequests);
  const loggedGb = (sum((c) => c.bytesLogged) + invocations * a.platformLogBytesPerInvocation) / BYTES_PER_GB;
  const storedGb =
    (subscribers * (a.subscriberItemBytes + a.eventsPerFeed * a.eventMapItemBytes)) / BYTES_PER_GB;
  const capacity = capacityAt(subscribers, m, a);
  // Warm containers that read secrets: the writers and the API functions (the check reads none).
  const containers = Math.ceil(capacity.concurrentWriteFunctions) + 2;
  const secretReads = containers * a.secretReadsPerContainerHour * 24 * a.daysPerMonth;
  const breakdown: Record<CostItem, number> = {
    'Lambda compute': gbSeconds * p.lambdaGbSecond.usd,
    'Lambda requests': invocations * p.lambdaRequest.usd,
    'DynamoDB reads': sum((c) => c.dynamodbReadUnits) * p.dynamodbReadUnit.usd,
    'DynamoDB writes': sum((c) => c.dynamodbWriteUnits) * p.dynamodbWriteUnit.usd,
    'DynamoDB storage': storedGb * p.dynamodbStorageGbMonth.usd,
    KMS: a.kmsKeys * p.kmsKeyMonth.usd + sum((c) => c.kmsCalls) * p.kmsRequest.usd,
    SQS: sum((c) => c.sqsRequests) * p.sqsRequest.usd,
    'CloudWatch Logs': loggedGb * (p.logsIngestGb.usd + a.logRetentionMonths * p.logsStorageGbMonth.usd),
    'CloudWatch metrics, alarms, dashboard':
      a.customMetrics * p.customMetricMonth.usd +
      a.alarms * p.alarmMonth.usd +
      a.dashboards * p.dashboardMonth.usd,
    'Secrets Manager': a.secrets * p.secretMonth.usd + secretReads * p.secretsApiCall.usd,
    'API Gateway': apiRequests * p.apiGatewayRestRequest.usd,
    WAF:
      a.wafWebAcls * p.wafWebAclMonth.usd + a.wafRules * p.wafRuleMonth.usd + apiRequests * p.wafRequest.usd,
    // The ticks and the daily purge.
    'EventBridge Scheduler': (v.ticks + a.daysPerMonth) * p.schedulerInvocation.usd,
  };
  const monthlyUsd = Object.values(breakdown).reduce((s, usd) => s + usd, 0);
  return {
    subscribers,
    monthlyUsd,
    usdPerSubscriberMonth: monthlyUsd / subscribers,
    breakdown,
    kmsShare: breakdown.KMS / monthlyUsd,
    volume: v,
    capacity,
  };
}

/** The scales the README and the bench report. */
export const SCALES = [
  { label: '1k', subscribers: 1_000 },
  { label: '100k', subscribers: 100_000 },
  { label: '1m', subscribers: 1_000_000 },
  { label: '10m', subscribers: 10_000_000 },
] as const;
