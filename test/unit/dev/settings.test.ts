import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withEnvFile } from '../../../dev/env-file.ts';
import { serviceEnvironment } from '../../../dev/service-env.ts';
import { DevSettingsError, parseDevSettings } from '../../../dev/settings.ts';
import { parseCheckConfig } from '../../../lambdas/check/config.ts';
import { parseNotifyConfig } from '../../../lambdas/notify/config.ts';
import { parseOAuthConfig } from '../../../lambdas/oauth/config.ts';
import { parseSchedulerConfig } from '../../../lambdas/scheduler/config.ts';
import { parseSyncWorkerConfig } from '../../../lambdas/sync/config.ts';

const ROOT = path.join(tmpdir(), 'repo');

describe('npm run dev settings', () => {
  it('runs on the fixed defaults against the emulator when nothing is set', () => {
    const settings = parseDevSettings({}, [], ROOT);
    expect(settings).toMatchObject({
      port: 8787,
      emulatorPort: 8788,
      dataDir: path.join(ROOT, '.data'),
      google: { mode: 'emulator' },
      fresh: false,
    });
  });

  it('uses real Google with both credentials, and takes ports, data folder and --fresh', () => {
    const settings = parseDevSettings(
      {
        PORT: '9000',
        GOOGLE_EMULATOR_PORT: '9001',
        DEV_DATA_DIR: 'elsewhere',
        GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com',
        GOOGLE_CLIENT_SECRET: 'secret',
      },
      ['--fresh'],
      ROOT,
    );
    expect(settings).toMatchObject({
      port: 9000,
      emulatorPort: 9001,
      dataDir: path.join(ROOT, 'elsewhere'),
      google: { mode: 'google', clientId: 'id.apps.googleusercontent.com', clientSecret: 'secret' },
      fresh: true,
    });
  });

  it('names every bad setting, never a value', () => {
    let error: unknown;
    try {
      parseDevSettings({ PORT: 'eighty', GOOGLE_CLIENT_ID: 'only-the-id' }, ['--fast'], ROOT);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DevSettingsError);
    const { problems } = error as DevSettingsError;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/PORT: must be a port number/);
    expect(problems.join('\n')).toMatch(/set both to use real Google/);
    expect(problems.join('\n')).not.toContain('only-the-id');
    expect(() => parseDevSettings({ PORT: '9000', GOOGLE_EMULATOR_PORT: '9000' }, [], ROOT)).toThrow(
      /must differ from PORT/,
    );
  });

  it('reads .env under the environment: a variable set in the shell wins', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'env-file-'));
    try {
      const file = path.join(folder, '.env');
      writeFileSync(file, '# comment\nPORT=9100\nGOOGLE_EMULATOR_PORT="9101"\n');
      expect(withEnvFile(file, { PORT: '9200' })).toMatchObject({
        PORT: '9200',
        GOOGLE_EMULATOR_PORT: '9101',
      });
      expect(withEnvFile(path.join(folder, 'missing'), { PORT: '1' })).toEqual({ PORT: '1' });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("the service's environment in the local run", () => {
  const runtime = {
    baseUrl: 'http://127.0.0.1:8787',
    tableNames: {
      connections: 'c',
      syncState: 's',
      eventMap: 'e',
      oauthStates: 'o',
      rateLimits: 'r',
      hostNonces: 'n',
      dataKeys: 'd',
    },
    queueUrl: 'http://127.0.0.1:1/000000000000/q',
    sweepQueueUrl: 'http://127.0.0.1:1/000000000000/sweeps',
    secrets: {
      cipherKey: Buffer.alloc(32, 1).toString('base64'),
      subscriberIdSecret: 'x'.repeat(64),
      hostKeyId: 'demo-host-1',
      hostKey: 'ab'.repeat(32),
    },
    googleBaseUrl: 'http://127.0.0.1:8788/',
    googleClient: { clientId: 'client', clientSecret: 'secret' },
  };

  it('is a valid configuration for every function, with the local defaults', () => {
    const env = serviceEnvironment({}, runtime);
    expect(() => parseOAuthConfig(env)).not.toThrow();
    expect(() => parseNotifyConfig(env)).not.toThrow();
    expect(() => parseSyncWorkerConfig(env)).not.toThrow();
    expect(() => parseCheckConfig(env)).not.toThrow();
    expect(parseSchedulerConfig(env).sweepQueueUrl).toBe(runtime.sweepQueueUrl);
    const oauth = parseOAuthConfig(env);
    expect(oauth.oauth).toMatchObject({
      redirectUri: 'http://127.0.0.1:8787/api/google-oauth/callback',
      returnToAllowList: ['http://127.0.0.1:8787/'],
      cookie: { secure: false },
    });
    expect(oauth.feed.urlTemplate).toBe('http://127.0.0.1:8787/demo/feeds/{token}.ics');
    expect(oauth.intents.mode).toBe('required');
    expect(oauth.google.apiBaseUrl).toBe('http://127.0.0.1:8788/');
    expect(parseSchedulerConfig(env).schedule.intervalSeconds).toBe(60);
    expect(parseNotifyConfig(env).notify.dedupWindowSeconds).toBe(10);
  });

  it("passes the caller's own variables on and drops AWS-only sources", () => {
    const env = serviceEnvironment(
      {
        CALENDAR_NAME: 'Work',
        SYNC_INTERVAL_MINUTES: '5',
        KMS_KEY_ID: 'alias/x',
        HOST_KEYS_SECRET_ARN: 'arn:x',
        GOOGLE_API_BASE_URL: 'http://elsewhere/',
        FEED_URL_TEMPLATE: 'https://cal.example.com/ics/{token}.ics',
      },
      { ...runtime, googleBaseUrl: undefined },
    );
    expect(env).toMatchObject({
      CALENDAR_NAME: 'Work',
      SYNC_INTERVAL_MINUTES: '5',
      FEED_URL_TEMPLATE: 'https://cal.example.com/ics/{token}.ics',
    });
    expect(env.KMS_KEY_ID).toBeUndefined();
    expect(env.HOST_KEYS_SECRET_ARN).toBeUndefined();
    expect(env.GOOGLE_API_BASE_URL).toBeUndefined();
    expect(parseOAuthConfig(env).google.apiBaseUrl).toBeUndefined();
  });
});
