import { randomBytes } from 'node:crypto';
import {
  DecryptCommand,
  EncryptCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KeyUnavailableException,
  KMSClient,
  KMSInternalException,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecryptionError, EncryptionError } from '../../../lambdas/shared/adapters/crypto/cipher-errors.ts';
import { KmsCipher } from '../../../lambdas/shared/adapters/crypto/kms-cipher.ts';
import { LocalAesGcmCipher } from '../../../lambdas/shared/adapters/crypto/local-cipher.ts';
import type { EncryptionContext } from '../../../lambdas/shared/ports/cipher.ts';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/0000ffff-12ab-34cd-56ef-1234567890ab';
const alice: EncryptionContext = { subscriberId: 'sub-alice', purpose: 'google_refresh_token' };
const refreshToken = '1//0gLx-refresh-token-äöü';

const kms = mockClient(KMSClient);

/**
 * Behaves like KMS for what the cipher relies on: a ciphertext decrypts only under the key and the exact
 * encryption context it was made with; otherwise IncorrectKeyException / InvalidCiphertextException.
 */
function fakeKms(): void {
  const made = new Map<string, { plaintext: Uint8Array; context: Record<string, string>; keyId: string }>();
  kms.on(EncryptCommand).callsFake((input: EncryptCommand['input']) => {
    const blob = randomBytes(48);
    made.set(Buffer.from(blob).toString('hex'), {
      plaintext: Uint8Array.from(input.Plaintext ?? []),
      context: { ...input.EncryptionContext },
      keyId: input.KeyId as string,
    });
    return { CiphertextBlob: blob, KeyId: input.KeyId };
  });
  kms.on(DecryptCommand).callsFake((input: DecryptCommand['input']) => {
    const entry = made.get(Buffer.from(input.CiphertextBlob ?? []).toString('hex'));
    if (entry && input.KeyId !== undefined && input.KeyId !== entry.keyId) {
      throw new IncorrectKeyException({
        message: 'The key ID in the request does not identify a CMK',
        $metadata: {},
      });
    }
    const sameContext =
      entry &&
      JSON.stringify(sortedEntries(entry.context)) === JSON.stringify(sortedEntries(input.EncryptionContext));
    if (!entry || !sameContext) {
      throw new InvalidCiphertextException({ message: '', $metadata: {} });
    }
    return { Plaintext: entry.plaintext, KeyId: entry.keyId };
  });
}

const sortedEntries = (record: Record<string, string> = {}) => Object.entries(record).sort();

describe('KmsCipher', () => {
  beforeEach(() => {
    kms.reset();
    fakeKms();
  });
  afterEach(() => kms.reset());

  const cipher = () => new KmsCipher(new KMSClient({ region: 'eu-west-1' }), KEY);

  it('sends Encrypt with the key, the encryption context and the UTF-8 bytes of the plaintext', async () => {
    const stored = await cipher().encrypt(refreshToken, alice);

    const [call] = kms.commandCalls(EncryptCommand);
    expect(kms.commandCalls(EncryptCommand)).toHaveLength(1);
    const input = call?.args[0].input;
    expect(input?.KeyId).toBe(KEY);
    expect(input?.EncryptionContext).toEqual({ subscriberId: 'sub-alice', purpose: 'google_refresh_token' });
    expect(Buffer.from(input?.Plaintext ?? []).equals(Buffer.from(refreshToken, 'utf8'))).toBe(true);
    expect(stored).toMatch(/^kms1:[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain(refreshToken);
  });

  it('sends Decrypt with the key, the encryption context and the stored ciphertext bytes', async () => {
    const stored = await cipher().encrypt(refreshToken, alice);
    await cipher().decrypt(stored, alice);

    const input = kms.commandCalls(DecryptCommand)[0]?.args[0].input;
    expect(input?.KeyId).toBe(KEY);
    expect(input?.EncryptionContext).toEqual({ subscriberId: 'sub-alice', purpose: 'google_refresh_token' });
    expect(Buffer.from(input?.CiphertextBlob ?? []).toString('base64')).toBe(stored.slice('kms1:'.length));
  });

  it('round-trips a secret', async () => {
    const c = cipher();
    expect(await c.decrypt(await c.encrypt(refreshToken, alice), alice)).toBe(refreshToken);
  });

  it.each<[string, EncryptionContext]>([
    ['another subscriber', { subscriberId: 'sub-bob', purpose: 'google_refresh_token' }],
    ['another purpose', { subscriberId: 'sub-alice', purpose: 'feed_token' }],
  ])('refuses to decrypt under %s', async (_, context) => {
    const c = cipher();
    const stored = await c.encrypt(refreshToken, alice);
    const error = await c.decrypt(stored, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect(error).toMatchObject({ reason: 'refused', retryable: false });
    expect((error as Error).message).toContain('InvalidCiphertextException');
  });

  it('refuses a ciphertext made under another key', async () => {
    const stored = await new KmsCipher(new KMSClient({ region: 'eu-west-1' }), OTHER_KEY).encrypt(
      refreshToken,
      alice,
    );
    const error = await cipher()
      .decrypt(stored, alice)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect(error).toMatchObject({ reason: 'refused' });
    expect((error as Error).message).toContain('IncorrectKeyException');
  });

  it('surfaces KMS outages as retryable, never as a refusal of the ciphertext', async () => {
    const stored = await cipher().encrypt(refreshToken, alice);
    kms
      .on(DecryptCommand)
      .rejects(new KeyUnavailableException({ message: 'key unavailable', $metadata: {} }));
    const error = await cipher()
      .decrypt(stored, alice)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect(error).toMatchObject({ reason: 'unavailable', retryable: true });
    expect((error as Error).message).not.toContain(stored.slice(5));
  });

  it('surfaces a failing Encrypt as a typed EncryptionError', async () => {
    kms.on(EncryptCommand).rejects(new KMSInternalException({ message: 'internal', $metadata: {} }));
    const error = await cipher()
      .encrypt(refreshToken, alice)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EncryptionError);
    expect(error).toMatchObject({ reason: 'unavailable' });
    expect((error as Error).message).not.toContain(refreshToken);
  });

  it('refuses a plaintext over the KMS limit without calling KMS', async () => {
    const error = await cipher()
      .encrypt('x'.repeat(4097), alice)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EncryptionError', reason: 'too_large' });
    expect(kms.commandCalls(EncryptCommand)).toHaveLength(0);
  });

  it('refuses a local ciphertext and garbage without calling KMS', async () => {
    const local = await new LocalAesGcmCipher(randomBytes(32).toString('base64')).encrypt(
      refreshToken,
      alice,
    );
    await expect(cipher().decrypt(local, alice)).rejects.toMatchObject({ reason: 'wrong_kind' });
    await expect(cipher().decrypt('not a ciphertext', alice)).rejects.toMatchObject({ reason: 'malformed' });
    await expect(cipher().decrypt('kms1:@@@', alice)).rejects.toMatchObject({ reason: 'malformed' });
    await expect(cipher().decrypt('kms1:', alice)).rejects.toMatchObject({ reason: 'malformed' });
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(0);
  });
});
