import { EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Cipher, EncryptionContext } from '../../ports/cipher.ts';
import { EncryptionError } from './cipher-errors.ts';
import { encodeCiphertext } from './ciphertext-format.ts';
import { KmsKeyService } from './kms-key-service.ts';

/** KMS Encrypt takes at most 4096 bytes of plaintext. */
const KMS_MAX_PLAINTEXT_BYTES = 4096;

/**
 * The `kms1:` format of earlier versions: every secret encrypted by KMS itself (Encrypt/Decrypt with the
 * encryption context `{subscriberId, purpose}`), so every open was a KMS call. The service now seals with
 * EnvelopeCipher and only opens `kms1:` values (KmsKeyService); this class remains for a deployment without a
 * data-key table and to make `kms1:` values in tests.
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

  /** Opened as every `kms1:` value is opened (KmsKeyService). */
  async decrypt(ciphertext: string, context: EncryptionContext): Promise<string> {
    return new KmsKeyService(this.kms, this.keyId).decrypt(ciphertext, context);
  }
}

function kmsContext({ subscriberId, purpose }: EncryptionContext): Record<string, string> {
  return { subscriberId, purpose };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
