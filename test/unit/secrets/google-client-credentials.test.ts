import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createGoogleClientCredentialsSource,
  EnvironmentGoogleClientCredentials,
  GoogleClientCredentialsError,
  SecretsManagerGoogleClientCredentials,
} from '../../../lambdas/shared/adapters/secrets/google-client-credentials.ts';

const SECRET_ID = 'ics-google-sync/google-oauth-client';
const CLIENT_SECRET = 'GOCSPX-very-secret-value';
const secretsManager = mockClient(SecretsManagerClient);

const source = (maxAgeSeconds?: number) =>
  new SecretsManagerGoogleClientCredentials({
    secretId: SECRET_ID,
    client: new SecretsManagerClient({ region: 'eu-west-1' }),
    ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
  });

function secretIs(secretString: string): void {
  secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: secretString });
}

async function failure(promise: Promise<unknown>): Promise<GoogleClientCredentialsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GoogleClientCredentialsError);
  return error as GoogleClientCredentialsError;
}

describe('SecretsManagerGoogleClientCredentials', () => {
  beforeEach(() => secretsManager.reset());
  afterEach(() => vi.useRealTimers());

  it('reads the JSON secret by its id', async () => {
    secretIs(
      JSON.stringify({ clientId: 'client-1.apps.googleusercontent.com', clientSecret: CLIENT_SECRET }),
    );
    expect(await source().get()).toEqual({
      clientId: 'client-1.apps.googleusercontent.com',
      clientSecret: CLIENT_SECRET,
    });
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input.SecretId).toBe(SECRET_ID);
  });

  it('caches the secret: two gets, one call to Secrets Manager', async () => {
    secretIs(JSON.stringify({ clientId: 'client-1', clientSecret: CLIENT_SECRET }));
    const credentials = source();
    await credentials.get();
    await credentials.get();
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('reads the secret again once its max age has passed (a rotated secret is picked up)', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z'), toFake: ['Date'] });
    secretIs(JSON.stringify({ clientId: 'client-1', clientSecret: 'old-secret' }));
    const credentials = source(60);
    await credentials.get();
    secretIs(JSON.stringify({ clientId: 'client-1', clientSecret: 'new-secret' }));
    vi.setSystemTime(new Date('2026-01-01T00:00:59Z'));
    expect((await credentials.get()).clientSecret).toBe('old-secret');
    vi.setSystemTime(new Date('2026-01-01T00:01:01Z'));
    expect((await credentials.get()).clientSecret).toBe('new-secret');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a secret that is not JSON, without quoting it (JSON.parse errors quote their input)', async () => {
    secretIs('{"clientId": "c", "clientSecret": GOCSPX-unquoted}');
    const error = await failure(source().get());
    expect(error.reason).toBe('malformed');
    expect(error.message).not.toContain('GOCSPX');
    expect(error.cause).toBeUndefined();
  });

  it.each(['[]', '"just a string"', 'null', '42'])(
    'refuses JSON that is not an object: %s',
    async (value) => {
      secretIs(value);
      expect((await failure(source().get())).reason).toBe('malformed');
    },
  );

  it('names the missing field and never prints the secret', async () => {
    secretIs(JSON.stringify({ clientSecret: CLIENT_SECRET }));
    const error = await failure(source().get());
    expect(error.reason).toBe('incomplete');
    expect(error.message).toContain('clientId');
    expect(error.message).not.toContain('clientSecret');
    expect(error.message).not.toContain(CLIENT_SECRET);
  });

  it('names every empty or mistyped field', async () => {
    secretIs(JSON.stringify({ clientId: '  ', clientSecret: 42 }));
    const error = await failure(source().get());
    expect(error.message).toMatch(/clientId.*clientSecret/);
  });

  it('does not cache a failed read', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }))
      .resolves({ SecretString: JSON.stringify({ clientId: 'client-1', clientSecret: CLIENT_SECRET }) });
    const credentials = source();
    const error = await failure(credentials.get());
    expect(error.reason).toBe('unavailable');
    expect(error.message).toContain('ResourceNotFoundException');
    expect((await credentials.get()).clientId).toBe('client-1');
  });
});

describe('EnvironmentGoogleClientCredentials', () => {
  it('reads GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET', async () => {
    const env = { GOOGLE_CLIENT_ID: 'local-client', GOOGLE_CLIENT_SECRET: CLIENT_SECRET };
    expect(await new EnvironmentGoogleClientCredentials(env).get()).toEqual({
      clientId: 'local-client',
      clientSecret: CLIENT_SECRET,
    });
  });

  it('names the missing variable', async () => {
    const error = await failure(
      new EnvironmentGoogleClientCredentials({ GOOGLE_CLIENT_ID: 'local-client' }).get(),
    );
    expect(error.reason).toBe('incomplete');
    expect(error.message).toContain('GOOGLE_CLIENT_SECRET');
    expect(error.message).not.toContain('GOOGLE_CLIENT_ID');
  });

  it('names both variables when neither is set, and never prints a value', async () => {
    const error = await failure(new EnvironmentGoogleClientCredentials({ GOOGLE_CLIENT_SECRET: ' ' }).get());
    expect(error.message).toContain('GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET');
  });
});

describe('createGoogleClientCredentialsSource', () => {
  it('reads Secrets Manager when a secret is configured', async () => {
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ clientId: 'from-secret', clientSecret: CLIENT_SECRET }),
    });
    const credentials = createGoogleClientCredentialsSource({ kind: 'secrets_manager', secretId: SECRET_ID });
    expect(credentials).toBeInstanceOf(SecretsManagerGoogleClientCredentials);
    expect((await credentials.get()).clientId).toBe('from-secret');
  });

  it('reads the environment otherwise', async () => {
    const env = { GOOGLE_CLIENT_ID: 'from-env', GOOGLE_CLIENT_SECRET: CLIENT_SECRET };
    expect((await createGoogleClientCredentialsSource({ kind: 'environment' }, env).get()).clientId).toBe(
      'from-env',
    );
  });
});
