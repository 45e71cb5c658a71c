import { describe, expect, it } from 'vitest';
import { DEFAULT_GOOGLE_SCOPE, parseOAuthConfig } from '../../../lambdas/oauth/config.ts';
import { ConfigError } from '../../../lambdas/shared/wiring/config-parts.ts';

const VALID = {
  CONNECTIONS_TABLE: 'connections',
  SYNC_STATE_TABLE: 'sync-state',
  EVENT_MAP_TABLE: 'event-map',
  OAUTH_STATES_TABLE: 'oauth-states',
  RATE_LIMITS_TABLE: 'rate-limits',
  FEED_URL_TEMPLATE: 'https://cal.example.com/ics/{token}.ics',
  OAUTH_REDIRECT_URI: 'https://api.example.com/api/google-oauth/callback',
  RETURN_TO_ALLOWLIST: 'https://app.example.com/settings, https://app.example.com/',
  DEFAULT_RETURN_TO: 'https://app.example.com/settings',
  GOOGLE_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:google',
  KMS_KEY_ID: 'alias/ics-google-sync',
  SUBSCRIBER_ID_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hmac',
  SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/sync',
  HOST_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:host-keys',
  HOST_NONCES_TABLE: 'host-nonces',
};

describe('configuration', () => {
  it('reads a complete AWS environment with defaults', () => {
    const config = parseOAuthConfig(VALID);
    expect(config.oauth.scopes).toEqual([DEFAULT_GOOGLE_SCOPE]);
    expect(config.oauth.returnToAllowList).toEqual([
      'https://app.example.com/settings',
      'https://app.example.com/',
    ]);
    expect(config.google.apiBaseUrl).toBeUndefined();
    expect(config.cipher).toEqual({ kind: 'kms', keyId: 'alias/ics-google-sync' });
    expect(config.google.credentials.kind).toBe('secrets_manager');
    expect(config.calendar).toEqual({ name: 'ICS subscription', timeZone: 'UTC' });
    expect(config.oauth.stateTtlSeconds).toBe(600);
    expect(config.oauth.cookie.secure).toBe(true);
    expect(config.rateLimits.routes.start).toEqual({ perIp: 20, perSubscriber: 10 });
    expect(config.rateLimits.routes.sync).toEqual({
      perIp: 20,
      perSubscriber: 1,
      host: { perKey: 6000, perSubscriber: 1 },
    });
    expect(config.rateLimits.routes.status.host).toEqual({ perKey: 30_000, perSubscriber: 60 });
  });

  it('reads a local environment (emulator, local cipher, secrets in the environment)', () => {
    const config = parseOAuthConfig({
      ...VALID,
      GOOGLE_CLIENT_SECRET_ARN: '',
      GOOGLE_CLIENT_ID: 'client',
      GOOGLE_CLIENT_SECRET: 'secret',
      KMS_KEY_ID: undefined,
      LOCAL_CIPHER_KEY: Buffer.alloc(32, 1).toString('base64'),
      SUBSCRIBER_ID_SECRET_ARN: undefined,
      SUBSCRIBER_ID_SECRET: 'x'.repeat(32),
      GOOGLE_API_BASE_URL: 'http://127.0.0.1:9999',
      RATE_LIMIT_STATUS_PER_IP: '5',
      RATE_LIMIT_HOST_STATUS_PER_KEY: '7',
      CALENDAR_TIME_ZONE: 'Europe/Berlin',
      GOOGLE_SCOPES: 'https://www.googleapis.com/auth/calendar',
    });
    expect(config.google.apiBaseUrl).toBe('http://127.0.0.1:9999');
    expect(config.cipher.kind).toBe('local');
    expect(config.subscriberIdSecret).toEqual({ kind: 'environment', value: 'x'.repeat(32) });
    expect(config.rateLimits.routes.status.perIp).toBe(5);
    expect(config.rateLimits.routes.status.host?.perKey).toBe(7);
    expect(config.calendar.timeZone).toBe('Europe/Berlin');
    expect(config.oauth.scopes).toEqual(['https://www.googleapis.com/auth/calendar']);
  });

  it('requires connect intents by default, with the host keys from one source and the nonce table', () => {
    expect(parseOAuthConfig(VALID).intents).toEqual({
      mode: 'required',
      hostKeys: { kind: 'secrets_manager', secretId: VALID.HOST_KEYS_SECRET_ARN },
      noncesTable: 'host-nonces',
    });
    const key = Buffer.alloc(32, 9).toString('base64');
    const local = parseOAuthConfig({ ...VALID, HOST_KEYS_SECRET_ARN: undefined, HOST_KEYS: `k1:${key}` });
    expect(local.intents).toMatchObject({ hostKeys: { kind: 'environment', text: `k1:${key}` } });
    expect(() => parseOAuthConfig({ ...VALID, HOST_KEYS_SECRET_ARN: undefined })).toThrow(
      /HOST_KEYS_SECRET_ARN/,
    );
    expect(() => parseOAuthConfig({ ...VALID, HOST_NONCES_TABLE: '' })).toThrow(/HOST_NONCES_TABLE/);
    expect(() => parseOAuthConfig({ ...VALID, HOST_KEYS: 'k1:short' })).toThrow(/HOST_KEYS/);
    expect(() => parseOAuthConfig({ ...VALID, CONNECT_INTENTS: 'off' })).toThrow(/CONNECT_INTENTS/);
  });

  it('CONNECT_INTENTS=token_only needs neither keys nor the nonce table', () => {
    const config = parseOAuthConfig({
      ...VALID,
      CONNECT_INTENTS: 'token_only',
      HOST_KEYS_SECRET_ARN: undefined,
      HOST_NONCES_TABLE: undefined,
    });
    expect(config.intents).toEqual({ mode: 'token_only' });
  });

  it('lists every problem at once, by variable name, without values', () => {
    const secretValue = 'short-secret-value';
    let error: unknown;
    try {
      parseOAuthConfig({
        ...VALID,
        CONNECTIONS_TABLE: undefined,
        FEED_URL_TEMPLATE: 'https://cal.example.com/ics/feed.ics',
        KMS_KEY_ID: 'k',
        LOCAL_CIPHER_KEY: 'also',
        SUBSCRIBER_ID_SECRET_ARN: undefined,
        SUBSCRIBER_ID_SECRET: secretValue,
        CALENDAR_TIME_ZONE: 'Mars/Olympus',
        DEFAULT_RETURN_TO: 'https://elsewhere.example/',
        RATE_LIMIT_START_PER_IP: '-1',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    const named = problems.map((problem) => problem.split(':')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'CONNECTIONS_TABLE',
        'FEED_URL_TEMPLATE',
        'KMS_KEY_ID',
        'SUBSCRIBER_ID_SECRET',
        'CALENDAR_TIME_ZONE',
        'RATE_LIMIT_START_PER_IP',
      ]),
    );
    expect(message).not.toContain(secretValue);
  });

  it('refuses a default return page outside the allow-list', () => {
    expect(() => parseOAuthConfig({ ...VALID, DEFAULT_RETURN_TO: 'https://elsewhere.example/' })).toThrow(
      /DEFAULT_RETURN_TO: must be on RETURN_TO_ALLOWLIST/,
    );
  });

  it('refuses allow-list entries with query, hash or credentials', () => {
    expect(() => parseOAuthConfig({ ...VALID, RETURN_TO_ALLOWLIST: 'https://u:p@app.example.com/' })).toThrow(
      /RETURN_TO_ALLOWLIST/,
    );
  });

  it('asks for Google client credentials from one source', () => {
    expect(() => parseOAuthConfig({ ...VALID, GOOGLE_CLIENT_SECRET_ARN: undefined })).toThrow(
      /GOOGLE_CLIENT_SECRET_ARN/,
    );
    expect(() => parseOAuthConfig({ ...VALID, GOOGLE_CLIENT_ID: 'x' })).toThrow(/GOOGLE_CLIENT_SECRET_ARN/);
  });

  it.each([
    ['GOOGLE_SDK_NODE_LOGGING', '*'],
    ['GOOGLE_SDK_NODE_LOGGING', 'oauth2'],
    ['POWERTOOLS_LOGGER_LOG_EVENT', 'true'],
    ['POWERTOOLS_LOGGER_LOG_EVENT', 'TRUE'],
    ['POWERTOOLS_LOGGER_LOG_EVENT', '1'],
  ])('refuses %s=%s: it would write tokens to the logs', (name, value) => {
    let error: unknown;
    try {
      parseOAuthConfig({ ...VALID, [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.split(':')[0])).toEqual([name]);
  });

  it('accepts the logging variables when they log nothing secret', () => {
    expect(() =>
      parseOAuthConfig({ ...VALID, POWERTOOLS_LOGGER_LOG_EVENT: 'false', GOOGLE_SDK_NODE_LOGGING: '' }),
    ).not.toThrow();
  });

  it('keeps a valid feed-token verdict 5 minutes by default; 0 turns it off', () => {
    expect(parseOAuthConfig(VALID).feed.validTokenCacheSeconds).toBe(300);
    expect(parseOAuthConfig({ ...VALID, FEED_TOKEN_CACHE_SECONDS: '0' }).feed.validTokenCacheSeconds).toBe(0);
    expect(() => parseOAuthConfig({ ...VALID, FEED_TOKEN_CACHE_SECONDS: '-1' })).toThrow(
      /FEED_TOKEN_CACHE_SECONDS/,
    );
  });
});
