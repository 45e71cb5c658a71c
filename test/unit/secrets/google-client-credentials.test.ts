import { describe, expect, it } from 'vitest';
import {
  createGoogleClientCredentialsSource,
  EnvironmentGoogleClientCredentials,
  GoogleClientCredentialsError,
} from '../../../lambdas/shared/adapters/secrets/google-client-credentials.ts';

// The Secrets Manager source is tested against a Secrets Manager emulator:
// test/integration/secrets/secrets-manager.test.ts.

const CLIENT_SECRET = 'GOCSPX-very-secret-value';

async function failure(promise: Promise<unknown>): Promise<GoogleClientCredentialsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GoogleClientCredentialsError);
  return error as GoogleClientCredentialsError;
}

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
  it('reads the environment when no secret is configured', async () => {
    const env = { GOOGLE_CLIENT_ID: 'from-env', GOOGLE_CLIENT_SECRET: CLIENT_SECRET };
    expect((await createGoogleClientCredentialsSource({ kind: 'environment' }, env).get()).clientId).toBe(
      'from-env',
    );
  });
});
