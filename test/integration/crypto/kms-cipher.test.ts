import { CreateAliasCommand, DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError, EncryptionError } from '../../../lambdas/shared/adapters/crypto/cipher-errors.ts';
import { KmsCipher } from '../../../lambdas/shared/adapters/crypto/kms-cipher.ts';
import { KmsKeyService } from '../../../lambdas/shared/adapters/crypto/kms-key-service.ts';
import type { EncryptionContext } from '../../../lambdas/shared/ports/cipher.ts';
import { motoKms, motoKmsKey, motoNote, skipWithoutMoto, useMoto } from '../../support/moto.ts';

const alice: EncryptionContext = { subscriberId: 'sub-alice', purpose: 'google_refresh_token' };
const refreshToken = '1//0gLx-refresh-token-äöü';

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

/**
 * KMS on moto, which enforces encryption contexts and key identity as KMS does: a ciphertext decrypts only under
 * the key and the exact context it was made with. (The unit tests cover what the cipher decides without KMS.)
 */
describe.skipIf(skipWithoutMoto)(`KMS adapters on moto${motoNote}`, () => {
  const moto = useMoto();
  let kms: KMSClient;
  let key: string;
  let otherKey: string;
  beforeAll(async () => {
    kms = motoKms(moto.server);
    [key, otherKey] = [await motoKmsKey(kms), await motoKmsKey(kms)];
  });
  afterAll(() => kms?.destroy());

  const cipher = (keyId = key) => new KmsCipher(kms, keyId);

  describe('KmsCipher (kms1: values)', () => {
    it('round-trips a secret; the stored value is kms1: and base64, without the plaintext', async () => {
      const stored = await cipher().encrypt(refreshToken, alice);
      expect(stored).toMatch(/^kms1:[A-Za-z0-9+/]+=*$/);
      expect(stored).not.toContain(refreshToken);
      expect(await cipher().decrypt(stored, alice)).toBe(refreshToken);
    });

    it('encrypts the UTF-8 bytes under the key and exactly {subscriberId, purpose}: KMS itself says so', async () => {
      const stored = await cipher().encrypt(refreshToken, alice);
      const blob = Buffer.from(stored.slice('kms1:'.length), 'base64');
      const opened = await kms.send(
        new DecryptCommand({
          KeyId: key,
          CiphertextBlob: blob,
          EncryptionContext: { subscriberId: 'sub-alice', purpose: 'google_refresh_token' },
        }),
      );
      expect(Buffer.from(opened.Plaintext ?? []).toString('utf8')).toBe(refreshToken);
      expect(opened.KeyId).toBe(key);
      // Without the context, or with one more pair, KMS refuses.
      for (const EncryptionContext of [undefined, { ...alice, extra: 'x' }]) {
        const refusal = await failureOf(
          kms.send(new DecryptCommand({ KeyId: key, CiphertextBlob: blob, EncryptionContext })),
        );
        expect((refusal as Error).name).toBe('InvalidCiphertextException');
      }
    });

    it.each<[string, EncryptionContext]>([
      ['another subscriber', { subscriberId: 'sub-bob', purpose: 'google_refresh_token' }],
      ['another purpose', { subscriberId: 'sub-alice', purpose: 'feed_token' }],
    ])('refuses to decrypt under %s', async (_, context) => {
      const stored = await cipher().encrypt(refreshToken, alice);
      const error = await failureOf(cipher().decrypt(stored, context));
      expect(error).toBeInstanceOf(DecryptionError);
      expect(error).toMatchObject({ reason: 'refused', retryable: false });
      expect((error as Error).message).toContain('InvalidCiphertextException');
    });

    it('never decrypts a ciphertext made under another key', async () => {
      const stored = await cipher(otherKey).encrypt(refreshToken, alice);
      const error = await failureOf(cipher().decrypt(stored, alice));
      expect(error).toBeInstanceOf(DecryptionError);
      // KMS answers IncorrectKeyException (a refusal); moto answers AccessDeniedException, which the cipher
      // cannot tell from a missing permission (test/README.md: where the backends differ).
      expect((error as Error).message).toMatch(/\((IncorrectKeyException|AccessDeniedException)\)$/);
    });

    it('refuses an altered ciphertext', async () => {
      const stored = await cipher().encrypt(refreshToken, alice);
      const bytes = Buffer.from(stored.slice('kms1:'.length), 'base64');
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      const error = await failureOf(cipher().decrypt(`kms1:${bytes.toString('base64')}`, alice));
      expect(error).toMatchObject({ name: 'DecryptionError', reason: 'refused' });
    });

    it('works under an alias name as under the key ARN', async () => {
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/ics-google-sync-test', TargetKeyId: key }));
      const stored = await cipher('alias/ics-google-sync-test').encrypt(refreshToken, alice);
      expect(await cipher().decrypt(stored, alice)).toBe(refreshToken);
      expect(await cipher('alias/ics-google-sync-test').decrypt(stored, alice)).toBe(refreshToken);
    });

    it('a key KMS does not know is an outage: retryable, never a refusal, and no secret in the message', async () => {
      // A deleted key or a wrong setting: nothing to conclude about the ciphertext. (moto does not enforce a
      // disabled key's state, so that outage is not staged here.)
      const missing = `${key.slice(0, key.lastIndexOf('/'))}/00000000-0000-4000-8000-000000000000`;
      const stored = await cipher().encrypt(refreshToken, alice);
      const decryptError = await failureOf(cipher(missing).decrypt(stored, alice));
      expect(decryptError).toBeInstanceOf(DecryptionError);
      expect(decryptError).toMatchObject({ reason: 'unavailable', retryable: true });
      expect((decryptError as Error).message).toContain('NotFoundException');
      expect((decryptError as Error).message).not.toContain(stored.slice(5));

      const encryptError = await failureOf(cipher(missing).encrypt(refreshToken, alice));
      expect(encryptError).toBeInstanceOf(EncryptionError);
      expect(encryptError).toMatchObject({ reason: 'unavailable' });
      expect((encryptError as Error).message).not.toContain(refreshToken);
    });
  });

  describe('KmsKeyService (data keys)', () => {
    const service = (keyId = key) => new KmsKeyService(kms, keyId);

    it('makes a 256-bit data key that unwraps only under its purpose and data key id', async () => {
      const { plaintext, wrappedKey } = await service().generate('feed_token', 'feed_token-1');
      expect(plaintext).toHaveLength(32);
      expect(wrappedKey).toMatch(/^kms1:/);
      expect((await service().unwrap('feed_token', 'feed_token-1', wrappedKey)).equals(plaintext)).toBe(true);
      for (const [purpose, dataKeyId] of [
        ['feed_token', 'feed_token-2'],
        ['google_refresh_token', 'feed_token-1'],
      ] as const) {
        const error = await failureOf(service().unwrap(purpose, dataKeyId, wrappedKey));
        expect(error, `${purpose} ${dataKeyId}`).toMatchObject({
          name: 'DecryptionError',
          reason: 'refused',
        });
      }
      const otherKeyError = await failureOf(
        service(otherKey).unwrap('feed_token', 'feed_token-1', wrappedKey),
      );
      expect(otherKeyError).toBeInstanceOf(DecryptionError);
      expect((otherKeyError as Error).message).toMatch(/\((IncorrectKeyException|AccessDeniedException)\)$/);
    });

    it('opens the kms1: values KmsCipher made, under their context only', async () => {
      const stored = await cipher().encrypt(refreshToken, alice);
      expect(await service().decrypt(stored, alice)).toBe(refreshToken);
      await expect(service().decrypt(stored, { ...alice, subscriberId: 'sub-bob' })).rejects.toMatchObject({
        reason: 'refused',
      });
    });
  });
});
