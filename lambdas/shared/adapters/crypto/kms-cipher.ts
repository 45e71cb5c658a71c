import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Cipher, EncryptionContext } from '../../ports/cipher.ts';
import { DecryptionError, EncryptionError } from './cipher-errors.ts';
import { decodeCiphertext, encodeCiphertext } from './ciphertext-format.ts';

/** KMS Encrypt takes at most 4096 bytes of plaintext. */
export const KMS_MAX_PLAINTEXT_BYTES = 4096;

/**
 * KMS exceptions that prove the ciphertext does not belong to this key and context (or was altered).
 * Anything else (throttling, disabled key, access denied, network) says nothing about the ciphertext.
 */
const REFUSALS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Cipher backed by AWS KMS (symmetric key): Encrypt/Decrypt with the encryption context `{subscriberId, purpose}`.
 * Decrypt names the key too, so a ciphertext made under any other key is refused instead of silently accepted.
 */
export class KmsCipher implements Cipher {
  constructor(
    private readonly kms: KMSClient,
    /** Key id, key ARN, alias name or alias ARN. */
    private readonly keyId: string,
  ) {}

  async encrypt(plaintext: string, context: EncryptionContext): Promise<string> {
    const bytes = new TextEncoder().encode(plaintext);
    if (bytes.byteLength > KMS_MAX_PLAINTEXT_BYTES) {
      throw new EncryptionError('too_large', `plaintext over ${KMS_MAX_PLAINTEXT_BYTES} bytes`);
    }
    let blob: Uint8Array | undefined;
    try {
      ({ CiphertextBlob: blob } = await this.kms.send(
        new EncryptCommand({ KeyId: this.keyId, Plaintext: bytes, EncryptionContext: kmsContext(context) }),
      ));
    } catch (error) {
      throw new EncryptionError('unavailable', `KMS Encrypt failed (${errorName(error)})`, { cause: error });
    }
    if (!blob) throw new EncryptionError('unavailable', 'KMS Encrypt returned no ciphertext');
    return encodeCiphertext('kms1', blob);
  }

  async decrypt(ciphertext: string, context: EncryptionContext): Promise<string> {
    const blob = decodeCiphertext('kms1', ciphertext);
    let plaintext: Uint8Array | undefined;
    try {
      ({ Plaintext: plaintext } = await this.kms.send(
        new DecryptCommand({
          KeyId: this.keyId,
          CiphertextBlob: blob,
          EncryptionContext: kmsContext(context),
        }),
      ));
    } catch (error) {
      const name = errorName(error);
      const reason = REFUSALS.has(name) ? 'refused' : 'unavailable';
      throw new DecryptionError(reason, `KMS Decrypt failed (${name})`, { cause: error });
    }
    if (!plaintext) throw new DecryptionError('unavailable', 'KMS Decrypt returned no plaintext');
    try {
      return utf8.decode(plaintext);
    } catch {
      throw new DecryptionError('malformed', 'the decrypted bytes are not UTF-8 text');
    }
  }
}

function kmsContext({ subscriberId, purpose }: EncryptionContext): Record<string, string> {
  return { subscriberId, purpose };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
