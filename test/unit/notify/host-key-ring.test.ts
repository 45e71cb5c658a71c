import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  HostKeysError,
  SecretsManagerHostKeyRing,
} from '../../../lambdas/shared/adapters/secrets/host-keys.ts';

const SECRET_ID = 'ics-google-sync/host-keys';
const secretsManager = mockClient(SecretsManagerClient);
const ring = () =>
  new SecretsManagerHostKeyRing({
    secretId: SECRET_ID,
    client: new SecretsManagerClient({ region: 'eu-west-1' }),
  });
const secretIs = (value: string) =>
  secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: value });

describe('host keys from Secrets Manager', () => {
  beforeEach(() => secretsManager.reset());

  it('reads every key of the JSON secret (rotation: old and new at once)', async () => {
    const [current, previous] = [randomBytes(32), randomBytes(48)];
    secretIs(JSON.stringify({ current: current.toString('base64'), previous: previous.toString('hex') }));
    const keys = ring();
    expect((await keys.keyFor('current'))?.equals(current)).toBe(true);
    expect((await keys.keyFor('previous'))?.equals(previous)).toBe(true);
    expect(await keys.keyFor('other')).toBeUndefined();
  });

  it('refuses a malformed secret without quoting it', async () => {
    const weak = 'c2hvcnQ=';
    for (const value of ['{"k1": ', '["a"]', JSON.stringify({ k1: weak }), '{}']) {
      secretsManager.reset();
      secretIs(value);
      const error = await ring()
        .keyFor('k1')
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error, value).toBeInstanceOf(HostKeysError);
      expect((error as Error).message).not.toContain(weak);
    }
  });
});
