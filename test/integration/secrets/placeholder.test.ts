/**
 * The stack creates the secrets an operator sets with a JSON placeholder (lib/constructs/data.ts): the readers
 * recognise it and refuse with SecretNotSetError, which the API answers 503 `secret_not_set` and logs naming
 * the secret; a value set wrongly keeps its own error.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerGoogleClientCredentials } from '../../../lambdas/shared/adapters/secrets/google-client-credentials.ts';
import {
  HostKeysError,
  SecretsManagerHostKeyRing,
} from '../../../lambdas/shared/adapters/secrets/host-keys.ts';
import {
  SECRET_PLACEHOLDER,
  SecretNotSetError,
} from '../../../lambdas/shared/adapters/secrets/secret-not-set.ts';
import { motoNote, motoSecret, motoSecretsManager, skipWithoutMoto, useMoto } from '../../support/moto.ts';

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe.skipIf(skipWithoutMoto)(`secrets not set yet${motoNote}`, () => {
  const moto = useMoto();
  let secrets: SecretsManagerClient;
  beforeAll(() => {
    secrets = motoSecretsManager(moto.server);
  });
  afterAll(() => secrets?.destroy());

  it('the Google client reader reports the placeholder as not set, naming the secret', async () => {
    const arn = await motoSecret(secrets, 'placeholder/google-client', JSON.stringify(SECRET_PLACEHOLDER));
    const error = await failureOf(
      new SecretsManagerGoogleClientCredentials({ secretId: arn, client: secrets }).get(),
    );
    expect(error).toBeInstanceOf(SecretNotSetError);
    expect(error).toMatchObject({ statusCode: 503, code: 'secret_not_set', secretId: arn });
  });

  it('the host key reader reports the placeholder as not set, and a wrong value as it did', async () => {
    const arn = await motoSecret(secrets, 'placeholder/host-keys', JSON.stringify(SECRET_PLACEHOLDER));
    const error = await failureOf(
      new SecretsManagerHostKeyRing({ secretId: arn, client: secrets }).keyFor('k1'),
    );
    expect(error).toBeInstanceOf(SecretNotSetError);
    expect(error).toMatchObject({ statusCode: 503, code: 'secret_not_set', secretId: arn });

    const wrong = await motoSecret(
      secrets,
      'placeholder/host-keys-wrong',
      JSON.stringify({ notSetYet: 'no' }),
    );
    const refused = await failureOf(
      new SecretsManagerHostKeyRing({ secretId: wrong, client: secrets }).keyFor('k1'),
    );
    expect(refused).toBeInstanceOf(HostKeysError);
  });
});
