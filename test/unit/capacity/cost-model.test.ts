import { describe, expect, it } from 'vitest';
import {
  type Assumptions,
  capacityAt,
  costAt,
  type Measurements,
  monthlyVolume,
  OPERATIONS,
  type OperationCounts,
} from '../../../tools/capacity/cost-model.ts';
import { PRICES, type Prices } from '../../../tools/capacity/prices.ts';

const nothing: OperationCounts = {
  dynamodbReadUnits: 0,
  dynamodbWriteUnits: 0,
  kmsCalls: 0,
  googleTokenCalls: 0,
  googleUnits: 0,
  lambdaMs: 0,
  lambdaMemoryMb: 1024,
  lambdaInvocations: 0,
  sqsRequests: 0,
  bytesLogged: 0,
  apiRequests: 0,
};

/** Every operation free, then the parts a case sets. */
function measurements(parts: Partial<Record<keyof Measurements, Partial<OperationCounts>>>): Measurements {
  return Object.fromEntries(OPERATIONS.map((op) => [op, { ...nothing, ...parts[op] }])) as Measurements;
}

/** Nothing fixed, nothing but the schedule: each case adds what it is about. */
const bare: Assumptions = {
  intervalMinutes: 15,
  daysPerMonth: 30,
  feedChangesPerDay: 0,
  dailyWriteJobsPerDay: 0,
  eventsPerFeed: 0,
  eventMapItemBytes: 0,
  subscriberItemBytes: 0,
  statusRequestsPerSubscriberMonth: 0,
  syncNowPerSubscriberMonth: 0,
  connectsPerSubscriberMonth: 0,
  sweepShards: 256,
  checksPerSweepMessage: 5_000,
  feedRoundTripMs: 0,
  checkConcurrency: 32,
  platformLogBytesPerInvocation: 0,
  logRetentionMonths: 1,
  customMetrics: 0,
  alarms: 0,
  dashboards: 0,
  secrets: 0,
  kmsKeys: 0,
  wafWebAcls: 0,
  wafRules: 0,
  secretReadsPerContainerHour: 0,
  projectQuotaPerMinute: 10_000,
  quotaMargin: 2,
};

/** Every price zero but the ones a case names (so a case's total is its own line alone). */
const onlyPrices = (names: (keyof Prices)[]): Prices =>
  Object.fromEntries(
    Object.entries(PRICES).map(([name, price]) => [
      name,
      { ...price, usd: names.includes(name as keyof Prices) ? price.usd : 0 },
    ]),
  ) as Prices;

describe('the cost model', () => {
  it('counts 2,880 checks per subscriber-month at 15 minutes and prices their read units', () => {
    const cost = costAt(
      1_000,
      measurements({ unchangedCheck: { dynamodbReadUnits: 1 } }),
      bare,
      onlyPrices(['dynamodbReadUnit']),
    );
    expect(cost.volume.checks).toBe(2_880_000);
    // 2,880,000 units at $0.125 per million.
    expect(cost.breakdown['DynamoDB reads']).toBeCloseTo(0.36, 10);
    expect(cost.monthlyUsd).toBeCloseTo(0.36, 10);
    expect(cost.usdPerSubscriberMonth).toBeCloseTo(0.00036, 12);
  });

  it('adds the key-month to the KMS calls and gives their share of the total', () => {
    const cost = costAt(
      1_000,
      measurements({ unchangedCheck: { dynamodbReadUnits: 1, kmsCalls: 0.5 } }),
      { ...bare, kmsKeys: 1 },
      onlyPrices(['dynamodbReadUnit', 'kmsKeyMonth', 'kmsRequest']),
    );
    // $1 + 1,440,000 calls at $0.03 per 10,000 = $1 + $4.32.
    expect(cost.breakdown.KMS).toBeCloseTo(5.32, 10);
    expect(cost.kmsShare).toBeCloseTo(5.32 / 5.68, 10);
  });

  it('bills a check at least the feed round trip shared by the fetches a sweep overlaps', () => {
    const prices = onlyPrices(['lambdaGbSecond']);
    const measured = measurements({ unchangedCheck: { lambdaMs: 2, lambdaMemoryMb: 1024 } });
    // 320 ms / 32 = 10 ms beats the measured 2 ms: 2,880,000 x 0.01 s x 1 GB = 28,800 GB-s.
    const floor = costAt(1_000, measured, { ...bare, feedRoundTripMs: 320 }, prices);
    expect(floor.breakdown['Lambda compute']).toBeCloseTo(28_800 * 0.0000133334, 8);
    const measuredOnly = costAt(1_000, measured, bare, prices);
    expect(measuredOnly.breakdown['Lambda compute']).toBeCloseTo(5_760 * 0.0000133334, 8);
  });

  it('sends one sweep per shard and tick until a shard outgrows a message, then continuations', () => {
    expect(monthlyVolume(1_000_000, bare).sweeps).toBe(2_880 * 256);
    // 10,000,000 / 256 = 39,062.5 per shard: 8 messages of at most 5,000.
    expect(monthlyVolume(10_000_000, bare).sweeps).toBe(2_880 * 256 * 8);
  });

  it('counts the write jobs, their Google units and what to ask Google for', () => {
    const measured = measurements({
      changedWrite: { googleUnits: 4, lambdaMs: 200, googleTokenCalls: 1 },
      dailyWrite: { googleUnits: 1, lambdaMs: 100, googleTokenCalls: 1 },
    });
    const assumptions = { ...bare, feedChangesPerDay: 1, dailyWriteJobsPerDay: 1 };
    const capacity = capacityAt(1_000_000, measured, assumptions);
    expect(capacity.checksPerSecond).toBeCloseTo(1_000_000 / 900, 10);
    expect(capacity.writeJobsPerSecond).toBeCloseTo(2_000_000 / 86_400, 10);
    // 1,000,000 x (4 + 1) units a day over 1,440 minutes.
    expect(capacity.googleUnitsPerMinute).toBeCloseTo(5_000_000 / 1_440, 8);
    expect(capacity.quotaShare).toBeCloseTo(5_000_000 / 1_440 / 10_000, 10);
    expect(capacity.googleTokenCallsPerSecond).toBeCloseTo(2_000_000 / 86_400, 10);
    // 23.1 jobs a second at 150 ms on average: 3.47 invocations at once.
    expect(capacity.concurrentWriteFunctions).toBeCloseTo((2_000_000 / 86_400) * 0.15, 10);
    // Twice 3,472 is 6,944, rounded up to 7,000: below the default, which stays.
    expect(capacity.quotaToAskPerMinute).toBe(10_000);
    expect(capacityAt(1_000_000, measured, { ...assumptions, quotaMargin: 4 }).quotaToAskPerMinute).toBe(
      14_000,
    );
  });

  it("has the check invocations that the Lambda seconds of one interval need, by Little's law", () => {
    const capacity = capacityAt(1_000_000, measurements({ unchangedCheck: { lambdaMs: 9 } }), bare);
    // 1,000,000 x 9 ms = 9,000 s of Lambda per 900 s interval: 10 at once.
    expect(capacity.checkSecondsPerInterval).toBeCloseTo(9_000, 8);
    expect(capacity.concurrentCheckFunctions).toBeCloseTo(10, 10);
  });

  it('prices the fixed resources whatever the scale', () => {
    const assumptions = {
      ...bare,
      customMetrics: 10,
      alarms: 10,
      dashboards: 1,
      wafWebAcls: 1,
      wafRules: 2,
      secrets: 3,
    };
    const small = costAt(1_000, measurements({}), assumptions, PRICES);
    const large = costAt(10_000_000, measurements({}), assumptions, PRICES);
    // 10 x $0.30 + 10 x $0.10 + $3; $5 + 2 x $1; 3 x $0.40.
    expect(small.breakdown['CloudWatch metrics, alarms, dashboard']).toBeCloseTo(7, 10);
    expect(small.breakdown.WAF).toBeCloseTo(7, 10);
    expect(large.breakdown.WAF).toBeCloseTo(7, 10);
    expect(small.breakdown['Secrets Manager']).toBeCloseTo(1.2, 10);
    // 2,880 ticks and 30 purges at $1 per million.
    expect(small.breakdown['EventBridge Scheduler']).toBeCloseTo(2_910 / 1e6, 12);
  });

  it('counts logs twice: ingested and kept', () => {
    const gb = 1024 ** 3;
    const cost = costAt(
      1,
      measurements({ dailyWrite: { bytesLogged: gb / 30, lambdaInvocations: 0 } }),
      { ...bare, dailyWriteJobsPerDay: 1, logRetentionMonths: 2 },
      onlyPrices(['logsIngestGb', 'logsStorageGbMonth']),
    );
    // 1 GB a month: $0.50 ingested, 2 months x $0.03 kept.
    expect(cost.breakdown['CloudWatch Logs']).toBeCloseTo(0.56, 10);
  });
});
