import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const AES_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with a fresh random 96-bit IV: `iv | tag | ciphertext`. */
export function sealAesGcm(key: Uint8Array, plaintext: Uint8Array, additionalData: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/**
 * The plaintext of `iv | tag | ciphertext`: `truncated` when the bytes cannot hold an IV and a tag, `refused`
 * when authentication fails (other key, other additional data, or altered bytes).
 */
export function openAesGcm(
  key: Uint8Array,
  sealed: Uint8Array,
  additionalData: Uint8Array,
): { plaintext: Buffer } | { failure: 'truncated' | 'refused' } {
  if (sealed.byteLength < IV_BYTES + TAG_BYTES) return { failure: 'truncated' };
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(additionalData);
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return {
      plaintext: Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]),
    };
  } catch {
    return { failure: 'refused' };
  }
}
