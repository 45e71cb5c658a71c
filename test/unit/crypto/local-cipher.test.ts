import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError } from '../../../lambdas/shared/adapters/crypto/cipher-errors.ts';
import { createCipher } from '../../../lambdas/shared/adapters/crypto/create-cipher.ts';
import { KmsCipher } from '../../../lambdas/shared/adapters/crypto/kms-cipher.ts';
import {
  canonicalContext,
  deriveLocalCipherKey,
  LocalAesGcmCipher,
  LocalCipherKeyError,
} from '../../../lambdas/shared/adapters/crypto/local-cipher.ts';
import type { EncryptionContext } from '../../../lambdas/shared/ports/cipher.ts';

const newKey = () => randomBytes(32).toString('base64');
const alice: EncryptionContext = { subscriberId: 'sub-alice', purpose: 'google_refresh_token' };
const secret = '1//0gLx-refresh-token-äöü';

async function refusal(promise: Promise<unknown>): Promise<DecryptionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DecryptionError);
  return error as DecryptionError;
}

/** Flips one bit of the decoded payload at `offset`, keeping the prefix. */
function flipBit(stored: string, offset: number): string {
  const bytes = Buffer.from(stored.slice('local1:'.length), 'base64');
  bytes[offset] = (bytes[offset] as number) ^ 0x01;
  return `local1:${bytes.toString('base64')}`;
}

describe('LocalAesGcmCipher', () => {
  const cipher = new LocalAesGcmCipher(newKey());

  it('round-trips a secret in the local1 format, the plaintext nowhere in it', async () => {
    const stored = await cipher.encrypt(secret, alice);
    expect(stored).toMatch(/^local1:[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(stored.slice(7), 'base64').byteLength).toBe(12 + 16 + Buffer.byteLength(secret));
    expect(stored).not.toContain(secret);
    expect(await cipher.decrypt(stored, alice)).toBe(secret);
  });

  it('round-trips the empty string', async () => {
    expect(await cipher.decrypt(await cipher.encrypt('', alice), alice)).toBe('');
  });

  it('binds the context whatever order its fields were written in', async () => {
    const stored = await cipher.encrypt(secret, alice);
    const reordered = { purpose: 'google_refresh_token', subscriberId: 'sub-alice' } as EncryptionContext;
    expect(await cipher.decrypt(stored, reordered)).toBe(secret);
    expect(canonicalContext(reordered).toString()).toBe(
      '{"purpose":"google_refresh_token","subscriberId":"sub-alice"}',
    );
  });

  it.each<[string, EncryptionContext]>([
    ['another subscriber', { subscriberId: 'sub-bob', purpose: 'google_refresh_token' }],
    ['another purpose', { subscriberId: 'sub-alice', purpose: 'feed_token' }],
  ])('refuses to decrypt under %s', async (_, context) => {
    const stored = await cipher.encrypt(secret, alice);
    const error = await refusal(cipher.decrypt(stored, context));
    expect(error.reason).toBe('refused');
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain(stored.slice(7));
  });

  it.each([
    ['the iv', 0],
    ['the tag', 12],
    ['the ciphertext', 12 + 16 + 3],
  ])('refuses a ciphertext with a bit flipped in %s', async (_, offset) => {
    const stored = await cipher.encrypt(secret, alice);
    expect((await refusal(cipher.decrypt(flipBit(stored, offset), alice))).reason).toBe('refused');
  });

  it('refuses a ciphertext made under another key', async () => {
    const stored = await new LocalAesGcmCipher(newKey()).encrypt(secret, alice);
    expect((await refusal(cipher.decrypt(stored, alice))).reason).toBe('refused');
  });

  it('gives a different ciphertext for each encryption of the same plaintext', async () => {
    const first = await cipher.encrypt(secret, alice);
    const second = await cipher.encrypt(secret, alice);
    expect(first).not.toBe(second);
    expect(first.slice(7, 23)).not.toBe(second.slice(7, 23)); // fresh iv
  });

  it('refuses a KMS ciphertext, garbage and truncated input with typed reasons', async () => {
    expect((await refusal(cipher.decrypt('kms1:AQIDBAUGBwgJCgsMDQ4PEA==', alice))).reason).toBe('wrong_kind');
    expect((await refusal(cipher.decrypt('hello', alice))).reason).toBe('malformed');
    expect((await refusal(cipher.decrypt('local1:not base64!', alice))).reason).toBe('malformed');
    expect((await refusal(cipher.decrypt('local1:AAAA', alice))).reason).toBe('malformed');
  });

  it('refuses keys that are not 32 bytes of base64, without echoing them', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => new LocalAesGcmCipher(short)).toThrow(LocalCipherKeyError);
    expect(() => new LocalAesGcmCipher('correct horse battery staple')).toThrow(LocalCipherKeyError);
    try {
      new LocalAesGcmCipher(short);
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
  });

  it('derives a stable key from a passphrase for the local run', async () => {
    const key = deriveLocalCipherKey('local passphrase');
    expect(deriveLocalCipherKey('local passphrase')).toBe(key);
    expect(deriveLocalCipherKey('other passphrase')).not.toBe(key);
    const stored = await new LocalAesGcmCipher(key).encrypt(secret, alice);
    expect(await new LocalAesGcmCipher(deriveLocalCipherKey('local passphrase')).decrypt(stored, alice)).toBe(
      secret,
    );
    expect(() => deriveLocalCipherKey('')).toThrow(LocalCipherKeyError);
  });
});

describe('createCipher', () => {
  it('builds the local cipher from a configured key, and refuses a bad key', async () => {
    const key = newKey();
    const stored = await createCipher({ kind: 'local', keyBase64: key }).encrypt(secret, alice);
    expect(await new LocalAesGcmCipher(key).decrypt(stored, alice)).toBe(secret);
    expect(() => createCipher({ kind: 'local', keyBase64: 'short' })).toThrow(LocalCipherKeyError);
  });

  it('builds the KMS cipher for a key id', () => {
    expect(createCipher({ kind: 'kms', keyId: 'alias/ics-google-sync' })).toBeInstanceOf(KmsCipher);
  });
});
