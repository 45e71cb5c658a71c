import { describe, expect, it } from 'vitest';
import { CHECK_VARIABLES, parseCheckConfig } from '../../../lambdas/check/config.ts';
import { ConfigError } from '../../../lambdas/shared/wiring/config-parts.ts';

const env = {
  CONNECTIONS_TABLE: 'connections',
  SYNC_STATE_TABLE: 'sync-state',
  KMS_KEY_ID: 'alias/tokens',
  DATA_KEYS_TABLE: 'data-keys',
  FEED_URL_TEMPLATE: 'https://ics.example.test/feed/{token}.ics',
  SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/sync',
  SWEEP_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/sweeps',
};

describe('the check configuration', () => {
  it('reads the tables, the feed-token cipher and the queues; never Google credentials', () => {
    expect(parseCheckConfig(env)).toMatchObject({
      tables: { connections: 'connections', syncState: 'sync-state' },
      cipher: { kind: 'kms', keyId: 'alias/tokens', dataKeys: 'data-keys' },
      syncQueueUrl: env.SYNC_QUEUE_URL,
      sweepQueueUrl: env.SWEEP_QUEUE_URL,
      check: { intervalSeconds: 900, concurrency: 32, auditIntervalHours: 24, maxUnitsPerDay: 20_000 },
    });
    expect(CHECK_VARIABLES).not.toContain('GOOGLE_CLIENT_SECRET');
    expect(CHECK_VARIABLES).not.toContain('GOOGLE_CLIENT_SECRET_ARN');
    expect(CHECK_VARIABLES).not.toContain('EVENT_MAP_TABLE');
  });

  it('needs exactly one key and a sweep queue, and bounds the concurrency', () => {
    const { KMS_KEY_ID: _key, SWEEP_QUEUE_URL: _queue, ...rest } = env;
    const problems = (() => {
      try {
        parseCheckConfig({ ...rest, CHECK_CONCURRENCY: '1000' });
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    })();
    expect(problems.join('\n')).toMatch(/SWEEP_QUEUE_URL/);
    expect(problems.join('\n')).toMatch(/KMS_KEY_ID: set exactly one/);
    expect(problems.join('\n')).toMatch(/CHECK_CONCURRENCY: must be at most 256/);
    expect(() => parseCheckConfig({ ...env, LOCAL_CIPHER_KEY: 'a' })).toThrow(ConfigError);
  });
});
