import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import type { Cipher, EncryptionContext } from '../../ports/cipher.ts';
import { DecryptionError } from './cipher-errors.ts';
import { decodeCiphertext, encodeCiphertext } from './ciphertext-format.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key given to LocalAesGcmCipher is not 32 bytes of base64; the message never contains the key. */
export class LocalCipherKeyError extends Error {
  override readonly name = 'LocalCipherKeyError';
}

/**
 * AES-256-GCM cipher for the local run and tests, where no KMS exists. It binds the encryption context as
 * additional authenticated data, so it refuses a wrong subscriber or purpose exactly like KMS does.
 * Stored form: `local1:<base64(iv | tag | ciphertext)>`.
 */
export class LocalAesGcmCipher implements Cipher {
  private readonly key: Buffer;

  /** @param keyBase64 32 random bytes, base64 (configuration; see deriveLocalCipherKey for a local run). */
  constructor(keyBase64: string) {
    const key = Buffer.from(keyBase64, 'base64');
    if (key.byteLength !== KEY_BYTES || key.toString('base64') !== keyBase64.trim()) {
      throw new LocalCipherKeyError(`the local cipher key must be ${KEY_BYTES} bytes, base64-encoded`);
    }
    this.key = key;
  }

  async encrypt(plaintext: string, context: EncryptionContext): Promise<string> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(canonicalContext(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return encodeCiphertext('local1', Buffer.concat([iv, cipher.getAuthTag(), body]));
  }

  async decrypt(ciphertext: string, context: EncryptionContext): Promise<string> {
    const bytes = decodeCiphertext('local1', ciphertext);
    if (bytes.byteLength < IV_BYTES + TAG_BYTES) {
      throw new DecryptionError('malformed', 'the local1 ciphertext is truncated');
    }
    const iv = bytes.subarray(0, IV_BYTES);
    const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(canonicalContext(context));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new DecryptionError('refused', 'authentication failed (other context, other key, or tampered)');
    }
  }
}

/** Sorted keys, JSON: the same context always gives the same bytes, whatever order its fields were written in. */
export function canonicalContext(context: EncryptionContext | Record<string, string>): Buffer {
  const sorted = Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return Buffer.from(JSON.stringify(sorted), 'utf8');
}

/**
 * A local-run key derived from a passphrase (scrypt), as base64 for LocalAesGcmCipher. The salt is fixed per
 * purpose on purpose: the same passphrase must give the same key on every start, or stored secrets are lost.
 */
export function deriveLocalCipherKey(passphrase: string, salt = 'ics-google-sync local cipher v1'): string {
  if (passphrase.length === 0) throw new LocalCipherKeyError('the local cipher passphrase is empty');
  return scryptSync(passphrase, salt, KEY_BYTES).toString('base64');
}
