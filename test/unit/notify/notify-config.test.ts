import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../../lambdas/notify/config.ts';
import { parseHostKeysText } from '../../../lambdas/shared/domain/host-keys.ts';
import { ConfigError } from '../../../lambdas/shared/wiring/config-parts.ts';

const key = randomBytes(32);
const base = {
  CONNECTIONS_TABLE: 'connections',
  RATE_LIMITS_TABLE: 'rate-limits',
  HOST_NONCES_TABLE: 'host-nonces',
  HOST_KEYS: `k1:${key.toString('base64')}`,
  SUBSCRIBER_ID_SECRET: 's'.repeat(32),
  SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/sync',
};

const problemsOf = (env: Record<string, string | undefined>): string[] => {
  try {
    parseNotifyConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('notify function configuration', () => {
  it('reads only its own variables, with defaults', () => {
    const config = parseNotifyConfig(base);
    expect(config).toMatchObject({
      tables: { connections: 'connections', rateLimits: 'rate-limits', hostNonces: 'host-nonces' },
      hostKeys: { kind: 'environment' },
      notify: { dedupWindowSeconds: 60 },
      rateLimits: { windowSeconds: 60, routes: { notify: { perIp: 120, host: { perKey: 6000 } } } },
    });
  });

  it('takes the keys from Secrets Manager instead', () => {
    const config = parseNotifyConfig({ ...base, HOST_KEYS: undefined, HOST_KEYS_SECRET_ARN: 'arn:keys' });
    expect(config.hostKeys).toEqual({ kind: 'secrets_manager', secretId: 'arn:keys' });
  });

  it('needs exactly one key source, and names bad keys without quoting them', () => {
    expect(problemsOf({ ...base, HOST_KEYS: undefined })).toEqual([
      'HOST_KEYS_SECRET_ARN: set exactly one of HOST_KEYS_SECRET_ARN or HOST_KEYS',
    ]);
    expect(problemsOf({ ...base, HOST_KEYS_SECRET_ARN: 'arn:keys' })).toHaveLength(1);
    const short = 'c2hvcnQta2V5';
    const problems = problemsOf({ ...base, HOST_KEYS: `good:${key.toString('hex')},bad:${short},nokey` });
    expect(problems.join('\n')).toMatch(/key "bad": must be hex or base64 of at least 32 bytes/);
    expect(problems.join('\n')).toMatch(/key #3/);
    expect(problems.join('\n')).not.toContain(short);
    expect(problems.join('\n')).not.toContain(key.toString('hex'));
  });

  it('accepts hex, base64 and base64url keys of 32 bytes or more, and refuses a key id twice', () => {
    const { keys, problems } = parseHostKeysText(
      `a:${key.toString('hex')}, b:${key.toString('base64')},c:${key.toString('base64url')}`,
    );
    expect(problems).toEqual([]);
    expect([...keys.values()].every((k) => k.equals(key))).toBe(true);
    expect(parseHostKeysText(`a:${key.toString('hex')},a:${key.toString('hex')}`).problems).toEqual([
      'key "a": appears twice',
    ]);
  });

  it('bounds the deduplication window by the longest SQS delay', () => {
    expect(problemsOf({ ...base, NOTIFY_DEDUP_SECONDS: '901' })).toEqual([
      'NOTIFY_DEDUP_SECONDS: must be at most 900',
    ]);
  });
});
