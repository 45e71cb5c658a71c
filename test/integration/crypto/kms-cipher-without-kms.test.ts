import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { DecryptionError, EncryptionError } from '../../../lambdas/shared/adapters/crypto/cipher-errors.ts';
import { KmsCipher } from '../../../lambdas/shared/adapters/crypto/kms-cipher.ts';
import { LocalAesGcmCipher } from '../../../lambdas/shared/adapters/crypto/local-cipher.ts';
import type { EncryptionContext } from '../../../lambdas/shared/ports/cipher.ts';

// What the cipher decides before or without KMS. Its exchanges with KMS (contexts, keys, refusals) are tested
// against a KMS emulator: test/integration/crypto/kms-cipher.test.ts.

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const alice: EncryptionContext = { subscriberId: 'sub-alice', purpose: 'google_refresh_token' };
const refreshToken = '1//0gLx-refresh-token-äöü';

/** A loopback port nothing listens on: every call to it fails to connect, as an unreachable KMS does. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A KMS client whose calls are counted and never leave the process. */
function countingClient(endpoint = 'http://127.0.0.1:9') {
  const client = new KMSClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(context.commandName ?? 'unknown command');
      return next(args);
    },
    { step: 'initialize', name: 'count-calls' },
  );
  return { client, calls };
}

describe('KmsCipher without KMS', () => {
  it('refuses a plaintext over the KMS limit without calling KMS', async () => {
    const { client, calls } = countingClient();
    const error = await new KmsCipher(client, KEY).encrypt('x'.repeat(4097), alice).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EncryptionError', reason: 'too_large' });
    expect(calls).toEqual([]);
  });

  it('refuses a local ciphertext and garbage without calling KMS', async () => {
    const { client, calls } = countingClient();
    const cipher = new KmsCipher(client, KEY);
    const local = await new LocalAesGcmCipher(randomBytes(32).toString('base64')).encrypt(
      refreshToken,
      alice,
    );
    await expect(cipher.decrypt(local, alice)).rejects.toMatchObject({ reason: 'wrong_kind' });
    await expect(cipher.decrypt('not a ciphertext', alice)).rejects.toMatchObject({ reason: 'malformed' });
    await expect(cipher.decrypt('kms1:@@@', alice)).rejects.toMatchObject({ reason: 'malformed' });
    await expect(cipher.decrypt('kms1:', alice)).rejects.toMatchObject({ reason: 'malformed' });
    expect(calls).toEqual([]);
  });

  it('surfaces an unreachable KMS as retryable, never as a refusal, and quotes no secret', async () => {
    const { client, calls } = countingClient(`http://127.0.0.1:${await closedPort()}`);
    const cipher = new KmsCipher(client, KEY);
    const stored = `kms1:${randomBytes(64).toString('base64')}`;
    const decryptError = await cipher.decrypt(stored, alice).catch((e: unknown) => e);
    expect(decryptError).toBeInstanceOf(DecryptionError);
    expect(decryptError).toMatchObject({ reason: 'unavailable', retryable: true });
    expect((decryptError as Error).message).not.toContain(stored.slice(5));

    const encryptError = await cipher.encrypt(refreshToken, alice).catch((e: unknown) => e);
    expect(encryptError).toBeInstanceOf(EncryptionError);
    expect(encryptError).toMatchObject({ reason: 'unavailable' });
    expect((encryptError as Error).message).not.toContain(refreshToken);
    expect(calls).toEqual(['DecryptCommand', 'EncryptCommand']);
  });
});
