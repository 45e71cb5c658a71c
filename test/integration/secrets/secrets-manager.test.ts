import { randomBytes } from 'node:crypto';
import { PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createGoogleClientCredentialsSource,
  GoogleClientCredentialsError,
  SecretsManagerGoogleClientCredentials,
} from '../../../lambdas/shared/adapters/secrets/google-client-credentials.ts';
import {
  HostKeysError,
  SecretsManagerHostKeyRing,
} from '../../../lambdas/shared/adapters/secrets/host-keys.ts';
import { motoNote, motoSecret, motoSecretsManager, skipWithoutMoto, useMoto } from '../../support/moto.ts';

const CLIENT_SECRET = 'GOCSPX-very-secret-value';

let secretCounter = 0;
/** A secret name of its own for each test: the file's tests share one server. */
const uniqueName = (what: string) => `ics-google-sync/${what}-${++secretCounter}`;

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

/** The GetSecretValue calls a client sends (the server stays real; only the calls are counted). */
function countReads(client: SecretsManagerClient): { reads: () => number } {
  let reads = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetSecretValueCommand') reads++;
      return next(args);
    },
    { step: 'initialize', name: `count-reads-${secretCounter}` },
  );
  return { reads: () => reads };
}

describe.skipIf(skipWithoutMoto)(`Secrets Manager readers on moto${motoNote}`, () => {
  const moto = useMoto();
  let secrets: SecretsManagerClient;
  beforeAll(() => {
    secrets = motoSecretsManager(moto.server);
  });
  afterAll(() => secrets?.destroy());
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  describe('SecretsManagerGoogleClientCredentials', () => {
    const source = (secretId: string, maxAgeSeconds?: number) =>
      new SecretsManagerGoogleClientCredentials({
        secretId,
        client: secrets,
        ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
      });

    async function failure(promise: Promise<unknown>): Promise<GoogleClientCredentialsError> {
      const error = await failureOf(promise);
      expect(error).toBeInstanceOf(GoogleClientCredentialsError);
      return error as GoogleClientCredentialsError;
    }

    it('reads the JSON secret by name and by ARN', async () => {
      const name = uniqueName('google-oauth-client');
      const value = { clientId: 'client-1.apps.googleusercontent.com', clientSecret: CLIENT_SECRET };
      const arn = await motoSecret(secrets, name, JSON.stringify(value));
      expect(await source(name).get()).toEqual(value);
      expect(await source(arn).get()).toEqual(value);
    });

    it('caches the secret, and reads it again once its max age has passed (a rotated secret is picked up)', async () => {
      vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z'), toFake: ['Date'] });
      const name = uniqueName('google-oauth-client');
      await motoSecret(secrets, name, JSON.stringify({ clientId: 'client-1', clientSecret: 'old-secret' }));
      const counter = countReads(secrets);
      const credentials = source(name, 60);
      await credentials.get();
      await secrets.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: JSON.stringify({ clientId: 'client-1', clientSecret: 'new-secret' }),
        }),
      );
      vi.setSystemTime(new Date('2026-01-01T00:00:59Z'));
      expect((await credentials.get()).clientSecret).toBe('old-secret');
      expect(counter.reads()).toBe(1);
      vi.setSystemTime(new Date('2026-01-01T00:01:01Z'));
      expect((await credentials.get()).clientSecret).toBe('new-secret');
      expect(counter.reads()).toBe(2);
    });

    it('refuses a secret that is not JSON, without quoting it (JSON.parse errors quote their input)', async () => {
      const name = uniqueName('google-oauth-client');
      await motoSecret(secrets, name, '{"clientId": "c", "clientSecret": GOCSPX-unquoted}');
      const error = await failure(source(name).get());
      expect(error.reason).toBe('malformed');
      expect(error.message).not.toContain('GOCSPX');
      expect(error.cause).toBeUndefined();
    });

    it.each(['[]', '"just a string"', 'null', '42'])(
      'refuses JSON that is not an object: %s',
      async (value) => {
        const name = uniqueName('google-oauth-client');
        await motoSecret(secrets, name, value);
        expect((await failure(source(name).get())).reason).toBe('malformed');
      },
    );

    it('names the missing, empty or mistyped fields and never prints the secret', async () => {
      const missing = uniqueName('google-oauth-client');
      await motoSecret(secrets, missing, JSON.stringify({ clientSecret: CLIENT_SECRET }));
      const error = await failure(source(missing).get());
      expect(error.reason).toBe('incomplete');
      expect(error.message).toContain('clientId');
      expect(error.message).not.toContain('clientSecret');
      expect(error.message).not.toContain(CLIENT_SECRET);

      const mistyped = uniqueName('google-oauth-client');
      await motoSecret(secrets, mistyped, JSON.stringify({ clientId: '  ', clientSecret: 42 }));
      expect((await failure(source(mistyped).get())).message).toMatch(/clientId.*clientSecret/);
    });

    it('reports a missing secret as unavailable, and does not cache the failure', async () => {
      const name = uniqueName('google-oauth-client');
      const credentials = source(name);
      const error = await failure(credentials.get());
      expect(error.reason).toBe('unavailable');
      expect(error.message).toContain('ResourceNotFoundException');
      await motoSecret(secrets, name, JSON.stringify({ clientId: 'client-1', clientSecret: CLIENT_SECRET }));
      expect((await credentials.get()).clientId).toBe('client-1');
    });

    it('with the default client, reads the secret wherever the environment points the SDK (as in Lambda)', async () => {
      for (const [variable, value] of Object.entries(moto.server.environment())) vi.stubEnv(variable, value);
      const name = uniqueName('google-oauth-client');
      await motoSecret(
        secrets,
        name,
        JSON.stringify({ clientId: 'from-secret', clientSecret: CLIENT_SECRET }),
      );
      const credentials = createGoogleClientCredentialsSource({ kind: 'secrets_manager', secretId: name });
      expect(credentials).toBeInstanceOf(SecretsManagerGoogleClientCredentials);
      expect((await credentials.get()).clientId).toBe('from-secret');
    });
  });

  describe('SecretsManagerHostKeyRing', () => {
    const ring = (secretId: string) => new SecretsManagerHostKeyRing({ secretId, client: secrets });

    it('reads every key of the JSON secret (rotation: old and new at once)', async () => {
      const [current, previous] = [randomBytes(32), randomBytes(48)];
      const name = uniqueName('host-keys');
      await motoSecret(
        secrets,
        name,
        JSON.stringify({ current: current.toString('base64'), previous: previous.toString('hex') }),
      );
      const keys = ring(name);
      expect((await keys.keyFor('current'))?.equals(current)).toBe(true);
      expect((await keys.keyFor('previous'))?.equals(previous)).toBe(true);
      expect(await keys.keyFor('other')).toBeUndefined();
    });

    it('refuses a malformed secret without quoting it', async () => {
      const weak = 'c2hvcnQ=';
      for (const value of ['{"k1": ', '["a"]', JSON.stringify({ k1: weak }), '{}']) {
        const name = uniqueName('host-keys');
        await motoSecret(secrets, name, value);
        const error = await failureOf(ring(name).keyFor('k1'));
        expect(error, value).toBeInstanceOf(HostKeysError);
        expect((error as Error).message).not.toContain(weak);
      }
    });

    it('names a missing secret without any value', async () => {
      const error = await failureOf(ring(uniqueName('host-keys')).keyFor('k1'));
      expect(error).toBeInstanceOf(HostKeysError);
      expect((error as Error).message).toContain('ResourceNotFoundException');
    });
  });
});
