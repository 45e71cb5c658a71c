import { describe, expect, it } from 'vitest';
import { parseSchedulerConfig } from '../../../lambdas/scheduler/config.ts';
import { ConfigError } from '../../../lambdas/shared/wiring/config-parts.ts';
import { buildSyncWorkerServices } from '../../../lambdas/sync/compose.ts';
import { parseSyncWorkerConfig } from '../../../lambdas/sync/config.ts';

const TABLES = { CONNECTIONS_TABLE: 'c', SYNC_STATE_TABLE: 's', EVENT_MAP_TABLE: 'e' };
const QUEUE = { SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/sync' };

describe('configuration per function', () => {
  it('the sync worker reads only what it uses: no OAuth redirect, allow-list or HMAC secret', () => {
    const config = parseSyncWorkerConfig({
      ...TABLES,
      ...QUEUE,
      FEED_URL_TEMPLATE: 'https://cal.example.com/ics/{token}.ics',
      GOOGLE_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:google',
      KMS_KEY_ID: 'alias/ics',
    });
    expect(config.sync).toEqual({
      intervalSeconds: 900,
      timeMarginSeconds: 60,
      continueDelaySeconds: 2,
      busyRetryDelaySeconds: 60,
      projectQuotaPerMinute: 10_000,
      parallelSubscribers: 4,
      horizon: { pastDays: 30, futureMonths: 24 },
      auditIntervalHours: 24,
      maxUnitsPerDay: 20_000,
    });
    expect(config.calendar.timeZone).toBe('UTC');
    // No budget table named: each sync keeps only its own pace.
    expect(config.tables.rateLimits).toBeUndefined();
  });

  it('the sync worker takes the budget table and syncs at most 10 subscribers at once', () => {
    const base = {
      ...TABLES,
      ...QUEUE,
      FEED_URL_TEMPLATE: 'https://cal.example.com/ics/{token}.ics',
      GOOGLE_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:google',
      KMS_KEY_ID: 'alias/ics',
    };
    const config = parseSyncWorkerConfig({
      ...base,
      RATE_LIMITS_TABLE: 'limits',
      SYNC_PARALLEL_SUBSCRIBERS: '6',
    });
    expect(config.tables.rateLimits).toBe('limits');
    expect(config.sync.parallelSubscribers).toBe(6);
    expect(() => parseSyncWorkerConfig({ ...base, SYNC_PARALLEL_SUBSCRIBERS: '11' })).toThrow(
      /SYNC_PARALLEL_SUBSCRIBERS/,
    );
  });

  it('the sync worker names every missing or invalid variable', () => {
    let error: unknown;
    try {
      parseSyncWorkerConfig({ ...TABLES, SYNC_INTERVAL_MINUTES: '0', SYNC_BUSY_RETRY_SECONDS: '901' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const named = (error as ConfigError).problems.map((problem) => problem.split(':')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'FEED_URL_TEMPLATE',
        'SYNC_QUEUE_URL',
        'SYNC_INTERVAL_MINUTES',
        'SYNC_BUSY_RETRY_SECONDS',
        'KMS_KEY_ID',
        'GOOGLE_CLIENT_SECRET_ARN',
      ]),
    );
  });

  it('the sync horizon is configurable within bounds, and the worker syncs over it', () => {
    const env = {
      ...TABLES,
      ...QUEUE,
      FEED_URL_TEMPLATE: 'https://cal.example.com/ics/{token}.ics',
      LOCAL_CIPHER_KEY: Buffer.alloc(32, 1).toString('base64'),
      GOOGLE_CLIENT_ID: 'id',
      GOOGLE_CLIENT_SECRET: 'secret',
      SYNC_HORIZON_PAST_DAYS: '7',
      SYNC_HORIZON_FUTURE_MONTHS: '3',
    };
    const config = parseSyncWorkerConfig(env);
    expect(config.sync.horizon).toEqual({ pastDays: 7, futureMonths: 3 });
    const horizon = buildSyncWorkerServices(config).settings.engine?.horizon?.(
      new Date('2026-11-15T00:00:00Z'),
    );
    expect(horizon).toEqual({ from: new Date('2026-11-08T00:00:00Z'), to: new Date('2027-02-15T00:00:00Z') });
    expect(() => parseSyncWorkerConfig({ ...env, SYNC_HORIZON_PAST_DAYS: '0' })).toThrow(
      /SYNC_HORIZON_PAST_DAYS/,
    );
    expect(() => parseSyncWorkerConfig({ ...env, SYNC_HORIZON_FUTURE_MONTHS: '61' })).toThrow(
      /SYNC_HORIZON_FUTURE_MONTHS/,
    );
  });

  it('the audit interval is configurable within bounds and reaches the engine', () => {
    const env = {
      ...TABLES,
      ...QUEUE,
      FEED_URL_TEMPLATE: 'https://cal.example.com/ics/{token}.ics',
      LOCAL_CIPHER_KEY: Buffer.alloc(32, 1).toString('base64'),
      GOOGLE_CLIENT_ID: 'id',
      GOOGLE_CLIENT_SECRET: 'secret',
      SYNC_AUDIT_INTERVAL_HOURS: '6',
    };
    const config = parseSyncWorkerConfig(env);
    expect(config.sync.auditIntervalHours).toBe(6);
    expect(buildSyncWorkerServices(config).settings.engine?.auditIntervalMs).toBe(6 * 3_600_000);
    expect(() => parseSyncWorkerConfig({ ...env, SYNC_AUDIT_INTERVAL_HOURS: '0' })).toThrow(
      /SYNC_AUDIT_INTERVAL_HOURS/,
    );
    expect(() => parseSyncWorkerConfig({ ...env, SYNC_AUDIT_INTERVAL_HOURS: '721' })).toThrow(
      /SYNC_AUDIT_INTERVAL_HOURS/,
    );
  });

  it('the scheduler needs tables, the sweep queue, interval and retention only', () => {
    const SWEEPS = { SWEEP_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/sweep' };
    const config = parseSchedulerConfig({ ...TABLES, ...SWEEPS, SYNC_INTERVAL_MINUTES: '10' });
    expect(config).toMatchObject({ schedule: { intervalSeconds: 600 }, retention: { needsReauthDays: 30 } });
    expect(() => parseSchedulerConfig({ ...TABLES, ...QUEUE, SYNC_INTERVAL_MINUTES: '10' })).toThrow(
      /SWEEP_QUEUE_URL/,
    );
    expect(() => parseSchedulerConfig({ ...TABLES, ...SWEEPS, POWERTOOLS_LOGGER_LOG_EVENT: 'true' })).toThrow(
      /POWERTOOLS_LOGGER_LOG_EVENT/,
    );
  });
});
